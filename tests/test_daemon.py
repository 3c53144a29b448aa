"""The daemon: one full pass with --once, a clean stop on SIGTERM, persistent scheduled jobs."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from mailflow import daemon
from mailflow.app import App, open_app
from mailflow.config import load_config
from mailflow.db import models
from mailflow.mail.parse import ParsedMessage
from mailflow.outbox import enqueue
from tests.rig.dovecot import PASSWORD, Account, Dovecot
from tests.rig.smtp_relay import SmtpRelay
from tests.test_crash_safety import ROOT, wait_for_log
from tests.test_intake import ours, rig_config_path, rig_env


@pytest.fixture(autouse=True)
def _keep_pytest_logging() -> Iterator[None]:
    # run_daemon sets up logging on the root logger; give pytest its handlers back after.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def config_path(tmp_path: Path, dovecot: Dovecot, mailbox: Account, smtp_relay: SmtpRelay) -> Path:
    smtp_relay.start()
    smtp_relay.accept()
    smtp_relay.clear()
    path = rig_config_path(
        tmp_path, dovecot, f"sqlite:///{tmp_path / 'mailflow.sqlite3'}", smtp_relay.port
    )
    open_app(load_config(path, rig_env()), upgrade=True).close()
    return path


def test_it_does_one_full_pass_with_once_and_exits_0(
    config_path: Path, dovecot: Dovecot, smtp_relay: SmtpRelay
) -> None:
    dovecot.append_many("ankieta", [ours(1), ours(2)])
    calls: list[str] = []

    def act(app: App, session: Session, message: models.Message, parsed: ParsedMessage) -> None:
        calls.append("act")
        enqueue(app, session, to=["coordinator@um.example.pl"], subject="Re", body="x", purpose="t")

    def due(app: App) -> None:
        calls.append("due")

    def yearly(app: App) -> None:
        calls.append("yearly")

    config = load_config(config_path, rig_env())
    code = daemon.run_daemon(config, once=True, act=act, due=due, yearly=yearly)

    assert code == 0
    assert calls == ["yearly", "act", "act", "due"]
    assert len(smtp_relay.accepted) == 2


def test_it_runs_until_sigterm_stops_cleanly_and_logs_no_secret(
    config_path: Path, dovecot: Dovecot, tmp_path: Path
) -> None:
    log = tmp_path / "daemon.log"
    text = config_path.read_text().replace('level = "INFO"', 'level = "DEBUG"')
    config_path.write_text(text)
    env = {**os.environ, **rig_env(), "PYTHONPATH": str(ROOT)}
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "mailflow.cli", "run", "--config", str(config_path)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
        )
    try:
        wait_for_log(log, "intake connected", 1, process)
        dovecot.append_many("ankieta", [ours(1)])
        # Whatever the procedure makes of it (processed or quarantined), the pass completes.
        wait_for_log(log, "intake pass", 1, process)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    output_text = log.read_text()
    assert code == 0, output_text[-2000:]
    assert "daemon stopped" in output_text
    for secret in [PASSWORD, *rig_env().values()]:
        assert secret not in output_text


def test_it_keeps_its_jobs_in_the_database_and_runs_a_missed_one_once(
    config_path: Path,
) -> None:
    config = load_config(config_path, rig_env())
    app = open_app(config)
    runs: list[datetime] = []
    daemon._runtime.update(
        app=app, due=lambda _: runs.append(datetime.now(UTC)), yearly=lambda _: None
    )
    try:
        scheduler = daemon.build_scheduler(app)
        scheduler.start(paused=True)
        daemon._ensure_jobs(scheduler, config)
        assert {job.id for job in scheduler.get_jobs()} == {"outbox", "due", "yearly"}
        scheduler.remove_job("outbox")
        scheduler.remove_job("yearly")
        # The daemon was down for a week: the due job missed many runs.
        scheduler.get_job("due").modify(next_run_time=datetime.now(UTC) - timedelta(days=7))
        daemon.stop_scheduler(scheduler)
        assert "apscheduler_jobs" in inspect(app.engine).get_table_names()

        again = daemon.build_scheduler(app)
        again.start(paused=True)
        daemon._ensure_jobs(again, config)
        again.remove_job("outbox")
        again.remove_job("yearly")
        again.resume()
        time.sleep(1.5)
        daemon.stop_scheduler(again)
    finally:
        daemon._runtime.clear()
        app.close()
    assert len(runs) == 1  # coalesced: once, not once per missed interval


def test_it_wires_the_procedure_and_tells_the_coordinator_about_quarantines() -> None:
    from mailflow import intake, procedure

    act, due, yearly = daemon.procedure_handlers()

    assert (act, due, yearly) == (
        procedure.handle_message,
        procedure.run_due,
        procedure.start_yearly_if_due,
    )
    assert procedure.on_quarantine in intake._quarantine_listeners


def test_it_reads_its_status_rows_back(config_path: Path, dovecot: Dovecot) -> None:
    dovecot.append_many("ankieta", [ours(1)])
    config = load_config(config_path, rig_env())
    assert (
        daemon.run_daemon(
            config, once=True, act=lambda *a: None, due=lambda a: None, yearly=lambda a: None
        )
        == 0
    )
    app = open_app(config)
    try:
        with app.sessions() as session:
            imap_status = session.get(models.ServiceStatus, "imap")
            assert imap_status is not None and imap_status.last_ok_at is not None
            assert session.scalars(select(models.Message.status)).one() == "processed"
    finally:
        app.close()
