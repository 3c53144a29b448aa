"""The quarantine: a person lists, retries, dismisses or assigns parked messages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow.app import App
from mailflow.db import models, transaction
from mailflow.errors import UserError
from mailflow.intake import poll_once
from mailflow.mail.parse import ParsedMessage
from mailflow.quarantine import assign, dismiss, list_open, retry
from tests.rig.dovecot import Account, Dovecot
from tests.test_intake import open_rig_app, ours, rig_config


@pytest.fixture
def app(tmp_path: Path, dovecot: Dovecot, mailbox: Account, database_url: str) -> Iterator[App]:
    application = open_rig_app(rig_config(tmp_path, dovecot, database_url))
    yield application
    application.close()


def failing(app: App, session: Session, message: models.Message, parsed: ParsedMessage) -> None:
    raise ValueError("the procedure could not place this reply")


def quarantine_one(app: App, dovecot: Dovecot) -> int:
    dovecot.append_many("ankieta", [ours(1)])
    poll_once(app, failing)
    [entry] = list_open(app)
    return int(entry["id"])


def events(app: App) -> list[models.Event]:
    with app.sessions() as session:
        return list(session.scalars(select(models.Event).order_by(models.Event.id)))


def test_it_lists_open_entries_with_their_reason(
    app: App,
    dovecot: Dovecot,
    mailbox: Account,
) -> None:
    quarantine_one(app, dovecot)

    [entry] = list_open(app)

    assert entry["subject"] == "Oferta 1"
    assert entry["from"] == "jan@example.com"
    assert entry["reason"] == "ValueError: the procedure could not place this reply"


def test_it_processes_a_message_again_on_retry(
    app: App,
    dovecot: Dovecot,
    mailbox: Account,
) -> None:
    entry_id = quarantine_one(app, dovecot)
    handled: list[int] = []

    def works(app: App, session: Session, message: models.Message, parsed: ParsedMessage) -> None:
        handled.append(message.id)

    answer = retry(app, entry_id, actor="web:anna", act=works)

    assert "processed" in answer and len(handled) == 1
    assert list_open(app) == []
    [event] = events(app)
    assert (event.action, event.actor, event.via) == ("quarantine_retried", "web:anna", "web")


def test_it_parks_a_message_again_when_the_retry_fails(
    app: App,
    dovecot: Dovecot,
    mailbox: Account,
) -> None:
    entry_id = quarantine_one(app, dovecot)

    answer = retry(app, entry_id, actor="cli", act=failing)

    assert "failed again" in answer and "could not place" in answer
    [again] = list_open(app)
    assert again["id"] != entry_id


def test_a_retry_says_so_when_the_daemon_processed_the_message_first(
    app: App, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mailflow import intake, quarantine

    entry_id = quarantine_one(app, dovecot)
    calls: list[int] = []

    def act(app: App, session: Session, message: models.Message, parsed: ParsedMessage) -> None:
        calls.append(message.id)

    real = intake.process_message

    def daemon_first(app: App, act: intake.Act, message_id: int) -> str:
        intake.process_messages(app, act, [message_id])  # the daemon's pass gets there first
        return real(app, act, message_id)

    monkeypatch.setattr(quarantine, "process_message", daemon_first)
    answer = retry(app, entry_id, "cli", act)

    assert len(calls) == 1
    assert "processed meanwhile" in answer and "failed again" not in answer


def test_it_dismisses_and_records_who_did_it(
    app: App,
    dovecot: Dovecot,
    mailbox: Account,
) -> None:
    entry_id = quarantine_one(app, dovecot)

    answer = dismiss(app, entry_id, actor="cli", note="spam")

    assert answer == f"Quarantine entry {entry_id} dismissed."
    assert list_open(app) == []
    [event] = events(app)
    assert event.details["note"] == "spam" and event.via == "cli"
    with pytest.raises(UserError, match="already dismissed"):
        dismiss(app, entry_id, actor="cli")


def test_it_assigns_a_message_to_a_campaign_step(
    app: App,
    dovecot: Dovecot,
    mailbox: Account,
) -> None:
    entry_id = quarantine_one(app, dovecot)
    with transaction(app.sessions) as session:
        campaign = models.Campaign(
            year=2027, case_ref="OS.0543.3.2027", started_at=datetime(2027, 1, 15, tzinfo=UTC)
        )
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id

    answer = assign(app, entry_id, actor="web:anna", campaign_id=campaign_id, step=1)

    assert "step 1" in answer
    with app.sessions() as session:
        message = session.scalars(select(models.Message)).one()
        assert (message.campaign_id, message.step, message.status) == (campaign_id, 1, "assigned")
    assert events(app)[0].campaign_id == campaign_id


def test_it_says_so_for_an_unknown_entry(app: App) -> None:
    with pytest.raises(UserError, match="no quarantine entry 999"):
        retry(app, 999, actor="cli")
    with pytest.raises(UserError, match="no quarantine entry 999"):
        dismiss(app, 999, actor="cli")
