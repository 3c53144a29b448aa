"""``mailflow backup`` and ``restore``: snapshots taken while mailflow writes, restores that
check every byte first, on SQLite and PostgreSQL, and a campaign year that survives losing
its data folder halfway through."""

from __future__ import annotations

import json
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from mailflow import db
from mailflow.accounts import add_user
from mailflow.app import App, check_archive, open_app, store_file
from mailflow.backup import backup, restore, verify_backup
from mailflow.config import Config, load_config
from mailflow.db import models, transaction
from mailflow.errors import UserError
from tests.configs import TEST_ENV, write_config
from tests.rig import postgres


def make_config(folder: Path, database_url: str | None = None) -> Config:
    folder.mkdir(parents=True, exist_ok=True)
    changes = {("database", "url"): f'"{database_url}"'} if database_url else {}
    return load_config(write_config(folder, changes), env=TEST_ENV)


def fill(app: App, count: int, start: int = 0) -> list[str]:
    """``count`` archived files, each recorded with its row, as intake and documents do."""
    digests = []
    for number in range(start, start + count):
        with transaction(app.sessions) as session:
            digests.append(store_file(app, session, f"message {number}\n".encode() * 50))
    return digests


@pytest.fixture
def second_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as ``database_url``, to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'data' / 'mailflow.sqlite3'}"
        return
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


def test_a_backup_restores_the_database_and_every_archived_file(
    database_url: str, second_database: str, tmp_path: Path
) -> None:
    config = make_config(tmp_path / "live", database_url)
    app = open_app(config, upgrade=True)
    digests = fill(app, 5)
    add_user(app, "anna", "coordinator", "correct horse battery")
    result = backup(config, tmp_path / "backup")
    app.close()
    assert result.files == 5 and not result.warnings
    assert result.database == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert len(manifest["files"]) == 6  # the database and five archived files
    assert not (tmp_path / "backup.partial").exists()

    target = make_config(tmp_path / "restored", second_database)
    restored = restore(target, tmp_path / "backup")
    assert restored.files == 5 and restored.moved_aside is None
    app = open_app(target)
    try:
        assert check_archive(app, verify=True).ok
        assert sorted(app.archive.digests()) == sorted(digests)
        with app.sessions() as session:
            assert session.scalar(select(models.User.name)) == "anna"
    finally:
        app.close()


def test_a_snapshot_taken_while_mailflow_writes_refers_only_to_files_it_holds(
    database_url: str, second_database: str, tmp_path: Path
) -> None:
    config = make_config(tmp_path / "live", database_url)
    app = open_app(config, upgrade=True)
    fill(app, 20)
    stop = threading.Event()
    written: list[str] = []

    def writer() -> None:
        number = 1000
        while not stop.is_set():
            written.extend(fill(app, 1, start=number))
            number += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        backups = [backup(config, tmp_path / f"backup{n}") for n in range(3)]
    finally:
        stop.set()
        thread.join()
        app.close()
    assert written, "the writer wrote nothing while the backups ran"
    assert all(not b.warnings for b in backups)
    target = make_config(tmp_path / "restored", second_database)
    restore(target, tmp_path / "backup2")
    app = open_app(target)
    try:
        report = check_archive(app, verify=True)
        assert report.ok, report  # no row without its file, no file without its row
    finally:
        app.close()


def test_restore_names_the_file_that_changed_and_touches_nothing(tmp_path: Path) -> None:
    config = make_config(tmp_path / "live")
    app = open_app(config, upgrade=True)
    [digest] = fill(app, 1)
    backup(config, tmp_path / "backup")
    app.close()
    shutil.rmtree(config.data_dir)
    changed = tmp_path / "backup" / "archive" / digest[:2] / digest[2:4] / digest
    changed.write_bytes(changed.read_bytes().replace(b"message", b"massage"))
    with pytest.raises(UserError, match=rf"archive/{digest[:2]}/{digest[2:4]}/{digest} changed"):
        restore(config, tmp_path / "backup")
    assert not config.data_dir.exists()


def test_restore_refuses_a_file_missing_from_the_backup_or_one_added_to_it(
    tmp_path: Path,
) -> None:
    config = make_config(tmp_path / "live")
    open_app(config, upgrade=True).close()
    backup(config, tmp_path / "backup")
    shutil.rmtree(config.data_dir)
    (tmp_path / "backup" / "notes.txt").write_text("added later")
    with pytest.raises(UserError, match=r"notes\.txt is not in the manifest"):
        verify_backup(tmp_path / "backup")
    (tmp_path / "backup" / "notes.txt").unlink()
    (tmp_path / "backup" / "database.sqlite3").unlink()
    with pytest.raises(UserError, match=r"database\.sqlite3 is missing"):
        restore(config, tmp_path / "backup")


def test_a_folder_that_is_not_a_backup_is_one_line(tmp_path: Path) -> None:
    config = make_config(tmp_path / "live")
    with pytest.raises(UserError, match=r"is not a mailflow backup \(no manifest\.json\)"):
        restore(config, tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(UserError, match=r"is not a mailflow backup manifest"):
        restore(config, tmp_path)
    with pytest.raises(UserError, match=r"is not a folder"):
        restore(config, tmp_path / "nowhere")


def test_restore_refuses_a_live_database_without_force_and_keeps_what_force_replaces(
    database_url: str, tmp_path: Path
) -> None:
    config = make_config(tmp_path / "live", database_url)
    app = open_app(config, upgrade=True)
    fill(app, 2)
    backup(config, tmp_path / "backup")
    fill(app, 1, start=50)  # what happened after the backup
    app.close()
    with pytest.raises(UserError, match=r"already holds data.*--force"):
        restore(config, tmp_path / "backup")
    result = restore(config, tmp_path / "backup", force=True)
    assert result.moved_aside is not None
    if database_url.startswith("sqlite"):
        assert (result.moved_aside / "mailflow.sqlite3").is_file()
    assert len([p for p in (result.moved_aside / "archive").rglob("*") if p.is_file()]) == 3
    app = open_app(config)
    try:
        assert check_archive(app).ok  # the row of the file written after the backup is gone
        assert len(list(app.archive.digests())) == 2
        with app.sessions() as session:
            assert session.scalar(select(func.count()).select_from(models.StoredFile)) == 2
    finally:
        app.close()


def test_a_backup_of_an_older_schema_is_migrated_and_a_newer_one_refused(
    tmp_path: Path,
) -> None:
    from alembic import command

    config = make_config(tmp_path / "old")
    config.data_dir.mkdir(parents=True)
    engine = db.make_engine(config.database_url)
    alembic = db.alembic_config(config.database_url)
    with engine.begin() as connection:
        alembic.attributes["connection"] = connection
        command.upgrade(alembic, "0002")
    engine.dispose()
    assert backup(config, tmp_path / "old-backup").schema == "0002"

    target = make_config(tmp_path / "restored")
    result = restore(target, tmp_path / "old-backup")
    from mailflow.backup import _known_revisions

    head = _known_revisions()[1]
    assert (result.schema_before, result.schema_after) == ("0002", head)

    engine = db.make_engine(config.database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    backup(config, tmp_path / "future-backup")
    shutil.rmtree(target.data_dir)
    with pytest.raises(UserError, match=rf"schema 0099 is newer than this mailflow.s \({head}\)"):
        restore(target, tmp_path / "future-backup")
    assert not target.data_dir.exists()


def test_a_wrong_database_url_is_one_line(tmp_path: Path) -> None:
    config = replace(
        make_config(tmp_path / "live"),
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/mailflow",
    )
    with pytest.raises(UserError, match=r"^cannot connect to the database"):
        backup(config, tmp_path / "backup")
    assert not (tmp_path / "backup").exists() and not (tmp_path / "backup.partial").exists()


def test_restore_asks_the_sent_folder_about_every_e_mail_the_snapshot_had_not_sent(
    tmp_path: Path,
) -> None:
    from mailflow.outbox import enqueue

    config = make_config(tmp_path / "live")
    app = open_app(config, upgrade=True)
    with transaction(app.sessions) as session:
        for number in range(2):
            enqueue(
                app,
                session,
                to=["anna.wrona@um.example.pl"],
                subject=f"Subject {number}",
                body="Body",
                purpose="test",
            )
    backup(config, tmp_path / "backup")
    app.close()
    shutil.rmtree(config.data_dir)
    assert restore(config, tmp_path / "backup").rechecked == 2
    app = open_app(config)
    try:
        with app.sessions() as session:
            statuses = session.scalars(select(models.OutboxMessage.status)).all()
        assert statuses == ["final_dot", "final_dot"]
    finally:
        app.close()


def test_the_commands_answer_bad_input_in_one_line(tmp_path: Path) -> None:
    from tests.test_cli import assert_one_line_error, run

    config = write_config(tmp_path)
    assert run("init", "--config", str(config), cwd=tmp_path, env={}).returncode == 0
    done = run("backup", str(tmp_path / "b"), "--config", str(config), cwd=tmp_path, env={})
    assert done.returncode == 0, done.stderr
    assert "written to" in done.stdout
    not_a_backup = run("restore", str(tmp_path), "--config", str(config), cwd=tmp_path, env={})
    assert_one_line_error(not_a_backup)
    assert "is not a mailflow backup" in not_a_backup.stderr
    live = run("restore", str(tmp_path / "b"), "--config", str(config), cwd=tmp_path, env={})
    assert_one_line_error(live)
    assert "--force" in live.stderr
    wrong_url = {"MAILFLOW_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"}
    unreachable = run(
        "backup", str(tmp_path / "c"), "--config", str(config), cwd=tmp_path, env=wrong_url
    )
    assert_one_line_error(unreachable)
    assert "cannot connect to the database" in unreachable.stderr


# ------------------------------------------------------------------ a campaign year


def finish(year: object, max_rounds: int = 300) -> None:
    """Play on from where the year stands (Year.play would start it again in January)."""
    from mailflow.demo.play import Year

    assert isinstance(year, Year)
    while year.rounds < max_rounds:
        replies = year.round()
        _step, status, actions = year.campaign_state()
        if status == "finished" and "action_done" in actions:
            return
        now = year.clock.now()
        year.clock.set(now + timedelta(hours=4) if replies else year._next_moment(now))


def message_ids(messages: list[bytes]) -> Counter[str]:
    return Counter(str(message_from_bytes(raw)["Message-ID"]) for raw in messages)


@pytest.mark.slow
def test_a_year_restored_from_a_backup_halfway_finishes_with_nothing_lost_or_sent_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mailflow.clock import FakeClock
    from mailflow.demo import script
    from mailflow.demo.people import MailWorld
    from mailflow.demo.play import START, Year
    from mailflow.demo.run import (
        MAIL_PASSWORD,
        SECRET_VARIABLES,
        _create_sent_folder,
        _daemon_pass,
        _free_port,
        demo_config,
    )
    from mailflow.demo.servers import DemoMailServers

    for name, value in SECRET_VARIABLES.items():
        monkeypatch.setenv(name, value)
    servers = DemoMailServers(unknown_recipients="bounce")
    for address in script.people_addresses():
        servers.add_user(address, MAIL_PASSWORD)
    servers.start()
    try:
        _create_sent_folder(servers)
        config_file = tmp_path / "config.toml"
        config_file.write_text(
            demo_config(
                tmp_path, servers.imap_port, servers.smtp_port, _free_port(), web_enabled=False
            ),
            encoding="utf-8",
        )
        config = load_config(config_file)
        clock = FakeClock(START)
        app = open_app(config, clock=clock, upgrade=True)
        world = MailWorld(
            "127.0.0.1", servers.imap_port, servers.smtp_port, lambda a: (a, MAIL_PASSWORD)
        )
        year = Year(app, world, clock, _daemon_pass(app))
        # Halfway: the contract is signed, the questionnaire and the survey are still ahead.
        while "contract_recorded" not in year.campaign_state()[2]:
            replies = year.round()
            now = clock.now()
            clock.set(now + timedelta(hours=4) if replies else year._next_moment(now))
            assert year.rounds < 200
        before = year.summary()
        with app.sessions() as session:
            files_before = set(session.scalars(select(models.StoredFile.sha256)))
        backup(config, tmp_path / "backup")  # the daemon's app is open and holds the database
        app.close()
        shutil.rmtree(config.data_dir)  # the disk is lost

        result = restore(config, tmp_path / "backup")
        assert result.files == len(files_before)
        app = open_app(config, clock=clock)
        year.app, year.run_pass = app, _daemon_pass(app)
        finish(year)
        after = year.summary()
        try:
            assert after.finished and after.steps_done == list(range(8))
            assert after.events[: len(before.events)] == before.events  # nothing lost
            assert len(before.events) > 20 and len(after.events) > len(before.events) + 20
            assert set(before.documents) <= set(after.documents)
            assert check_archive(app, verify=True).ok
            with app.sessions() as session:
                assert files_before <= set(session.scalars(select(models.StoredFile.sha256)))
                assert not session.scalar(
                    select(func.count())
                    .select_from(models.OutboxMessage)
                    .where(models.OutboxMessage.status.in_(("uncertain", "failed", "pending")))
                )
        finally:
            app.close()
        # Nothing sent twice: every e-mail reached each mailbox, and Sent, once.
        for address in script.people_addresses():
            twice = {mid: n for mid, n in message_ids(servers.messages(address)).items() if n > 1}
            assert not twice, (address, twice)
        sent = message_ids(servers.messages(script.MAILBOX, "Sent"))
        assert sent and max(sent.values()) == 1
        assert sum(sent.values()) == after.sent
    finally:
        year.postman.close()
        servers.stop()
