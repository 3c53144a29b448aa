"""A silent approver: the reminder, then the escalation to the deputy of ``[roles.deputies]``.

The results memo waits for the Mayor from Thursday 20 May 2027; Corpus Christi (Thursday
27 May 2027) is a Polish public holiday, so with ``approval_days = 5`` and
``escalate_after_days = 3`` (config.example.toml) the reminder is due at the end of Friday
28 May and the escalation at the end of Wednesday 2 June, one working day later than a
calendar of weekends alone would say. Replies go through intake (``tests.mailroom``); the
outbox is only inspected, so these run without the mail rig, on both databases. Defects found
while writing them are strict xfails, as in ``tests.test_hostile_users``.
"""

# The app fixture comes from test_procedure by import; pytest passes it in by name.
# ruff: noqa: F811

from __future__ import annotations

import email
import tempfile
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid
from functools import lru_cache
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mailflow import procedure
from mailflow.app import App, open_app, store_file
from mailflow.clock import FakeClock
from mailflow.config import ConfigError, load_config
from mailflow.db import models, transaction
from mailflow.demo import script
from mailflow.results import analyse_file
from mailflow.workdays import is_working_day
from tests.configs import TEST_ENV, write_config
from tests.mailroom import deliver
from tests.test_procedure import START, app, outbox, procedure_app, reply  # noqa: F401
from web_status.queries import routing, waiting_for

WARSAW = ZoneInfo("Europe/Warsaw")
COORDINATOR = "anna.wrona@um.example.pl"
OS_MANAGER = "tomasz.lis@um.example.pl"
PLENIPOTENTIARY = "elzbieta.sowa@um.example.pl"
MAYOR = "prezydent@um.example.pl"
DEPUTY = "piotr.zieba@um.example.pl"  # [roles.deputies] mayor = "piotr_zastepca"
INTRUDER = "intruz@example.net"
CORPUS_CHRISTI = date(2027, 5, 27)
MEMO_SENT = datetime(2027, 5, 20, 9, 0, tzinfo=WARSAW)
# A weekends-only calendar would remind at the end of 27 May and escalate at the end of 1 June.
BEFORE_REMINDER = datetime(2027, 5, 28, 12, 0, tzinfo=WARSAW)
AFTER_REMINDER = datetime(2027, 5, 29, 8, 0, tzinfo=WARSAW)
BEFORE_ESCALATION = datetime(2027, 6, 2, 12, 0, tzinfo=WARSAW)
AFTER_ESCALATION = datetime(2027, 6, 3, 8, 0, tzinfo=WARSAW)
REMINDER_SUBJECT = "Przypomnienie: informacja o wynikach badania czeka na decyzję"
ESCALATION_SUBJECT = "Zastępstwo: informacja o wynikach badania czeka na decyzję"


# ------------------------------------------------------------------------------ helpers


def clock_of(app: App) -> FakeClock:
    return cast(FakeClock, app.clock)


def set_clock(app: App, moment: datetime) -> None:
    # Stored datetimes must be UTC: SQLite keeps the wall time and drops the zone.
    clock_of(app).set(moment.astimezone(UTC))


def run_at(app: App, moment: datetime) -> int:
    set_clock(app, moment)
    return procedure.run_due(app)


@lru_cache(maxsize=1)
def survey_report() -> dict[str, Any]:
    """The demo contractor's data file, analysed once for the whole module."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wyniki_2027.xlsx"
        path.write_bytes(script.results_file())
        return cast(dict[str, Any], analyse_file(path, year=2027).to_json())


def memo_waiting_for_mayor(app: App) -> models.OutboxMessage:
    """A campaign at step 5 whose memo was just sent to the Mayor (no findings: publication
    follows the Mayor's approval)."""
    with transaction(app.sessions) as session:
        campaign = procedure.start_campaign(app, session, 2027, "cli", "cli")
        session.flush()
        # Only the Mayor's approval may be due in these tests: step 0's deadlines are closed.
        for deadline in session.scalars(select(models.Deadline)):
            deadline.done_at = app.clock.now()
        campaign.step = procedure.STEP_RESULTS
        session.add(
            models.SurveyResult(
                campaign_id=campaign.id,
                year=2027,
                created_at=app.clock.now(),
                report=survey_report(),
            )
        )
    set_clock(app, MEMO_SENT)
    with transaction(app.sessions) as session:
        campaign = procedure.campaign_for_year(session, 2027)
        procedure.route_memo(app, session, campaign, position=3, round_no=1)
    (row,) = outbox(app, "memo", MAYOR)
    return row


def escalated(app: App) -> tuple[models.OutboxMessage, models.OutboxMessage, models.OutboxMessage]:
    """The Mayor stays silent past the reminder and the escalation: the three e-mails."""
    original = memo_waiting_for_mayor(app)
    run_at(app, AFTER_REMINDER)
    run_at(app, AFTER_ESCALATION)
    _original, reminder = outbox(app, "memo", MAYOR)
    (escalation,) = outbox(app, "memo", DEPUTY)
    return original, reminder, escalation


def mayor_approval(app: App) -> models.Approval:
    with app.sessions() as session:
        approval = session.scalar(select(models.Approval).where(models.Approval.role == "mayor"))
    assert approval is not None
    return approval


def events(app: App) -> list[models.Event]:
    with app.sessions() as session:
        return list(session.scalars(select(models.Event).order_by(models.Event.id)))


def actions(app: App) -> list[str]:
    return [e.action for e in events(app)]


def subjects_to(app: App, address: str) -> list[str]:
    with app.sessions() as session:
        rows = session.scalars(select(models.OutboxMessage).order_by(models.OutboxMessage.id))
        return [r.subject for r in rows if address in r.recipients]


def body(row: models.OutboxMessage) -> str:
    message = cast(EmailMessage, email.message_from_bytes(row.raw, policy=default_policy))
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def reply_to(row: models.OutboxMessage) -> str:
    return row.raw.split(b"Reply-To: ")[1].split(b"\r\n")[0].decode()


def campaign_state(app: App) -> tuple[int, dict[str, Any]]:
    with app.sessions() as session:
        campaign = procedure.campaign_for_year(session, 2027)
        return campaign.step, dict(campaign.data)


# ------------------------------------------------- 1. reminder, then the deputy is asked


def test_a_silent_mayor_is_reminded_then_the_deputy_is_asked_after_polish_working_days(
    app: App,
) -> None:
    assert not is_working_day(CORPUS_CHRISTI)  # the calendar this test is built on
    original = memo_waiting_for_mayor(app)

    run_at(app, BEFORE_REMINDER)  # the holiday does not count: the Mayor has until Friday
    assert subjects_to(app, MAYOR) == [original.subject]
    run_at(app, AFTER_REMINDER)
    (reminder,) = [s for s in subjects_to(app, MAYOR) if s.startswith("Przypomnienie")]
    assert reminder.startswith(REMINDER_SUBJECT) and "[IN13-2027-WYN-" in reminder
    assert "approval_reminded" in actions(app)

    run_at(app, BEFORE_ESCALATION)  # 3 further working days: Mon 31 May, Tue 1, Wed 2 June
    assert subjects_to(app, DEPUTY) == []
    assert "approval_escalated" not in actions(app)
    run_at(app, AFTER_ESCALATION)

    (row,) = outbox(app, "memo", DEPUTY)
    assert row.recipients == [DEPUTY]
    assert row.subject.startswith(ESCALATION_SUBJECT)
    text = body(row)
    assert "Jan Kowalski (Prezydent Miasta) nie odpowiada na prośbę o decyzję w sprawie: " in text
    assert "informacja o wynikach badania" in text
    assert "ZATWIERDZAM" in text and "ZWRACAM" in text
    assert b"Informacja_o_wynikach_2027" in row.raw  # the memo itself goes with the request
    # A token of its own, bound to the deputy, in the subject tag and the Reply-To address.
    assert row.token and row.token != original.token
    assert f"[IN13-2027-WYN-{row.token}]" in row.subject
    assert reply_to(row) == f"ankieta+{row.token}@um.example.pl"
    with app.sessions() as session:
        token = session.get(models.Token, row.token)
        assert token is not None
        assert (token.party, token.purpose, token.used_at) == (DEPUTY, "memo", None)
    approval = mayor_approval(app)
    assert (approval.status, approval.escalated_to, approval.token) == (
        "waiting",
        DEPUTY,
        row.token,
    )
    (event,) = [e for e in events(app) if e.action == "approval_escalated"]
    assert event.details == {"role": "mayor", "deputy": DEPUTY}
    # The status page shows whom the campaign now waits for, and the escalation in the chain.
    with app.sessions() as session:
        campaign = procedure.campaign_for_year(session, 2027)
        waits = waiting_for(session, app.config, campaign)
        chain = routing(session, app.config, campaign)
    assert [(w["role"], w["what"], w["who"]) for w in waits] == [
        ("mayor", "approval:memo", "Piotr Zięba")
    ]
    (memo,) = [c for c in chain if c["item"] == "memo"]
    assert memo["chain"][0]["escalated_to"] == "Piotr Zięba"


# --------------------------------------------------------- 2. who may answer afterwards


def test_the_deputys_approval_is_accepted_and_the_results_move_on(app: App) -> None:
    original, _reminder, escalation = escalated(app)
    error = deliver(app, reply(escalation, f"Piotr Zięba <{DEPUTY}>", "ZATWIERDZAM"))
    assert error is None
    approval = mayor_approval(app)
    assert approval.status == "approved" and approval.decided_at is not None
    (decided,) = [e for e in events(app) if e.action == "memo_approved"]
    assert (decided.actor, decided.via, decided.details["role"]) == (DEPUTY, "email", "mayor")
    assert decided.message_id_header  # the deputy's own message is the evidence
    # No findings: the Plenipotentiary is asked how to publish; the deputy gets a receipt.
    step, data = campaign_state(app)
    assert step == procedure.STEP_PUBLICATION and data.get("publication_asked")
    assert [r.recipients for r in outbox(app, "publication")] == [[PLENIPOTENTIARY]]
    assert [r.subject.split(" [")[0] for r in outbox(app, "confirmation", DEPUTY)] == [
        "Potwierdzenie: informacja o wynikach badania"
    ]
    # The Mayor's own e-mails are spent now: a late answer is not a second decision.
    late = deliver(app, reply(original, f"Jan Kowalski <{MAYOR}>", "ZATWIERDZAM"))
    assert late is not None and "already used or its step is closed" in late
    assert len(outbox(app, "publication")) == 1


@pytest.mark.parametrize("answered", ["original", "reminder"])
def test_the_mayor_can_still_answer_instead_of_the_deputy(app: App, answered: str) -> None:
    original, reminder, escalation = escalated(app)
    row = original if answered == "original" else reminder
    error = deliver(app, reply(row, f"Jan Kowalski <{MAYOR}>", "ZATWIERDZAM"))
    assert error is None
    assert mayor_approval(app).status == "approved"
    (decided,) = [e for e in events(app) if e.action == "memo_approved"]
    assert decided.actor == MAYOR
    assert len(outbox(app, "publication")) == 1
    # The deputy, answering afterwards, does not decide a second time.
    late = deliver(app, reply(escalation, f"Piotr Zięba <{DEPUTY}>", "ZWRACAM\nBrak wykresu."))
    assert late is not None and "already used or its step is closed" in late
    assert mayor_approval(app).status == "approved"
    assert actions(app).count("memo_approved") == 1 and "memo_returned" not in actions(app)


# ----------------------------------------------------------- 3. nobody else is trusted


@pytest.mark.parametrize(
    ("answered", "sender"),
    [
        # Another official: the Plenipotentiary submitted the memo, she cannot approve it.
        ("escalation", f"Elżbieta Sowa <{PLENIPOTENTIARY}>"),
        ("escalation", f"Jan Nowak <{INTRUDER}>"),  # outside the office
        ("original", f"Tomasz Lis <{OS_MANAGER}>"),
        # A token is bound to whom it was sent: the deputy answers his own e-mail.
        ("original", f"Piotr Zięba <{DEPUTY}>"),
    ],
)
def test_a_decision_from_anybody_else_goes_to_the_quarantine(
    app: App, answered: str, sender: str
) -> None:
    original, _reminder, escalation = escalated(app)
    row = escalation if answered == "escalation" else original
    error = deliver(app, reply(row, sender, "ZATWIERDZAM"))
    party = DEPUTY if answered == "escalation" else MAYOR
    assert error is not None and f"is not {party}, to whom this step's e-mail was sent" in error
    assert mayor_approval(app).status == "waiting"
    assert outbox(app, "publication") == []
    assert "memo_approved" not in actions(app)
    with app.sessions() as session:
        assert len(session.scalars(select(models.QuarantineEntry)).all()) == 1
    procedure.run_due(app)  # the clock tells the coordinator about it, once
    procedure.run_due(app)
    notices = [s for s in subjects_to(app, COORDINATOR) if "(kwarantanna)" in s]
    assert len(notices) == 1


def test_a_spoofed_or_forwarded_deputy_approval_is_not_accepted(
    tmp_path: Path, database_url: str
) -> None:
    app = procedure_app(tmp_path, database_url, {"procedure.require_dmarc": "true"})
    try:
        _original, _reminder, escalation = escalated(app)
        # Anybody can write the deputy's address into From: without DMARC it is not him.
        spoofed = deliver(app, reply(escalation, f"Piotr Zięba <{DEPUTY}>", "ZATWIERDZAM"))
        assert spoofed is not None and "DMARC" in spoofed
        # The coordinator forwarding the deputy's "yes" is not the deputy's own message.
        forward = EmailMessage()
        forward["From"], forward["To"] = COORDINATOR, reply_to(escalation)
        forward["Subject"] = "Fwd: " + escalation.subject
        forward["Message-ID"] = make_msgid(domain="um.example.pl")
        forward.set_content(
            "Przesyłam decyzję zastępcy.\n\n"
            "---------- Forwarded message ---------\n"
            f"From: Piotr Zięba <{DEPUTY}>\n"
            "Date: Thu, 3 Jun 2027 at 09:00\n"
            f"Subject: Re: {escalation.subject}\n"
            f"To: <{reply_to(escalation)}>\n\n"
            "ZATWIERDZAM\n"
        )
        forwarded = deliver(app, forward.as_bytes())
        assert forwarded is not None and "forwarded" in forwarded
        assert mayor_approval(app).status == "waiting"
        assert outbox(app, "publication") == []
        # The deputy's real, authenticated reply is still good afterwards.
        passed = {
            "Authentication-Results": "mx.um.example.pl; dkim=pass header.d=um.example.pl; "
            "dmarc=pass header.from=um.example.pl"
        }
        error = deliver(app, reply(escalation, f"Piotr Zięba <{DEPUTY}>", "ZATWIERDZAM", passed))
        assert error is None
        assert mayor_approval(app).status == "approved"
    finally:
        app.close()


# ------------------------------------------------------ 4. a role without a deputy


def catalogue_waiting_for_coordinator(app: App) -> models.OutboxMessage:
    """The coordinator has no deputy in config.example.toml."""
    assert "coordinator" not in app.config.deputies
    with transaction(app.sessions) as session:
        campaign = procedure.start_campaign(app, session, 2027, "cli", "cli")
        session.add(
            models.Topic(
                campaign_id=campaign.id,
                title="Kolejki w BOK",
                source="own_observation",
                discussion="",
            )
        )
        session.flush()
        procedure.send_catalogue(app, session, campaign)
    (row,) = outbox(app, "catalogue")
    return row


def catalogue_deadline(app: App) -> models.Deadline:
    with app.sessions() as session:
        deadline = session.scalar(select(models.Deadline).where(models.Deadline.kind == "approval"))
    assert deadline is not None and deadline.escalate_at is not None
    return deadline


def test_a_role_without_a_deputy_is_not_escalated_and_the_coordinator_is_told(app: App) -> None:
    original = catalogue_waiting_for_coordinator(app)
    escalate_at = procedure.utc(catalogue_deadline(app).escalate_at or START)
    # Friday 15 January + 5 working days = 22 January, + 3 = Wednesday 27 January.
    assert escalate_at.astimezone(WARSAW).date() == date(2027, 1, 27)
    for moment in (
        datetime(2027, 1, 23, 8, 0, tzinfo=WARSAW),
        datetime(2027, 1, 28, 8, 0, tzinfo=WARSAW),
        datetime(2027, 1, 29, 8, 0, tzinfo=WARSAW),
    ):
        run_at(app, moment)
    with app.sessions() as session:
        everyone = [r.recipients[0] for r in session.scalars(select(models.OutboxMessage))]
    assert not [s for s in subjects_to(app, COORDINATOR) if s.startswith("Zastępstwo")]
    os_manager = app.config.person_for("os_manager").email
    assert set(everyone) <= {
        COORDINATOR,
        os_manager,  # told, since the silent one is the coordinator herself
        "ewa.kruk@um.example.pl",
        "marek.sikora@um.example.pl",
        "halina.nowak@um.example.pl",
        "robert.mazur@um.example.pl",
    }  # the topics requests of step 0 and the coordinator's mail, nobody else
    notices = [s for s in subjects_to(app, COORDINATOR) if s.startswith("Brak decyzji")]
    assert len(notices) == 1 and notices[0].startswith("Brak decyzji – brak zastępcy")
    told = [s for s in subjects_to(app, os_manager) if s.startswith("Brak decyzji")]
    assert len(told) == 1 and told[0].startswith("Brak decyzji – brak zastępcy")  # own token
    assert "approval_escalated" not in actions(app)
    with app.sessions() as session:
        approval = session.scalar(
            select(models.Approval).where(models.Approval.item == "catalogue")
        )
        assert approval is not None
        assert (approval.status, approval.escalated_to) == ("waiting", None)
        campaign = procedure.campaign_for_year(session, 2027)
        waits = waiting_for(session, app.config, campaign)
    assert [(w["role"], w["what"], w["who"]) for w in waits] == [
        ("coordinator", "approval:catalogue", "Anna Wrona")
    ]
    # Nobody else was made able to decide: the coordinator still can, on the first e-mail.
    error = deliver(app, reply(original, f"Anna Wrona <{COORDINATOR}>", "ZATWIERDZAM"))
    assert error is None
    assert "catalogue_confirmed" in actions(app)


def test_a_missing_deputy_is_recorded_in_the_event_log(app: App) -> None:
    catalogue_waiting_for_coordinator(app)
    run_at(app, datetime(2027, 1, 28, 8, 0, tzinfo=WARSAW))
    recorded = [e for e in events(app) if "escalat" in e.action]
    assert len(recorded) == 1
    assert recorded[0].details.get("role") == "coordinator"
    assert recorded[0].details.get("item") == "catalogue"


def test_the_missing_deputy_notice_is_in_polish(app: App) -> None:
    catalogue_waiting_for_coordinator(app)
    run_at(app, datetime(2027, 1, 28, 8, 0, tzinfo=WARSAW))
    (notice,) = [
        r for r in outbox(app, "notice", COORDINATOR) if r.subject.startswith("Brak decyzji")
    ]
    text = body(notice)
    assert "katalog zagadnień" in text and "koordynator" in text
    assert "catalogue" not in text and "coordinator " not in text


# ----------------------------------------------- 5. once only, on the Polish calendar


def test_the_escalation_is_sent_once_across_passes_and_restarts(app: App) -> None:
    escalated(app)
    for hours in (0, 1, 24 * 7):
        set_clock(app, AFTER_ESCALATION)
        clock_of(app).advance(timedelta(hours=hours))
        procedure.run_due(app)
    # The daemon restarts: a fresh App on the same database and archive.
    restarted = open_app(app.config, clock=app.clock, upgrade=True)
    try:
        procedure.run_due(restarted)
        procedure.run_due(restarted)
    finally:
        restarted.close()
    assert len(outbox(app, "memo", DEPUTY)) == 1
    assert len(outbox(app, "memo", MAYOR)) == 2  # the memo and one reminder
    assert actions(app).count("approval_escalated") == 1
    assert actions(app).count("approval_reminded") == 1
    with app.sessions() as session:
        (deadline,) = session.scalars(
            select(models.Deadline).where(models.Deadline.kind == "approval")
        ).all()
    assert deadline.escalated_at is not None and deadline.reminded_at is not None
    assert procedure.utc(deadline.escalated_at) == AFTER_ESCALATION.astimezone(UTC)


def test_a_daemon_down_across_reminder_and_escalation_escalates_once(app: App) -> None:
    memo_waiting_for_mayor(app)
    run_at(app, AFTER_ESCALATION)  # the first pass since the memo went out
    run_at(app, AFTER_ESCALATION)
    assert len(outbox(app, "memo", DEPUTY)) == 1
    assert actions(app).count("approval_escalated") == 1
    # Approvals are chased after their date on purpose, so the Mayor may get a (single)
    # reminder in the same pass; what matters is one of each.
    assert len(outbox(app, "memo", MAYOR)) <= 2


def test_deputies_must_name_configured_people(tmp_path: Path) -> None:
    path = write_config(tmp_path, {("roles.deputies", "mayor"): '"nikt_taki"'})
    with pytest.raises(ConfigError, match=r"roles\.deputies\.mayor"):
        load_config(path, env=TEST_ENV)


def test_a_role_holder_cannot_be_their_own_deputy(tmp_path: Path) -> None:
    path = write_config(tmp_path, {("roles.deputies", "mayor"): '"jan_prezydent"'})
    with pytest.raises(ConfigError, match=r"roles\.deputies\.mayor"):
        load_config(path, env=TEST_ENV)


# ------------------------------------------- the publication question, escalated


def test_an_escalated_publication_question_says_how_to_answer_it(app: App) -> None:
    _original, _reminder, escalation = escalated(app)
    assert deliver(app, reply(escalation, f"Piotr Zięba <{DEPUTY}>", "ZATWIERDZAM")) is None
    # The Plenipotentiary (deputy: the same Piotr Zięba) stays silent about publication.
    assert len(outbox(app, "publication")) == 1  # asked on Thursday 3 June
    run_at(app, datetime(2027, 6, 11, 8, 0, tzinfo=WARSAW))  # reminded at the end of 10 June
    run_at(app, datetime(2027, 6, 16, 8, 0, tzinfo=WARSAW))  # escalated at the end of 15 June
    (asked,) = outbox(app, "publication", DEPUTY)
    assert asked.subject.startswith("Zastępstwo: sposób publikacji wyników")
    # The e-mail asks for a place, as the Plenipotentiary's own question did, and doing what
    # it says works.
    assert "BIP" in body(asked) and "ZATWIERDZAM" not in body(asked)
    error = deliver(app, reply(asked, f"Piotr Zięba <{DEPUTY}>", "BIP"))
    assert error is None, error


def test_the_reminder_and_the_escalation_carry_the_document_first_sent(app: App) -> None:
    original = memo_waiting_for_mayor(app)
    # A newer document of the campaign must not take the memo's place in the chase.
    with transaction(app.sessions) as session:
        campaign = session.scalars(select(models.Campaign)).one()
        session.add(
            models.Document(
                campaign_id=campaign.id,
                kind="polecenie_auditu",
                filename="Polecenie_auditu_2027.docx",
                sha256=store_file(app, session, b"PK a newer document"),
                created_at=app.clock.now(),
            )
        )
    run_at(app, AFTER_REMINDER)
    run_at(app, AFTER_ESCALATION)
    _original, reminder = outbox(app, "memo", MAYOR)
    (escalation,) = outbox(app, "memo", DEPUTY)

    def files(row: models.OutboxMessage) -> list[tuple[str | None, object]]:
        message = cast(EmailMessage, email.message_from_bytes(row.raw, policy=default_policy))
        return [(p.get_filename(), p.get_payload(decode=True)) for p in message.iter_attachments()]

    assert files(original) and files(reminder) == files(original)
    assert files(escalation) == files(original)


def test_a_reminder_of_a_returned_round_cannot_approve_the_next_one(app: App) -> None:
    original = memo_waiting_for_mayor(app)
    run_at(app, AFTER_REMINDER)
    _original, old_reminder = outbox(app, "memo", MAYOR)
    # The Mayor returned round 1 on the first e-mail; round 2 reaches him later.
    assert (
        deliver(app, reply(original, f"Jan Kowalski <{MAYOR}>", "ZWRACAM\nPopraw wykres.")) is None
    )
    with transaction(app.sessions) as session:
        for approval in session.scalars(
            select(models.Approval).where(models.Approval.status == "waiting")
        ):
            approval.status = "returned"  # the chain back to the Mayor, taken as done
    set_clock(app, AFTER_REMINDER + timedelta(days=3))
    with transaction(app.sessions) as session:
        procedure.route_memo(
            app, session, procedure.campaign_for_year(session, 2027), position=3, round_no=2
        )
    newest = outbox(app, "memo", MAYOR)[-1]

    stale = deliver(app, reply(old_reminder, f"Jan Kowalski <{MAYOR}>", "ZATWIERDZAM"))

    assert stale is not None and "earlier version" in stale
    assert deliver(app, reply(newest, f"Jan Kowalski <{MAYOR}>", "ZATWIERDZAM")) is None


def test_when_the_deputy_is_silent_too_the_coordinator_and_os_manager_are_told_once(
    app: App,
) -> None:
    escalated(app)  # the deputy asked on Thursday 3 June (Corpus Christi), in the morning
    coordinator = app.config.person_for("coordinator").email
    os_manager = app.config.person_for("os_manager").email
    # 3 working days from the holiday: Friday 4, Monday 7, Tuesday 8 June, at its end.
    run_at(app, datetime(2027, 6, 8, 12, 0, tzinfo=WARSAW))
    assert not [s for s in subjects_to(app, coordinator) if "także od zastępcy" in s]

    for _ in range(2):
        run_at(app, datetime(2027, 6, 9, 8, 0, tzinfo=WARSAW))

    for person in (coordinator, os_manager):
        told = [s for s in subjects_to(app, person) if s.startswith("Brak decyzji – także od")]
        assert len(told) == 1
    assert actions(app).count("approval_stalled") == 1
