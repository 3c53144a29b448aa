"""The procedure's rules, one at a time, through handle_message and the page/CLI functions.

Replies are real e-mails built with the stdlib and read by ``parse_message``; the outbox is
only inspected (nothing is sent), so these run without the mail rig, on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import select

from mailflow import procedure
from mailflow.app import App, open_app
from mailflow.clock import FakeClock
from mailflow.config import load_config
from mailflow.db import models, transaction
from mailflow.errors import UserError
from tests.configs import TEST_ENV, write_config
from tests.mailroom import deliver, receive

START = datetime(2027, 1, 15, 7, 0, tzinfo=UTC)


def procedure_app(tmp_path: Path, database_url: str, changes: dict[str, str] | None = None) -> App:
    """An app on ``database_url`` at START, with ``changes`` ("section.key": TOML value)."""
    edits = {("database", "url"): f'"{database_url}"'}
    for key, value in (changes or {}).items():
        section, _, name = key.rpartition(".")
        edits[(section, name)] = value
    config = load_config(write_config(tmp_path, edits), env=TEST_ENV)
    return open_app(config, clock=FakeClock(START), upgrade=True)


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[App]:
    application = procedure_app(tmp_path, database_url)
    yield application
    application.close()


def reply(
    to_row: models.OutboxMessage, sender: str, text: str, extra: dict[str, str] | None = None
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to_row.raw.split(b"Reply-To: ")[1].split(b"\r\n")[0].decode()
    message["Subject"] = "Re: " + to_row.subject
    message["Message-ID"] = make_msgid(domain="um.example.pl")
    message["In-Reply-To"] = to_row.message_id_header
    message["References"] = to_row.message_id_header
    for name, value in (extra or {}).items():
        message[name] = value
    message.set_content(text)
    return message.as_bytes()


def outbox(app: App, purpose: str, to: str | None = None) -> list[models.OutboxMessage]:
    with app.sessions() as session:
        rows = session.scalars(
            select(models.OutboxMessage)
            .where(models.OutboxMessage.purpose == purpose)
            .order_by(models.OutboxMessage.id)
        ).all()
    return [r for r in rows if to is None or to in r.recipients]


def started(app: App) -> None:
    with transaction(app.sessions) as session:
        procedure.start_campaign(app, session, 2027, "cli", "cli")
        campaign = procedure.campaign_for_year(session, 2027)
        session.add(
            models.Topic(
                campaign_id=campaign.id,
                title="Czas oczekiwania",
                source="own_observation",
                discussion="",
            )
        )


def test_starting_a_campaign_asks_every_contributor_for_topics(app: App) -> None:
    started(app)
    asked = sorted(r.recipients[0] for r in outbox(app, "topics"))
    assert asked == sorted(
        [
            "ewa.kruk@um.example.pl",
            "marek.sikora@um.example.pl",
            "halina.nowak@um.example.pl",
            "robert.mazur@um.example.pl",
        ]
    )
    row = outbox(app, "topics")[0]
    assert b"Formularz_zagadnien_2027.docx" in row.raw and b"termin.ics" in row.raw
    assert "[IN13-2027-ZAG-" in row.subject
    with pytest.raises(UserError, match="already exists"), transaction(app.sessions) as session:
        procedure.start_campaign(app, session, 2027)


def test_topics_come_from_the_new_text_not_the_quoted_letter(app: App) -> None:
    started(app)
    row = outbox(app, "topics", "ewa.kruk@um.example.pl")[0]
    error = deliver(
        app,
        reply(
            row,
            "Ewa Kruk <ewa.kruk@um.example.pl>",
            "- Kolejki w BOK\n- Czytelność formularzy\n\n> - czas oczekiwania na wydanie dowodu",
        ),
    )
    assert error is None
    with app.sessions() as session:
        titles = set(session.scalars(select(models.Topic.title)))
    assert {"Kolejki w BOK", "Czytelność formularzy"} <= titles
    assert "czas oczekiwania na wydanie dowodu" not in titles
    assert outbox(app, "confirmation", "ewa.kruk@um.example.pl")


def test_a_reply_from_someone_else_on_a_token_is_not_trusted(app: App) -> None:
    started(app)
    row = outbox(app, "topics", "ewa.kruk@um.example.pl")[0]
    error = deliver(app, reply(row, "Intruz <intruz@example.net>", "- Mój temat"))
    assert error is not None
    assert "intruz@example.net is not ewa.kruk@um.example.pl" in str(error)


def test_an_approval_token_can_be_used_once(app: App) -> None:
    started(app)
    with transaction(app.sessions) as session:
        procedure.send_catalogue(app, session, procedure.campaign_for_year(session, 2027))
    row = outbox(app, "catalogue")[0]
    error = deliver(app, reply(row, "anna.wrona@um.example.pl", "ZATWIERDZAM"))
    assert error is None
    assert len(outbox(app, "inquiry")) == 3  # the catalogue confirmed: inquiries to 3 firms
    again = deliver(app, reply(row, "anna.wrona@um.example.pl", "ZATWIERDZAM"))
    assert again is not None and "already used" in str(again)
    assert len(outbox(app, "inquiry")) == 3


def test_an_unclear_decision_is_never_guessed(app: App) -> None:
    started(app)
    with transaction(app.sessions) as session:
        procedure.send_catalogue(app, session, procedure.campaign_for_year(session, 2027))
    row = outbox(app, "catalogue")[0]
    error = deliver(app, reply(row, "anna.wrona@um.example.pl", "ok, zobaczę jutro"))
    assert error is not None and "not a clear decision" in str(error)
    assert outbox(app, "inquiry") == []


def test_decisions_need_dmarc_when_configured(tmp_path: Path, database_url: str) -> None:
    app = procedure_app(tmp_path, database_url, {"procedure.require_dmarc": "true"})
    try:
        started(app)
        with transaction(app.sessions) as session:
            procedure.send_catalogue(app, session, procedure.campaign_for_year(session, 2027))
        row = outbox(app, "catalogue")[0]
        error = deliver(app, reply(row, "anna.wrona@um.example.pl", "ZATWIERDZAM"))
        assert error is not None and "DMARC" in str(error)
        passed = {
            "Authentication-Results": "mx.um.example.pl; dkim=pass header.d=um.example.pl; "
            "dmarc=pass header.from=um.example.pl"
        }
        error = deliver(app, reply(row, "anna.wrona@um.example.pl", "ZATWIERDZAM", passed))
        assert error is None
    finally:
        app.close()


def test_a_survey_term_after_mid_june_needs_a_justification(app: App) -> None:
    started(app)
    with transaction(app.sessions) as session:
        campaign = procedure.campaign_for_year(session, 2027)
        campaign.step = procedure.STEP_INQUIRY
    with pytest.raises(UserError, match="justification"), transaction(app.sessions) as session:
        campaign = procedure.campaign_for_year(session, 2027)
        procedure.record_contract(
            app,
            session,
            campaign,
            "kwadrant",
            "OS.272.5.2027",
            date(2027, 6, 20),
            None,
            "cli",
            "cli",
        )
    with transaction(app.sessions) as session:
        campaign = procedure.campaign_for_year(session, 2027)
        procedure.record_contract(
            app,
            session,
            campaign,
            "kwadrant",
            "OS.272.5.2027",
            date(2027, 6, 20),
            "awaria systemu CATI u wykonawcy",
            "cli",
            "cli",
        )
    assert len(outbox(app, "contractor")) == 1


def test_publication_choice_is_one_clear_word_or_nothing() -> None:
    assert procedure.publication_choice("BIP") == "bip"
    assert procedure.publication_choice("Proszę opublikować na stronie") == "strona"
    assert procedure.publication_choice("BIP albo intranet") is None
    assert procedure.publication_choice("nie wiem") is None


def test_a_busy_database_leaves_the_message_for_the_next_pass_not_the_quarantine(app: App) -> None:
    from sqlalchemy.exc import OperationalError

    from mailflow import intake

    started(app)
    row = outbox(app, "topics", "ewa.kruk@um.example.pl")[0]
    raw = reply(row, "Ewa Kruk <ewa.kruk@um.example.pl>", "- Kolejki w BOK")
    message_id = receive(app, raw)

    def busy(*_: object) -> None:
        raise OperationalError("UPDATE ...", {}, Exception("database is locked"))

    assert intake.process_message(app, busy, message_id) == "deferred"
    with app.sessions() as session:
        assert session.get(models.Message, message_id).status == "received"  # type: ignore[union-attr]
        assert session.scalar(select(models.QuarantineEntry)) is None
    assert intake.process_message(app, procedure.handle_message, message_id) == "processed"
