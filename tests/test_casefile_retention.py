"""Retention over eleven simulated years (campaigns 2016-2026), built through the models.

Each year's campaign runs January to June with mail in steps 0, 1 and 2 and a document; the
clock then moves on. 2019 keeps a corrective action open, 2020 an audit order undecided and
2026 is still running. What ``mailflow retention`` lists, and what a disposal refuses, is
checked against the periods of the default file plan: 0543 B5, 272 B5, 273 B10.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mailflow.app import App, check_archive, open_app, store_file
from mailflow.casefile.retention import dispose, listing
from mailflow.cli import main
from mailflow.clock import FakeClock
from mailflow.config import JrwaClass, load_config
from mailflow.db import models
from mailflow.errors import UserError
from tests.configs import TEST_ENV, write_config

YEARS = range(2016, 2027)
OPEN_ACTION_YEAR, OPEN_AUDIT_YEAR, RUNNING_YEAR = 2019, 2020, 2026


def raw_message(year: int, number: int, sender: str, subject: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Jan Oferent <{sender}>"
    message["To"] = "ankieta@um.example.pl"
    message["Subject"] = subject
    message["Date"] = f"Mon, 02 Feb {year} 10:00:00 +0100"
    message["Message-ID"] = f"<m{year}.{number}@example.pl>"
    message["Received"] = "from mx.example.pl (203.0.113.7)"
    message.set_content(f"Treść z danymi osobowymi: PESEL 8001011234{number}, tel. 600100200.")
    if number == 1:
        message.add_attachment(
            b"oferta " + str(year).encode(),
            maintype="application",
            subtype="pdf",
            filename="oferta.pdf",
        )
    return message.as_bytes()


def play_year(app: App, clock: FakeClock, year: int) -> None:
    """One campaign, as the procedure leaves it: rows, archived mail, a document."""
    clock.set(datetime(year, 1, 15, 8, 0, tzinfo=UTC))
    with app.sessions() as session:
        campaign = models.Campaign(
            year=year,
            case_ref=f"OS.0543.3.{year}",
            step=0,
            status="active",
            started_at=clock.now(),
            data={},
        )
        session.add(campaign)
        session.flush()
        for number, step in enumerate((0, 1, 1, 2)):
            raw = raw_message(year, number, "oferty@kwadrant.example.pl", f"Krok {step}")
            digest = store_file(app, session, raw)
            message = models.Message(
                message_id_header=f"<m{year}.{number}@example.pl>",
                sha256=digest,
                size=len(raw),
                received_at=clock.now(),
                folder="INBOX",
                from_addr="oferty@kwadrant.example.pl",
                subject=f"Krok {step}",
                status="processed",
                campaign_id=campaign.id,
                step=step,
            )
            session.add(message)
            session.flush()
            if number == 1:
                attachment = b"oferta " + str(year).encode()
                session.add(
                    models.Attachment(
                        message_id=message.id,
                        filename="oferta.pdf",
                        content_type="application/pdf",
                        size=len(attachment),
                        sha256=store_file(app, session, attachment),
                    )
                )
        for number, step in enumerate((1, 5)):
            session.add(
                models.OutboxMessage(
                    message_id_header=f"<o{year}.{number}@um.example.pl>",
                    campaign_id=campaign.id,
                    step=step,
                    purpose="inquiry",
                    recipients=["oferty@kwadrant.example.pl"],
                    subject="Zapytanie o cenę",
                    raw=raw_message(year, 10 + number, "ankieta@um.example.pl", "Zapytanie"),
                    status="sent",
                    created_at=clock.now(),
                    sent_at=clock.now(),
                )
            )
        session.add(
            models.Document(
                campaign_id=campaign.id,
                kind="zapytanie_o_cene",
                filename=f"Zapytanie_o_cene_{year}.docx",
                sha256=store_file(app, session, f"docx {year}".encode()),
                created_at=clock.now(),
            )
        )
        if year == OPEN_ACTION_YEAR:
            session.add(
                models.CorrectiveAction(
                    campaign_id=campaign.id,
                    kind="corrective",
                    description="Skrócić czas oczekiwania",
                    owner="Kierownik OS",
                    due_on=date(year, 9, 30),
                )
            )
        if year == OPEN_AUDIT_YEAR:
            session.add(
                models.Approval(
                    campaign_id=campaign.id,
                    item="audit",
                    position=0,
                    role="plenipotentiary",
                    party="elzbieta.sowa@um.example.pl",
                )
            )
        if year != RUNNING_YEAR:
            clock.set(datetime(year, 6, 30, 14, 0, tzinfo=UTC))
            campaign.status, campaign.step, campaign.finished_at = "finished", 7, clock.now()
        session.commit()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2016, 1, 1, tzinfo=UTC))


@pytest.fixture
def app(tmp_path: Path, database_url: str, clock: FakeClock) -> Iterator[App]:
    path = write_config(tmp_path, {("database", "url"): f'"{database_url}"'})
    config = load_config(path, env=TEST_ENV)
    application = open_app(config, clock=clock, upgrade=True)
    for year in YEARS:
        play_year(application, clock, year)
    yield application
    application.close()


def states(app: App) -> dict[str, str]:
    with app.sessions() as session:
        return {row.item: row.state for row in listing(app, session)}


def due(app: App) -> set[str]:
    return {item for item, state in states(app).items() if state in ("due", "needs_assessment")}


def test_each_year_lists_what_may_go_from_1_january_after_the_period(
    app: App, clock: FakeClock
) -> None:
    # Walk the years after the last campaign: B5 of a case closed in Y goes on 1 January Y+6,
    # B10 on 1 January Y+11; 2019 and 2020 stay (open work), 2026 has not closed.
    blocked = {f"{y}:{c}" for y in (OPEN_ACTION_YEAR, OPEN_AUDIT_YEAR) for c in ("0543", "272")}
    blocked |= {f"{y}:273" for y in (OPEN_ACTION_YEAR, OPEN_AUDIT_YEAR)}
    for today in range(2021, 2038):
        clock.set(datetime(today, 1, 1, 0, 30, tzinfo=UTC))
        expected = {
            f"{y}:{c}"
            for y in YEARS
            if y not in (OPEN_ACTION_YEAR, OPEN_AUDIT_YEAR, RUNNING_YEAR)
            for c, years in (("0543", 5), ("272", 5), ("273", 10))
            if y + 1 + years <= today
        }
        assert due(app) == expected, today
        listed = states(app)
        assert {i for i, s in listed.items() if s == "blocked"} == blocked, today
        assert {i for i, s in listed.items() if s == "open"} == {
            f"{RUNNING_YEAR}:{c}" for c in ("0543", "272", "273")
        }


def test_the_period_ends_at_midnight_in_warsaw_not_in_utc(app: App, clock: FakeClock) -> None:
    clock.set(datetime(2021, 12, 31, 22, 30, tzinfo=UTC))  # 23:30 in Warsaw
    assert due(app) == set()
    clock.set(datetime(2021, 12, 31, 23, 30, tzinfo=UTC))  # 00:30 on 1 January in Warsaw
    assert due(app) == {"2016:0543", "2016:272"}


def test_a_disposal_keeps_the_rows_and_headers_and_removes_the_content(
    app: App, clock: FakeClock
) -> None:
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    with app.sessions() as session:
        counts_before = [
            session.scalar(select(func.count()).select_from(table))
            for table in (models.Message, models.Attachment, models.OutboxMessage, models.Document)
        ]
        old = {
            m.id: m.sha256
            for m in session.scalars(select(models.Message).join(models.Campaign)).all()
        }
    print(dispose(app, "2016:272", actor="anna.wrona@um.example.pl"))
    with app.sessions() as session:
        counts_after = [
            session.scalar(select(func.count()).select_from(table))
            for table in (models.Message, models.Attachment, models.OutboxMessage, models.Document)
        ]
        campaign = session.scalars(
            select(models.Campaign).where(models.Campaign.year == 2016)
        ).one()
        messages = session.scalars(
            select(models.Message).where(models.Message.campaign_id == campaign.id)
        ).all()
        event = session.scalars(
            select(models.Event).where(models.Event.action == "records_disposed")
        ).one()
        outbox = session.scalars(
            select(models.OutboxMessage).where(models.OutboxMessage.campaign_id == campaign.id)
        ).all()
    assert counts_after == counts_before
    for message in messages:
        text = app.archive.get(message.sha256).decode()
        parsed = message_from_bytes(app.archive.get(message.sha256), policy=policy.default)
        if message.step == 1:  # class 272: reduced to its skeleton, the old file gone
            assert message.sha256 != old[message.id]
            assert not app.archive.exists(old[message.id])
            assert "PESEL" not in text and "203.0.113.7" not in text
            assert parsed["Subject"] == "Krok 1" and parsed["Message-ID"]
            assert "X-Mailflow-Disposed" in parsed
        else:  # 0543 and 273 wait for their own periods
            assert message.sha256 == old[message.id] and "PESEL" in text
    assert [b"PESEL" in o.raw for o in sorted(outbox, key=lambda o: o.step or 0)] == [False, True]
    assert event.actor == "anna.wrona@um.example.pl" and event.details["class"] == "272"
    assert len(event.details["messages"]) == 2 and event.campaign_id == campaign.id
    report = check_archive(app, verify=True)
    assert report.ok, report
    assert states(app)["2016:272"] == "disposed"
    with pytest.raises(UserError, match="disposed of on 2027-03-01"):
        dispose(app, "2016:272", actor="cli")


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ("2022:272", "kept until 2028-01-01"),
        ("2017:273", "kept until 2028-01-01"),
        ("2019:272", "corrective action 1"),
        ("2020:0543", "audit order"),
        ("2026:0543", "not closed yet"),
        ("2031:272", "no campaign of 2031"),
        ("2016-272", "write YEAR:CLASS"),
    ],
)
def test_a_disposal_is_refused_before_its_time_or_while_work_is_open(
    app: App, clock: FakeClock, item: str, reason: str
) -> None:
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    with app.sessions() as session:
        before = {m.id: m.sha256 for m in session.scalars(select(models.Message)).all()}
    with pytest.raises(UserError, match=reason):
        dispose(app, item, actor="cli")
    with app.sessions() as session:
        assert {m.id: m.sha256 for m in session.scalars(select(models.Message)).all()} == before
        assert (
            session.scalar(select(func.count()).where(models.Event.action == "records_disposed"))
            == 0
        )


def test_category_a_is_never_listed_and_be_needs_the_archives_assessment(
    app: App, clock: FakeClock
) -> None:
    records = dataclasses.replace(
        app.config.records,
        classes={
            **app.config.records.classes,
            "0543": JrwaClass("0543", "Badania", "BE5"),
            "273": JrwaClass("273", "Umowy", "A"),
        },
    )
    app.config = dataclasses.replace(app.config, records=records)
    clock.set(datetime(2040, 1, 1, 9, 0, tzinfo=UTC))
    listed = states(app)
    assert {i for i, s in listed.items() if i.endswith(":273")} == {f"{y}:273" for y in YEARS}
    assert all(listed[f"{y}:273"] in ("permanent", "open") for y in YEARS)
    assert listed["2016:0543"] == "needs_assessment"
    with pytest.raises(UserError, match="assessment"):
        dispose(app, "2016:0543", actor="cli")
    with pytest.raises(UserError, match="category A"):
        dispose(app, "2016:273", actor="cli")
    assert "reduced to their headers" in dispose(
        app, "2016:0543", actor="cli", assessment="AP.4231.12.2039"
    )


def test_the_command_refuses_a_disposal_without_confirm_in_one_line(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in TEST_ENV.items():
        monkeypatch.setenv(key, value)
    config = str(app.config.path)
    assert main(["retention", "dispose", "2016:272", "--config", config]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--confirm" in err
    assert main(["retention", "--json", "--config", config]) == 0
