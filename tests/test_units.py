"""``mailflow install-units``: systemd units with this installation's paths, least privilege,
a restart policy and the journal, written and never started."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mailflow.errors import UserError
from mailflow.units import UNIT_NAMES, UnitSettings, install_units, installed_command
from tests.configs import write_config
from tests.test_cli import assert_one_line_error, run


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """Sections of a unit file, each key with every value it is given (systemd allows many)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, equals, value = line.partition("=")
        assert equals and current is not None and key == key.strip(), f"line {number}: {line}"
        current.setdefault(key, []).append(value)
    return sections


def settings(tmp_path: Path, web_user: str | None = None) -> UnitSettings:
    return UnitSettings(
        mailflow=installed_command(),
        config=tmp_path / "etc" / "config.toml",
        data_dir=tmp_path / "srv" / "data",
        user="mailflow",
        web_user=web_user,
        env_dir=tmp_path / "etc",
    )


def test_both_units_run_as_a_dedicated_user_with_only_the_data_folder_writable(
    tmp_path: Path,
) -> None:
    written = install_units(settings(tmp_path, web_user="mailflow-web"), tmp_path)
    assert [p.name for p in written] == list(UNIT_NAMES)
    daemon, web = (parse_unit(p.read_text()) for p in written)
    for unit, user in ((daemon, "mailflow"), (web, "mailflow-web")):
        service = unit["Service"]
        assert service["User"] == [user] and service["Group"] == [user]
        assert service["ProtectSystem"] == ["strict"]
        assert service["ReadWritePaths"] == [str(tmp_path / "srv" / "data")]
        assert service["NoNewPrivileges"] == ["yes"] and service["PrivateTmp"] == ["yes"]
        assert service["ProtectHome"] == ["yes"]
        assert service["Restart"] == ["on-failure"] and service["RestartSec"]
        assert service["StandardOutput"] == ["journal"] == service["StandardError"]
        assert unit["Install"]["WantedBy"] == ["multi-user.target"]
        assert "network-online.target" in unit["Unit"]["After"][0]
    assert daemon["Service"]["ExecStart"] == [
        f"{installed_command()} run --config {tmp_path / 'etc' / 'config.toml'}"
    ]
    assert web["Service"]["ExecStart"] == [
        f"{installed_command()} web --config {tmp_path / 'etc' / 'config.toml'}"
    ]
    # The mail secrets go to the daemon alone; the page has its own file with its key.
    assert daemon["Service"]["EnvironmentFile"] == [str(tmp_path / "etc" / "mailflow.env")]
    assert web["Service"]["EnvironmentFile"] == [str(tmp_path / "etc" / "mailflow-web.env")]
    assert "MAILFLOW_WEB_ENABLED=false" in daemon["Service"]["Environment"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    written = install_units(settings(tmp_path), tmp_path)
    for name in ("mailflow.env", "mailflow-web.env"):
        (tmp_path / "etc").mkdir(exist_ok=True)
        (tmp_path / "etc" / name).write_text("")
    checked = subprocess.run(
        ["systemd-analyze", "verify", *map(str, written)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "Unknown" not in checked.stderr and "ignoring" not in checked.stderr, checked.stderr


def test_an_existing_different_unit_is_kept_unless_forced(tmp_path: Path) -> None:
    install_units(settings(tmp_path), tmp_path)
    (tmp_path / "mailflow.service").write_text("[Service]\nExecStart=/bin/true\n")
    with pytest.raises(UserError, match=r"mailflow\.service exists and differs: add --force"):
        install_units(settings(tmp_path), tmp_path)
    install_units(settings(tmp_path), tmp_path, force=True)
    assert "ProtectSystem=strict" in (tmp_path / "mailflow.service").read_text()


def test_paths_a_unit_cannot_hold_are_refused(tmp_path: Path) -> None:
    spaced = UnitSettings(
        mailflow=installed_command(),
        config=tmp_path / "my config.toml",
        data_dir=tmp_path / "data",
    )
    with pytest.raises(UserError, match=r"must not contain spaces"):
        install_units(spaced, tmp_path)
    with pytest.raises(UserError, match=r"not a system user name"):
        install_units(UnitSettings(installed_command(), tmp_path, tmp_path, "Root Me"), tmp_path)


def test_the_command_writes_the_units_with_the_configs_paths_and_starts_nothing(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    units = tmp_path / "units"
    units.mkdir()
    done = run("install-units", "--config", str(config), "--dest", str(units), cwd=tmp_path, env={})
    assert done.returncode == 0, done.stderr
    assert "nothing was started" in done.stdout
    daemon = parse_unit((units / "mailflow.service").read_text())
    assert daemon["Service"]["ReadWritePaths"] == [str(tmp_path / "data")]
    assert daemon["Service"]["ExecStart"][0].endswith(f"run --config {config}")
    missing = run(
        "install-units", "--config", str(config), "--dest", str(tmp_path / "no"), cwd=tmp_path
    )
    assert_one_line_error(missing)
