"""A whole IN-13 campaign year over the real Dovecot + SMTP rig, on SQLite and PostgreSQL.

The cast of ``mailflow.demo.script`` reads its own Dovecot mailbox over IMAP and answers over
SMTP; mailflow runs its daemon passes (yearly start, intake, what is due, outbox) against a
mailbox it shares with people (``shared_mailbox = true``), so it must prove every message is
its own. One vendor's address does not exist: the relay refuses it with 550. The daemon is
down for days across the offer deadline and catches up when it comes back.
"""

from __future__ import annotations

import email
import io
import smtplib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from email.utils import make_msgid
from pathlib import Path
from typing import cast

import pytest
from docx import Document
from imap_tools import AND, MailBoxUnencrypted
from sqlalchemy import select

from mailflow import procedure
from mailflow.app import App, open_app
from mailflow.clock import FakeClock
from mailflow.config import load_config
from mailflow.daemon import run_once
from mailflow.db import models, transaction
from mailflow.demo import script
from mailflow.demo.people import MailWorld
from mailflow.demo.play import START, Summary, Year
from mailflow.demo.run import demo_config
from mailflow.procedure import handle_message, run_due, start_yearly_if_due, utc
from tests.configs import TEST_ENV, write_config
from tests.rig.dovecot import PASSWORD, Dovecot, free_port
from tests.rig.smtp_relay import SmtpRelay

pytestmark = pytest.mark.slow

PASSWORD_ENV = "MAILFLOW_E2E_MAIL_PASSWORD"
BOUNCING = next(v for v in script.VENDORS if v[3] == "bounce")
DOWN_FOR = timedelta(days=4)
OFFICE = "ankieta@um.example.pl"
COORDINATOR = "anna.wrona@um.example.pl"
OS_MANAGER = "tomasz.lis@um.example.pl"
BOK_MANAGER = "ewa.kruk@um.example.pl"
PLENIPOTENTIARY = "elzbieta.sowa@um.example.pl"
MAYOR = "prezydent@um.example.pl"
CONTRIBUTORS = [
    BOK_MANAGER,
    "marek.sikora@um.example.pl",
    "halina.nowak@um.example.pl",
    "robert.mazur@um.example.pl",
]
VENDOR = {key: address for key, _name, address, _kind, _nip in script.VENDORS}
INQUIRY_FILES = (
    "Zapytanie_o_cene_2027.docx",
    "Formularz_ofertowy_OS.0543.3.2027.docx",
    "termin.ics",
)
MEMO = ("Informacja_o_wynikach_2027.docx",)
FOREIGN_SENDER = "newsletter@sklep.example.com"
FOREIGN_SUBJECT = "Promocja tygodnia"


def local_part(address: str) -> str:
    return address.partition("@")[0].lower()


class Daemon:
    """``mailflow run --once`` passes, except while the daemon is "down".

    It goes down half a day before the offer deadline and comes back ``DOWN_FOR`` after it,
    so the deadline passes while nothing runs; mail keeps arriving in the mailbox meanwhile.
    """

    def __init__(self, app: App, clock: FakeClock) -> None:
        self.app = app
        self.clock = clock
        self.down: tuple[datetime, datetime] | None = None
        self.passes = 0
        self.skipped = 0

    def offers_deadline(self) -> datetime | None:
        with self.app.sessions() as session:
            due = session.scalar(
                select(models.Deadline.due_at).where(models.Deadline.kind == "offers").limit(1)
            )
        return utc(due) if due is not None else None

    def run_pass(self) -> int:
        if self.down is None and (deadline := self.offers_deadline()) is not None:
            self.down = (deadline - timedelta(hours=12), deadline + DOWN_FOR)
        now = self.clock.now()
        if self.down and self.down[0] <= now < self.down[1]:
            self.skipped += 1
            return 0
        self.passes += 1
        return run_once(self.app, handle_message, run_due, start_yearly_if_due)


@pytest.fixture
def mail_rig(dovecot: Dovecot, smtp_relay: SmtpRelay) -> Iterator[tuple[Dovecot, SmtpRelay]]:
    """A mailbox for every cast address but the bouncing vendor's, all empty."""
    dovecot.start()
    smtp_relay.start()
    smtp_relay.accept()
    for address in script.people_addresses():
        dovecot.add_user(local_part(address))
        dovecot.wipe(local_part(address))
    smtp_relay.clear()
    yield dovecot, smtp_relay
    smtp_relay.clear()


@dataclass(frozen=True)
class Played:
    """A campaign year played to its end, and what the test looks at afterwards."""

    app: App
    daemon: Daemon
    summary: Summary
    relay: SmtpRelay
    foreign: list[tuple[str, tuple[str, ...]]]


def send_foreign_mail(relay: SmtpRelay) -> None:
    """People use the mailbox too: a newsletter mailflow must leave alone, unread."""
    message = EmailMessage()
    message["From"], message["To"] = FOREIGN_SENDER, OFFICE
    message["Subject"], message["Message-ID"] = FOREIGN_SUBJECT, make_msgid(domain="sklep.pl")
    message.set_content("Tylko dziś rabaty na ankiety papierowe.")
    with smtplib.SMTP(relay.host, relay.port, timeout=30) as smtp:
        smtp.send_message(message)


def foreign_mail_left_alone(dovecot: Dovecot) -> list[tuple[str, tuple[str, ...]]]:
    with MailBoxUnencrypted(dovecot.host, dovecot.imap_port).login("ankieta", PASSWORD) as box:
        return [(m.subject, m.flags) for m in box.fetch(AND(from_=FOREIGN_SENDER), mark_seen=False)]


@pytest.fixture
def played(
    mail_rig: tuple[Dovecot, SmtpRelay],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Played]:
    dovecot, relay = mail_rig
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        demo_config(
            tmp_path,
            dovecot.imap_port,
            relay.port,
            free_port(),
            login="ankieta",
            smtp_login=None,
            password_env=(PASSWORD_ENV, PASSWORD_ENV),
            shared_mailbox=True,
            database_url=database_url,
            web_enabled=False,
        ),
        encoding="utf-8",
    )
    send_foreign_mail(relay)
    clock = FakeClock(START)
    app = open_app(load_config(config_file), clock=clock, upgrade=True)
    world = MailWorld(
        dovecot.host, dovecot.imap_port, relay.port, lambda a: (local_part(a), PASSWORD)
    )
    daemon = Daemon(app, clock)
    year = Year(app, world, clock, daemon.run_pass)
    try:
        summary = year.play(max_rounds=200)
        yield Played(app, daemon, summary, relay, foreign_mail_left_alone(dovecot))
    finally:
        year.postman.close()
        app.close()


# Every recorded step, in order (a run of weekly digests shown once).
EXPECTED_EVENTS = [
    "campaign_started",
    "topics_requested",
    "topics_received",
    "topics_received",
    "topics_received",
    "topics_received",  # the late unit head, after the reminder
    "catalogue_sent",
    "catalogue_confirmed",
    *["inquiry_sent"] * 6,
    "inquiry_undeliverable",  # the relay refused widmo's address with 550
    "quote_received",  # offer form
    "quote_received",  # PDF
    "inquiry_declined",
    "quote_corrected",
    "inquiry_reminded",
    "inquiry_reminded",
    "quote_received",  # plain text after the reminder
    "comparison_sent",  # at the deadline, once, after the daemon came back
    "comparison_approved",
    "quote_received",  # the late vendor
    "procurement_started",
    "contract_recorded",
    "questionnaire_received",
    "questionnaire_returned",
    "questionnaire_received",
    "questionnaire_accepted",
    "digest_sent",
    "progress_reported",
    "behind_schedule_warning",
    "digest_sent",
    "progress_reported",
    "results_received",
    "memo_sent",
    "memo_approved",  # coordinator
    "memo_sent",
    "memo_approved",  # OS manager
    "memo_sent",
    "memo_returned",  # the Plenipotentiary returns it once
    "memo_sent",
    "quarantine_reported",  # the forged approval from another address
    "memo_approved",  # OS manager again
    "memo_sent",
    "memo_approved",  # Plenipotentiary
    "memo_sent",
    "memo_approved",  # Mayor
    "audit_order_drafted",
    "audit_ordered",
    "action_recorded",
    "action_recorded",
    "results_published",
    "action_done",
    "action_done",
]


def parse(raw: bytes) -> EmailMessage:
    return cast(EmailMessage, email.message_from_bytes(raw, policy=default_policy))


def attachment_names(message: Message) -> tuple[str, ...]:
    return tuple(part.get_filename() or "" for part in message.walk() if part.get_filename())


def attachment_data(message: EmailMessage) -> list[bytes]:
    data = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        data.append(payload if isinstance(payload, bytes) else b"")
    return data


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def collapse_runs(actions: list[str], action: str) -> list[str]:
    return [a for i, a in enumerate(actions) if not (a == action and i and actions[i - 1] == a)]


class Mail:
    """What mailflow wrote: (recipient, attachments) per subject, with the token tag cut off."""

    def __init__(self, rows: list[models.OutboxMessage]) -> None:
        self.rows = rows
        self.asked: set[str] = set()

    def explained(self, row: models.OutboxMessage) -> bool:
        return any(row.subject.startswith(start) for start in self.asked)

    def to(self, subject_start: str, status: str = "sent") -> list[tuple[str, tuple[str, ...]]]:
        self.asked.add(subject_start)
        return [
            (row.recipients[0], attachment_names(parse(row.raw)))
            for row in self.rows
            if row.subject.startswith(subject_start) and row.status == status
        ]

    def recipients(self, subject_start: str) -> list[str]:
        return [rcpt for rcpt, _files in self.to(subject_start)]


def test_it_runs_a_whole_campaign_year_over_real_mail_servers(
    played: Played,
) -> None:
    app, daemon, summary, relay = played.app, played.daemon, played.summary, played.relay
    assert summary.finished and summary.steps_done == list(range(8))
    with app.sessions() as session:
        campaign = session.scalars(select(models.Campaign)).one()
        events = session.scalars(select(models.Event).order_by(models.Event.id)).all()
        outbox = list(
            session.scalars(select(models.OutboxMessage).order_by(models.OutboxMessage.id))
        )
        quotes = session.scalars(select(models.QuoteRecord).order_by(models.QuoteRecord.id)).all()
        inquiries = {i.vendor_key: i for i in session.scalars(select(models.Inquiry))}
        quarantine = session.scalars(select(models.QuarantineEntry)).all()
        messages = session.scalars(select(models.Message)).all()
        quarantined = [session.get(models.Message, q.message_id) for q in quarantine]
        actions_done = session.scalars(select(models.CorrectiveAction)).all()
        deadline = daemon.offers_deadline()

    # The campaign went through every step and says so.
    assert (campaign.status, campaign.step) == ("finished", 7)
    assert campaign.contractor_key == script.CONTRACTOR
    assert campaign.contract_number == script.CONTRACT_NUMBER
    assert campaign.survey_term == script.SURVEY_TERM

    # Every recorded step, in order, with who did it and from which message.
    actions = [e.action for e in events]
    assert collapse_runs(actions, "digest_sent") == EXPECTED_EVENTS
    for event in events:
        if event.via == "email":
            assert event.message_id_header, event.action
            assert event.actor not in ("system", script.INTRUDER.email), event.action
        elif event.via == "web":
            assert event.actor == COORDINATOR
    approvers = [e.actor for e in events if e.action in ("memo_approved", "memo_returned")]
    assert approvers == [
        COORDINATOR,
        OS_MANAGER,
        PLENIPOTENTIARY,
        OS_MANAGER,
        PLENIPOTENTIARY,
        MAYOR,
    ]

    mail = Mail(outbox)
    # Step 0: the call for topics with its form, one reminder to the late unit head.
    assert mail.to("Prośba o zgłoszenie zagadnień") == [
        (c, ("Formularz_zagadnien_2027.docx", "termin.ics")) for c in CONTRIBUTORS
    ]
    assert mail.recipients("Przypomnienie: zagadnienia") == ["robert.mazur@um.example.pl"]
    assert sorted(mail.recipients("Potwierdzenie: zagadnienia")) == sorted(CONTRIBUTORS)
    assert mail.to("Katalog zagadnień 2027 – do zatwierdzenia") == [
        (COORDINATOR, ("Katalog_zagadnien_2027.docx",))
    ]
    # Step 1: six inquiries with the offer form; the relay refused one address for good.
    assert mail.to("Zapytanie o cenę") == [
        (VENDOR[k], INQUIRY_FILES) for k in ("kwadrant", "sonda", "datapol", "ankietix", "opinia")
    ]
    assert mail.to("Zapytanie o cenę", status="failed") == [(BOUNCING[2], INQUIRY_FILES)]
    failed = next(row for row in outbox if row.status == "failed")
    assert "550" in (failed.last_error or "")
    assert inquiries["widmo"].status == "bounced"
    assert inquiries["ankietix"].status == "declined"
    # Reminders went once each, before the deadline; none again after the downtime.
    reminded = mail.recipients("Przypomnienie: zapytanie o cenę")
    assert reminded == [VENDOR["datapol"], VENDOR["opinia"]]
    assert Counter(e.details["vendor"] for e in events if e.action == "inquiry_reminded") == {
        "datapol": 1,
        "opinia": 1,
    }
    assert sorted(mail.recipients("Potwierdzenie otrzymania oferty")) == sorted(
        [VENDOR["kwadrant"], VENDOR["sonda"], VENDOR["sonda"], VENDOR["datapol"], VENDOR["opinia"]]
    )
    assert mail.recipients("Potwierdzenie: rezygnacja") == [VENDOR["ankietix"]]
    # The daemon was down across the offer deadline: the comparison went once, on return.
    assert daemon.skipped > 0 and deadline is not None
    assert mail.to("Zestawienie ofert") == [(OS_MANAGER, ("Zestawienie_ofert_2027.docx",))]
    (comparison,) = [e for e in events if e.action == "comparison_sent"]
    assert utc(comparison.at) >= deadline + DOWN_FOR
    assert comparison.details["offers"] == 3
    # The correction superseded the PDF quote; the late vendor's quote is kept, marked late.
    by_vendor: dict[str, list[models.QuoteRecord]] = {}
    for quote in quotes:
        by_vendor.setdefault(quote.vendor_key, []).append(quote)
    first, correction = by_vendor["sonda"]
    assert (first.source, first.superseded_by_id) == ("pdf", correction.id)
    assert (str(correction.net), correction.superseded_by_id) == ("11900.00", None)
    assert [(q.source, str(q.net)) for q in by_vendor["kwadrant"]] == [("offer_form", "11500.00")]
    assert [(q.source, str(q.net)) for q in by_vendor["datapol"]] == [("body", "13900.00")]
    (late,) = by_vendor["opinia"]
    assert late.late and not any(q.late for q in quotes if q is not late)
    assert utc(late.received_at) > deadline
    assert mail.recipients("Potwierdzenie otrzymania oferty złożonej po terminie") == [
        VENDOR["opinia"]
    ]
    assert mail.recipients("Oferta po terminie: opinia") == [COORDINATOR]
    # Step 2: the catalogue and the letter go to the contractor.
    assert mail.to("Katalog zagadnień i termin badania") == [
        (
            VENDOR["kwadrant"],
            ("Pismo_do_wykonawcy_2027.docx", "Katalog_zagadnien_2027.docx", "termin.ics"),
        )
    ]
    # Step 3: version 1 returned with the comment, version 2 accepted and sent back.
    assert mail.to("Projekt kwestionariusza 2027 (wersja 1)") == [
        (COORDINATOR, ("Kwestionariusz_v1.docx",))
    ]
    assert mail.recipients("Kwestionariusz – uwagi do poprawy") == [VENDOR["kwadrant"]]
    assert mail.to("Projekt kwestionariusza 2027 (wersja 2)") == [
        (COORDINATOR, ("Kwestionariusz_v2.docx",))
    ]
    assert mail.to("Kwestionariusz zaakceptowany") == [
        (VENDOR["kwadrant"], ("Kwestionariusz_v2.docx", "termin.ics"))
    ]
    # Step 4: behind schedule warns the three who monitor; weekly digests to the same three.
    monitors = [COORDINATOR, OS_MANAGER, BOK_MANAGER]
    assert mail.recipients("Ostrzeżenie: opóźnienie") == monitors
    digests = mail.recipients("Tygodniowe podsumowanie")
    assert digests and Counter(digests) == {m: len(digests) // 3 for m in monitors}
    # Step 5: the memo along the chain, one step back after the return.
    assert mail.to("Wyniki badania satysfakcji klientów 2027 – do akceptacji") == [
        (r, MEMO)
        for r in (COORDINATOR, OS_MANAGER, PLENIPOTENTIARY, OS_MANAGER, PLENIPOTENTIARY, MAYOR)
    ]
    memos = [parse(row.raw) for row in outbox if row.purpose == "memo"]
    returned_to_manager = memos[3].get_body(("plain",))
    assert returned_to_manager is not None
    assert "porównanie z 2026" in returned_to_manager.get_content()
    # Version 2 of the memo records what version 1 was returned for.
    assert "porównanie z 2026" not in docx_text(attachment_data(memos[0])[0])
    assert "porównanie z 2026" in docx_text(attachment_data(memos[3])[0])
    # The forged approval: quarantined with the reason, the coordinator told.
    assert [m.from_addr for m in quarantined if m is not None] == [script.INTRUDER.email]
    assert script.INTRUDER.email in quarantine[0].reason
    assert PLENIPOTENTIARY in quarantine[0].reason
    assert mail.recipients("Wiadomość wymaga decyzji (kwarantanna)") == [COORDINATOR]
    # Step 6: the audit order drafted for the Plenipotentiary, then to the team; two actions.
    assert mail.to("Projekt polecenia auditu") == [
        (PLENIPOTENTIARY, ("Polecenie_auditu_2027.docx",))
    ]
    assert mail.to("Polecenie przeprowadzenia auditu") == [
        ("zsz@um.example.pl", ("Polecenie_auditu_2027.docx",))
    ]
    assert mail.recipients("Działanie nr 1 do wykonania") == ["zsz@um.example.pl"]
    assert mail.recipients("Działanie nr 2 do wykonania") == ["zsz@um.example.pl"]
    assert mail.recipients("Potwierdzenie: działania wykonane") == ["zsz@um.example.pl"]
    assert sorted(a.kind for a in actions_done) == ["corrective", "preventive"]
    assert all(a.done_at is not None for a in actions_done)
    # Step 7: the Plenipotentiary chose BIP; the publication goes out.
    assert mail.recipients("Publikacja wyników") == [PLENIPOTENTIARY]
    publication = ("Publikacja_wynikow_2027.docx", "Publikacja_wynikow_2027.html")
    assert mail.to("Potwierdzenie: publikacja wyników") == [
        (PLENIPOTENTIARY, publication),
        (COORDINATOR, publication),
    ]
    published = next(e for e in events if e.action == "results_published")
    assert published.details["place"] == "BIP"

    # Each accepted decision is confirmed back to whoever made it.
    assert mail.recipients("Potwierdzenie: katalog zagadnień") == [COORDINATOR]
    assert mail.recipients("Potwierdzenie: zestawienie ofert") == [OS_MANAGER]
    assert mail.recipients("Decyzja Kierownika OS") == [COORDINATOR]
    assert mail.recipients("Potwierdzenie: kwestionariusz") == [COORDINATOR, COORDINATOR]
    assert mail.recipients("Potwierdzenie: informacja o wynikach") == [
        COORDINATOR,
        OS_MANAGER,
        PLENIPOTENTIARY,
        OS_MANAGER,
        PLENIPOTENTIARY,
        MAYOR,
    ]
    assert mail.recipients("Potwierdzenie: projekt polecenia auditu") == [PLENIPOTENTIARY]
    # ... and nothing else was sent than what is asserted above.
    unexplained = [row.subject for row in outbox if not mail.explained(row)]
    assert unexplained == []

    # The shared mailbox: the newsletter was never downloaded, archived or marked read.
    assert played.foreign == [(FOREIGN_SUBJECT, ())]
    assert FOREIGN_SENDER not in {m.from_addr for m in messages}

    # Every e-mail carries the case tag; every one sent reached the relay exactly once.
    assert all("[IN13-2027-" in row.subject for row in outbox)
    ours = Counter(parse(m.data)["Message-ID"] for m in relay.accepted if m.mail_from == OFFICE)
    sent = [row for row in outbox if row.status == "sent"]
    assert {row.message_id_header: 1 for row in sent} == dict(ours)
    assert {row.status for row in outbox} == {"sent", "failed"}
    assert summary.sent == len(sent) and summary.quarantined == 1


def test_a_daemon_down_past_reminder_and_deadline_sends_no_stale_reminder(
    tmp_path: Path, database_url: str
) -> None:
    """Down from before the reminder until after the deadline: no "please answer by" mail
    for a date already gone, and with no offer at all the coordinator is told instead of
    the OS manager getting a comparison of nothing."""
    config = load_config(
        write_config(tmp_path, {("database", "url"): f'"{database_url}"'}), env=TEST_ENV
    )
    clock = FakeClock(START)
    app = open_app(config, clock=clock, upgrade=True)
    try:
        with transaction(app.sessions) as session:
            campaign = procedure.start_campaign(app, session, 2027, "cli", "cli")
            campaign.step = procedure.STEP_INQUIRY
            procedure.send_inquiries(app, session, campaign)
        clock.advance(timedelta(days=40))
        run_due(app)
        run_due(app)  # the next pass finds nothing more to do
        with app.sessions() as session:
            subjects = list(session.scalars(select(models.OutboxMessage.subject)))
            actions = list(session.scalars(select(models.Event.action)))
    finally:
        app.close()
    assert not [s for s in subjects if s.startswith("Przypomnienie")]
    assert not [s for s in subjects if s.startswith("Zestawienie ofert")]
    assert sum(s.startswith("Brak ofert w terminie") for s in subjects) == 1
    assert actions.count("offers_missing") == 1
    assert "inquiry_reminded" not in actions and "comparison_sent" not in actions
