"""Attacks a hostile user or sender would try, and defects found in review (xfail until fixed).

Each xfail test fails today because of the defect its reason names and will flip to XPASS
(a failure, because strict) once the defect is fixed, so the marker must then be removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
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
from mailflow.mail.parse import parse_message
from tests.configs import TEST_ENV, write_config
from tests.mailroom import deliver

START = datetime(2027, 1, 15, 7, 0, tzinfo=UTC)
COORDINATOR = "anna.wrona@um.example.pl"
BOK_MANAGER = "ewa.kruk@um.example.pl"
OS_MANAGER = "tomasz.lis@um.example.pl"


def make_app(tmp_path: Path, changes: dict[tuple[str, str], str] | None = None) -> App:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    config = load_config(
        write_config(tmp_path, {("database", "url"): f'"{url}"', **(changes or {})}),
        env=TEST_ENV,
    )
    return open_app(config, clock=FakeClock(START), upgrade=True)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    application = make_app(tmp_path)
    yield application
    application.close()


def outbox(app: App, purpose: str) -> list[models.OutboxMessage]:
    with app.sessions() as session:
        return list(
            session.scalars(
                select(models.OutboxMessage)
                .where(models.OutboxMessage.purpose == purpose)
                .order_by(models.OutboxMessage.id)
            ).all()
        )


def reply_to(row: models.OutboxMessage) -> str:
    return row.raw.split(b"Reply-To: ")[1].split(b"\r\n")[0].decode()


def mail(
    sender: str,
    to: str,
    subject: str,
    text: str,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="um.example.pl")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    return message


def catalogue_sent(app: App) -> models.OutboxMessage:
    with transaction(app.sessions) as session:
        procedure.start_campaign(app, session, 2027, "cli", "cli")
        campaign = procedure.campaign_for_year(session, 2027)
        session.add(
            models.Topic(
                campaign_id=campaign.id, title="Kolejki", source="own_observation", discussion=""
            )
        )
        session.flush()
        procedure.send_catalogue(app, session, campaign)
    return outbox(app, "catalogue")[0]


def catalogue_confirmed(app: App) -> bool:
    with app.sessions() as session:
        approval = session.scalar(
            select(models.Approval).where(models.Approval.item == "catalogue")
        )
        assert approval is not None
        return approval.status != "waiting"


# ------------------------------------------------------------------ trust rules


def test_an_official_cannot_approve_for_another_by_typing_a_forward_header(app: App) -> None:
    row = catalogue_sent(app)
    body = (
        "Przesyłam dalej.\n\n"
        "---------- Forwarded message ---------\n"
        f"From: Anna Wrona <{COORDINATOR}>\n"
        "Date: Fri, 15 Jan 2027 at 09:00\n"
        f"Subject: Re: {row.subject}\n"
        f"To: <{reply_to(row)}>\n\n"
        "ZATWIERDZAM\n"
    )
    forged = mail(BOK_MANAGER, reply_to(row), "Fwd: " + row.subject, body)
    error = deliver(app, forged.as_bytes())
    assert error is not None, "the BOK manager's message was accepted as the coordinator's"
    assert not catalogue_confirmed(app)


@pytest.mark.parametrize(
    "text",
    [
        "Nie jestem pewna, czy zatwierdzam.",
        "Zatwierdzam dopiero po poprawkach.",
        "Proszę nie traktować tego jako ZATWIERDZAM.",
    ],
)
def test_a_hedged_approval_is_never_accepted(app: App, text: str) -> None:
    row = catalogue_sent(app)
    answer = mail(
        COORDINATOR,
        reply_to(row),
        "Re: " + row.subject,
        text,
        {"In-Reply-To": row.message_id_header, "References": row.message_id_header},
    )
    error = deliver(app, answer.as_bytes())
    assert error is not None
    assert not catalogue_confirmed(app)


def test_a_plain_approval_from_the_coordinator_is_accepted(app: App) -> None:
    row = catalogue_sent(app)
    answer = mail(COORDINATOR, reply_to(row), "Re: " + row.subject, "ZATWIERDZAM")
    assert deliver(app, answer.as_bytes()) is None
    assert catalogue_confirmed(app)


def test_a_vendor_cannot_smuggle_an_officials_approval_in_an_attached_eml(app: App) -> None:
    row = catalogue_sent(app)
    inner = mail(COORDINATOR, reply_to(row), "Re: " + row.subject, "ZATWIERDZAM")
    outer = mail("oferty@kwadrant.example.pl", reply_to(row), "Fwd: " + row.subject, "FYI")
    outer.add_attachment(inner)
    error = deliver(app, outer.as_bytes())
    assert error is not None and "kwadrant" in str(error)
    assert not catalogue_confirmed(app)


def test_a_forged_from_with_the_right_token_is_refused_when_dmarc_is_required(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path, {("procedure", "require_dmarc"): "true"})
    try:
        row = catalogue_sent(app)
        forged = mail(COORDINATOR, reply_to(row), "Re: " + row.subject, "ZATWIERDZAM")
        assert deliver(app, forged.as_bytes()) is not None
        assert not catalogue_confirmed(app)
    finally:
        app.close()


def test_a_token_of_another_persons_step_is_refused(app: App) -> None:
    row = catalogue_sent(app)
    answer = mail(OS_MANAGER, reply_to(row), "Re: " + row.subject, "ZATWIERDZAM")
    error = deliver(app, answer.as_bytes())
    assert error is not None and "is not anna.wrona" in str(error)
    assert not catalogue_confirmed(app)


def test_a_token_only_in_quoted_text_does_not_let_someone_else_decide(app: App) -> None:
    row = catalogue_sent(app)
    quoted = "\n".join("> " + line for line in row.subject.splitlines())
    answer = mail(OS_MANAGER, "ankieta@um.example.pl", "Pytanie", f"ZATWIERDZAM\n\n{quoted}")
    assert deliver(app, answer.as_bytes()) is not None
    assert not catalogue_confirmed(app)


def test_a_dkim_pass_for_a_look_alike_domain_is_not_the_senders(tmp_path: Path) -> None:
    app = make_app(tmp_path, {("procedure", "require_dmarc"): "true"})
    try:
        row = catalogue_sent(app)
        results = (
            "mx.um.example.pl; dkim=pass header.d=um.example.pl.attacker.example; "
            "dmarc=fail header.from=um.example.pl"
        )
        forged = mail(
            COORDINATOR,
            reply_to(row),
            "Re: " + row.subject,
            "ZATWIERDZAM",
            {"Authentication-Results": results},
        )
        assert deliver(app, forged.as_bytes()) is not None
        assert not catalogue_confirmed(app)
    finally:
        app.close()


def test_an_authentication_results_header_written_by_the_sender_is_not_trusted(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path, {("procedure", "require_dmarc"): "true"})
    try:
        row = catalogue_sent(app)
        forged = mail(COORDINATOR, reply_to(row), "Re: " + row.subject, "ZATWIERDZAM")
        # The receiving server prepends its verdict; the sender's own line sits below it.
        forged["Authentication-Results"] = "attacker.example; dmarc=pass header.from=um.example.pl"
        raw = (
            b"Authentication-Results: mx.um.example.pl; dkim=none; "
            b"dmarc=fail header.from=um.example.pl\r\n" + forged.as_bytes()
        )
        assert deliver(app, raw) is not None
        assert not catalogue_confirmed(app)
    finally:
        app.close()


def test_dmarc_does_not_vouch_for_the_author_inside_an_officials_forward(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path, {("procedure", "require_dmarc"): "true"})
    try:
        row = catalogue_sent(app)
        inner = mail(COORDINATOR, reply_to(row), "Re: " + row.subject, "ZATWIERDZAM")
        outer = mail(
            BOK_MANAGER,
            reply_to(row),
            "Fwd: " + row.subject,
            "Do wiadomości.",
            {
                "Authentication-Results": "mx.um.example.pl; dkim=pass header.d=um.example.pl; "
                "dmarc=pass header.from=um.example.pl"
            },
        )
        outer.add_attachment(inner)
        assert deliver(app, outer.as_bytes()) is not None
        assert not catalogue_confirmed(app)
    finally:
        app.close()


# ------------------------------------------------------------------ intake exactly-once


def test_a_redelivered_message_with_a_new_received_header_is_processed_once(
    tmp_path: Path, dovecot: object, mailbox: object
) -> None:
    from mailflow.intake import poll_once
    from tests.test_intake import open_rig_app, ours, record_act, rig_config

    application = open_rig_app(
        rig_config(tmp_path, dovecot, f"sqlite:///{tmp_path / 'm.sqlite3'}")  # type: ignore[arg-type]
    )
    try:
        raw = ours(11)
        again = b"Received: from mx2.example.com by mx.um.example.pl; retry\r\n" + raw
        dovecot.append_many("ankieta", [raw, again])  # type: ignore[attr-defined]
        calls: list[str] = []
        poll_once(application, record_act(calls))  # type: ignore[arg-type]
        assert len(calls) == 1, calls
    finally:
        application.close()


# ------------------------------------------------------------------ hostile input, CLI


def deep_multipart(depth: int) -> bytes:
    head = "From: a@example.pl\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    body = "".join(
        f"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n" for i in range(depth)
    )
    body += "Content-Type: text/plain\r\n\r\nZATWIERDZAM\r\n"
    body += "".join(f"--b{i}--\r\n" for i in reversed(range(depth)))
    return (head + body).encode()


def deep_forward(depth: int) -> bytes:
    raw = b"From: x@example.pl\r\nSubject: in\r\n\r\nZATWIERDZAM\r\n"
    for _ in range(depth):
        raw = (
            b"From: x@example.pl\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: message/rfc822\r\n\r\n" + raw
        )
    return raw


@pytest.mark.parametrize("raw", [deep_multipart(1000), deep_forward(500)], ids=["mime", "rfc822"])
def test_a_deeply_nested_message_is_flagged_not_a_crash(raw: bytes) -> None:
    parsed = parse_message(raw)
    assert parsed.needs_review


def test_a_docx_zip_bomb_and_an_entity_bomb_are_refused_with_reasons() -> None:
    import io
    import zipfile

    def with_docx(files: dict[str, bytes]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        message = mail("oferty@kwadrant.example.pl", "ankieta@um.example.pl", "Oferta", "W zał.")
        message.add_attachment(
            buf.getvalue(),
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
            filename="oferta.docx",
        )
        return message.as_bytes()

    laughs = b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        f'<!ENTITY a{i} "{("&a;" if i == 0 else f"&a{i - 1};") * 10}">'.encode() for i in range(8)
    )
    for files in (
        {"word/document.xml": b"<a>" + b"A" * 200_000_000 + b"</a>"},
        {"word/document.xml": laughs + b"]><d>&a7; Cena netto 1000 zl</d>"},
    ):
        parsed = parse_message(with_docx(files))
        assert parsed.needs_review
        assert parsed.quote is None or parsed.quote.net is None


@pytest.fixture
def cli_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh config and database; the root logger is put back, as the CLI replaces it."""
    import logging

    from mailflow import cli

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    for name, value in TEST_ENV.items():
        monkeypatch.setenv(name, value)
    path = str(write_config(tmp_path))
    assert cli.main(["init", "--config", path]) == 0
    yield path
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize("year", ["99999999999999999999", "12345", "1"])
def test_a_nonsense_campaign_year_is_a_one_line_error(
    cli_config: str, year: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from mailflow import cli

    assert cli.main(["campaign", "--config", cli_config, "start", year]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_quarantine_retry_without_an_id_says_an_id_is_needed(
    cli_config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import warnings

    from mailflow import cli

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = cli.main(["quarantine", "retry", "--config", cli_config])
    assert code == 1 and "None" not in capsys.readouterr().err


@pytest.mark.parametrize("password", ["12345678901234", "aaaaaaaaaaaaaaaa", "adminadminadmin"])
def test_a_weak_password_is_refused(
    cli_config: str,
    password: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from mailflow import cli

    monkeypatch.setenv("MAILFLOW_NEW_PASSWORD", password)
    assert cli.main(["user", "add", "admin", "--role", "admin", "--config", cli_config]) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["parse", "/nonexistent.eml"],
        ["results", "/nonexistent.csv"],
        ["status", "--config", "/nonexistent.toml"],
    ],
)
def test_missing_files_are_one_line_errors(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from mailflow import cli

    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_campaign_accepts_config_after_the_action(
    cli_config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from mailflow import cli

    assert cli.main(["campaign", "--config", cli_config, "start", "2027"]) == 0
    assert cli.main(["campaign", "show", "2027", "--config", cli_config]) == 0


def test_the_approver_may_answer_the_first_email_after_a_reminder(app: App) -> None:
    from datetime import timedelta

    row = catalogue_sent(app)
    app.clock.advance(timedelta(days=8))  # type: ignore[attr-defined]
    procedure.run_due(app)
    assert len(outbox(app, "catalogue")) == 2, "a reminder with a new token went out"
    answer = mail(
        COORDINATOR,
        reply_to(row),
        "Re: " + row.subject,
        "ZATWIERDZAM",
        {"In-Reply-To": row.message_id_header},
    )
    assert deliver(app, answer.as_bytes()) is None
    assert catalogue_confirmed(app)


def test_approving_the_catalogue_from_the_cli_does_what_the_email_does(app: App) -> None:
    from mailflow import procedure_cli

    catalogue_sent(app)
    with transaction(app.sessions) as session:
        campaign = procedure.campaign_for_year(session, 2027)
        procedure_cli._decide(app, session, campaign, "catalogue", "approve", "")
    assert catalogue_confirmed(app)
    assert len(outbox(app, "inquiry")) == 3


# ------------------------------------------------------------------ secrets, outbox


def test_the_config_repr_holds_no_secret(app: App) -> None:
    text = repr(app.config)
    assert not [secret for secret in TEST_ENV.values() if secret in text]


def test_a_crash_before_the_final_dot_does_not_leave_the_row_sent(app: App) -> None:
    from mailflow import outbox as outbox_module

    catalogue_sent(app)
    row_id = outbox(app, "catalogue")[0].id

    class KilledBeforeTheDot:
        def send(
            self, sender: str, recipients: object, raw: bytes, before_final_dot: object
        ) -> None:
            before_final_dot()  # type: ignore[operator]
            raise KeyboardInterrupt  # stands for SIGKILL: the server never got the dot

    with pytest.raises(KeyboardInterrupt):
        outbox_module._send_one(app, row_id, KilledBeforeTheDot())  # type: ignore[arg-type]
    with app.sessions() as session:
        row = session.get(models.OutboxMessage, row_id)
        assert row is not None and row.status != "sent"


# ------------------------------------------------------------------ results files


def survey_xlsx(path: Path, odd: object) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "q1"])
    for number in range(1, 41):
        sheet.append([number, number % 5 + 1])
    sheet.append([41, odd])
    book.save(path)
    return path


@pytest.mark.parametrize("odd", [True, "#DIV/0!"], ids=["boolean", "error_cell"])
def test_an_odd_spreadsheet_cell_is_named_not_silently_scored(tmp_path: Path, odd: object) -> None:
    from mailflow.errors import UserError
    from mailflow.results import analyse_file

    path = survey_xlsx(tmp_path / "wyniki.xlsx", odd)
    try:
        report = analyse_file(str(path))
    except UserError as error:
        assert "41" in str(error) or "42" in str(error)
        return
    data = report if isinstance(report, dict) else report.to_json()
    assert data["questions"][0]["n"] == 40
    assert any("42" in str(w) for w in data["warnings"])


@pytest.mark.parametrize(
    "header",
    [
        b"From: anna.wrona@um.example.pl, evil@example.net",
        b"From: anna.wrona@um.example.pl\r\nFrom: evil@example.net",
    ],
    ids=["two_mailboxes", "two_headers"],
)
def test_a_message_with_two_authors_is_not_attributed_to_one(header: bytes) -> None:
    parsed = parse_message(header + b"\r\nSubject: Re: x\r\n\r\nZATWIERDZAM\r\n")
    assert parsed.needs_review
