"""The command line as a user meets it: the installed ``mailflow`` script in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.configs import TEST_ENV, write_config

MAILFLOW = str(Path(sys.executable).parent / "mailflow")


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MAILFLOW_")}
    full_env.update(env if env is not None else TEST_ENV)
    return subprocess.run(
        [MAILFLOW, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_init_writes_a_config_creates_the_database_and_is_harmless_twice(tmp_path: Path) -> None:
    first = run("init", cwd=tmp_path, env={})
    assert first.returncode == 0, first.stderr
    assert "Wrote config.toml" in first.stdout
    assert (tmp_path / "config.toml").exists()
    assert (tmp_path / "data" / "mailflow.sqlite3").exists()
    config_before = (tmp_path / "config.toml").read_bytes()
    second = run("init", cwd=tmp_path, env={})
    assert second.returncode == 0, second.stderr
    assert "Wrote" not in second.stdout
    assert (tmp_path / "config.toml").read_bytes() == config_before


def test_status_json_follows_the_contract(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path, {("database", "url"): f'"{database_url}"'})
    assert run("init", "--config", str(config), cwd=tmp_path).returncode == 0
    result = run("status", "--json", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["campaigns"] == []
    assert status["messages"] == {"received": 0, "processed": 0, "quarantined": 0, "not_ours": 0}
    assert status["outbox"] == {"pending": 0, "sent": 0, "failed": 0}


def test_config_can_come_from_the_environment_variable(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = run("check-config", cwd=Path("/"), env={**TEST_ENV, "MAILFLOW_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    assert "configuration is valid" in result.stdout


def test_check_config_with_five_mistakes_prints_five_errors(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        {
            ("imap", "port"): "70000",
            ("imap", "security"): '"ssl"',
            ("smtp", "from_address"): '"not an address"',
            ("web", "port"): '"8080"',
            ("procedure", "survey_by"): '"30-06"',
        },
    )
    result = run("check-config", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 5, result.stderr
    assert all(line.startswith("config error: ") for line in lines)
    assert "Traceback" not in result.stderr


def test_a_missing_config_file_is_one_line(tmp_path: Path) -> None:
    assert_one_line_error(run("status", "--config", str(tmp_path / "none.toml"), cwd=tmp_path))


def test_an_unreachable_postgresql_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, {("database", "url"): '"postgresql+psycopg://postgres@127.0.0.1:1/none"'}
    )
    result = run("init", "--config", str(config), cwd=tmp_path)
    assert_one_line_error(result)
    assert "cannot connect to the database" in result.stderr
    assert not (tmp_path / "data" / "archive").exists()


def test_an_unusable_database_url_is_one_line(tmp_path: Path) -> None:
    config = write_config(tmp_path, {("database", "url"): '"sqlite:///"'})
    config.write_text(
        config.read_text().replace('url = "sqlite:///"', 'url = "postgresql+nosuchdriver://x"')
    )
    assert_one_line_error(run("init", "--config", str(config), cwd=tmp_path))


def test_a_data_folder_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "occupied").write_text("a file where the data folder should be")
    config = write_config(
        tmp_path, {("storage", "data_dir"): f'"{tmp_path / "occupied" / "data"}"'}
    )
    result = run("init", "--config", str(config), cwd=tmp_path)
    assert_one_line_error(result)
    assert "cannot create data folder" in result.stderr


def test_status_before_init_says_to_run_init(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = run("status", "--config", str(config), cwd=tmp_path)
    assert_one_line_error(result)
    assert "mailflow init" in result.stderr


def test_doctor_finds_an_archived_file_no_row_refers_to(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    assert run("init", "--config", str(config), cwd=tmp_path).returncode == 0
    assert run("doctor", "--config", str(config), cwd=tmp_path).returncode == 0
    from mailflow.archive import Archive

    digest = Archive(tmp_path / "data" / "archive").put(b"stray bytes")
    result = run("doctor", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    assert f"unreferenced: {digest}" in result.stdout


def test_outbox_lists_what_needs_a_person_and_refuses_a_row_that_does_not(
    tmp_path: Path,
) -> None:
    from mailflow.app import open_app
    from mailflow.config import load_config
    from mailflow.db import transaction
    from mailflow.outbox import enqueue

    config = write_config(tmp_path)
    assert run("init", "--config", str(config), cwd=tmp_path).returncode == 0
    app = open_app(load_config(config, env=TEST_ENV))
    try:
        with transaction(app.sessions) as session:
            row = enqueue(
                app, session, to=["a@um.example.pl"], subject="Test", body="x", purpose="notice"
            )
            row.status, row.last_error = "uncertain", "no reply to the final dot"
            session.flush()
            row_id = row.id
    finally:
        app.close()

    listed = run("outbox", "list", "--config", str(config), cwd=tmp_path)
    assert listed.returncode == 0 and f"{row_id}: uncertain to a@um.example.pl" in listed.stdout
    done = run("outbox", "mark-sent", str(row_id), "--config", str(config), cwd=tmp_path)
    assert done.returncode == 0 and "recorded as sent" in done.stdout
    assert_one_line_error(
        run("outbox", "resend", str(row_id), "--config", str(config), cwd=tmp_path)
    )


def test_the_status_page_serves_with_only_its_own_secret_key(tmp_path: Path) -> None:
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = write_config(tmp_path, {("web", "port"): str(port)})
    assert run("init", "--config", str(config), cwd=tmp_path, env={}).returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILFLOW_")}
    env["MAILFLOW_WEB_SECRET"] = TEST_ENV["MAILFLOW_WEB_SECRET"]  # no IMAP or SMTP password
    page = subprocess.Popen(
        [MAILFLOW, "web", "--config", str(config)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert page.poll() is None, page.communicate()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the status page did not come up"
                time.sleep(0.2)
    finally:
        page.terminate()
        page.communicate(timeout=10)
