"""Shared fixtures for the status-page tests: a realistic campaign built directly in the DB.

Imported by the ``test_web_*`` modules. The data: campaign 2027 at step 5 (results) with three
firms asked (one answered, one declined, one bounced, plus a late offer), a quote comparison
and a questionnaire approved, a results memo waiting for the Plenipotentiary, progress reports,
indicators, a finding with a corrective action, documents, and messages in and out, some of
them hostile (script in the subject, event handlers in HTML, a right-to-left override in a
filename), three of them in the quarantine. Campaign 2026 is finished.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from mailflow import db
from mailflow.app import App, store_file
from mailflow.archive import Archive
from mailflow.clock import FakeClock
from mailflow.config import load_config
from mailflow.db import models
from tests.configs import TEST_ENV, write_config
from tests.rig import postgres
from tests.rig.fixtures import unavailable
from web_status import create_app

NOW = datetime(2027, 7, 8, 10, 0, tzinfo=UTC)
PASSWORD = "correct-horse-battery"
ROLES = ("viewer", "coordinator", "admin")
HOSTILE_SUBJECT = '<script>alert("subject")</script> Oferta "onerror=alert(1) x'
HOSTILE_FILENAME = "oferta\u202efdp.exe"
HOSTILE_HTML = (
    "<p>Dzień dobry,</p><script>alert('body')</script>"
    '<p><img src="x" onerror="alert(1)">Cena <b>12 300 zł</b> netto.</p>'
    '<p><a href="javascript:alert(2)">kliknij</a> <a href="http://evil.example/">tu</a></p>'
    '<div style="position:fixed" onclick="alert(3)">Treść \u202eeulav</div>'
)


@lru_cache(maxsize=1)
def password_hash() -> str:
    # argon2 is slow on purpose (most of a second here): hash once for every test user.
    return PasswordHasher().hash(PASSWORD)


@dataclass
class Seeded:
    campaign_id: int
    old_campaign_id: int
    hostile_message_id: int
    plain_message_id: int
    hostile_attachment_id: int
    quarantine_ids: list[int]
    resolved_quarantine_id: int
    document_id: int
    outbox_id: int
    user_ids: dict[str, int]


def build_app(tmp_path: Path, database_url: str) -> App:
    config_path = write_config(
        tmp_path,
        {("database", "url"): f'"{database_url}"', ("web", "secure_cookies"): "false"},
    )
    config = load_config(config_path, env=TEST_ENV)
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    archive = Archive(tmp_path / "archive")
    archive.ensure()
    return App(config, engine, db.session_factory(engine), archive, FakeClock(NOW))


def _raw(
    subject: str,
    sender: str,
    html: str | None = None,
    plain: str | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "ankieta@um.example.pl"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash((subject, sender)))}@example.pl>"
    if plain is not None:
        message.set_content(plain)
    if html is not None:
        if plain is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    if attachment:
        message.add_attachment(
            attachment[1], maintype="application", subtype="pdf", filename=attachment[0]
        )
    return message.as_bytes()


def _at(days: float) -> datetime:
    return NOW + timedelta(days=days)


def seed(app: App) -> Seeded:
    with db.transaction(app.sessions) as s:
        users = {}
        for role in ROLES:
            user = models.User(
                name=f"{role}1", role=role, password_hash=password_hash(), created_at=_at(-100)
            )
            s.add(user)
            s.flush()
            users[role] = user.id
        old = models.Campaign(
            year=2026,
            case_ref="OS.0543.3.2026",
            step=7,
            status="finished",
            started_at=datetime(2026, 1, 15, 8, tzinfo=UTC),
            finished_at=datetime(2026, 9, 30, 8, tzinfo=UTC),
            data={},
        )
        c = models.Campaign(
            year=2027,
            case_ref="OS.0543.3.2027",
            step=5,
            status="active",
            started_at=datetime(2027, 1, 15, 8, tzinfo=UTC),
            contractor_key="kwadrant",
            contract_number="OS.272.5.2027",
            survey_term=date(2027, 6, 15),
            survey_date=date(2027, 6, 14),
            data={},
        )
        s.add_all([old, c])
        s.flush()

        def message(
            subject: str,
            sender: str,
            raw: bytes,
            kind: str,
            status: str,
            step: int | None,
            reasons: list[str],
            review: bool = False,
        ) -> models.Message:
            digest = store_file(app, s, raw)
            row = models.Message(
                message_id_header=f"<m{digest[:12]}@example.pl>",
                sha256=digest,
                size=len(raw),
                received_at=_at(-20 + len(subject) % 7),
                folder="INBOX",
                from_addr=sender,
                subject=subject,
                status=status,
                kind=kind,
                token="k3m9x2qa",
                campaign_id=c.id,
                step=step,
                needs_review=review,
                reasons=reasons,
                parsed={},
            )
            s.add(row)
            s.flush()
            return row

        plain = message(
            "Re: Zapytanie o cenę [IN13-2027-ZO-k3m9x2qa]",
            "oferty@kwadrant.example.pl",
            _raw(
                "Re: Zapytanie o cenę",
                "oferty@kwadrant.example.pl",
                plain="Dzień dobry,\nw załączeniu oferta: 11 500,00 zł netto.\n<b>bez HTML</b>",
            ),
            "quote",
            "processed",
            1,
            ["price stated in the body", "token in the subject"],
        )
        hostile_raw = _raw(
            HOSTILE_SUBJECT,
            "biuro@sonda.example.pl",
            html=HOSTILE_HTML,
            attachment=(HOSTILE_FILENAME, b"%PDF-1.4 not really"),
        )
        hostile = message(
            HOSTILE_SUBJECT,
            '"onerror=alert(1)"@sonda.example.pl',
            hostile_raw,
            "other",
            "quarantined",
            None,
            ['<img src=x onerror=alert("reason")>', "no token"],
            review=True,
        )
        attachment = models.Attachment(
            message_id=hostile.id,
            filename=HOSTILE_FILENAME,
            content_type="application/pdf",
            size=19,
            sha256=store_file(app, s, b"%PDF-1.4 not really"),
        )
        late = message(
            "Oferta – DataPol",
            "oferty@datapol.example.pl",
            _raw("Oferta – DataPol", "oferty@datapol.example.pl", plain="Oferta."),
            "quote",
            "quarantined",
            1,
            ["offer after the deadline"],
        )
        stranger = message(
            "Pytanie o termin badania",
            "ktos@gmail.example.com",
            _raw("Pytanie o termin badania", "ktos@gmail.example.com", plain="Kiedy badanie?"),
            "question",
            "quarantined",
            3,
            ["token of the contractor, sender is someone else"],
        )
        s.add(attachment)
        s.flush()
        entries = [
            models.QuarantineEntry(
                message_id=hostile.id, reason="<script>alert('q')</script>", created_at=_at(-15)
            ),
            models.QuarantineEntry(
                message_id=late.id, reason="offer after the deadline", created_at=_at(-14)
            ),
            models.QuarantineEntry(
                message_id=stranger.id,
                reason="the sender is not the party this step was sent to",
                created_at=_at(-13),
            ),
            models.QuarantineEntry(
                message_id=plain.id,
                reason="duplicate",
                created_at=_at(-30),
                resolved_at=_at(-29),
                resolution="dismissed",
                resolved_by="web:coordinator1",
                note="sent twice",
            ),
        ]
        s.add_all(entries)

        for title, source in [
            ("Czas oczekiwania na obsługę w BOK", "previous_results"),
            ("Zrozumiałość formularzy i pism", "complaints"),
            ("Załatwianie spraw przez internet", "own_observation"),
        ]:
            s.add(models.Topic(campaign_id=c.id, title=title, source=source))
        for key, email, status, answered in [
            ("kwadrant", "oferty@kwadrant.example.pl", "answered", _at(-120)),
            ("sonda", "biuro@sonda.example.pl", "declined", _at(-121)),
            ("datapol", "oferty@datapol.example.pl", "bounced", None),
        ]:
            s.add(
                models.Inquiry(
                    campaign_id=c.id,
                    vendor_key=key,
                    vendor_email=email,
                    token="t" + key[:7],
                    status=status,
                    sent_at=_at(-130),
                    answered_at=answered,
                )
            )
        s.add_all(
            [
                models.QuoteRecord(
                    campaign_id=c.id,
                    vendor_key="kwadrant",
                    message_id=plain.id,
                    received_at=_at(-120),
                    net=Decimal("11500.00"),
                    gross=Decimal("14145.00"),
                    vat_rate="23",
                    source="body",
                    valid_until=date(2027, 12, 31),
                ),
                models.QuoteRecord(
                    campaign_id=c.id,
                    vendor_key="datapol",
                    message_id=late.id,
                    received_at=_at(-110),
                    net=Decimal("9800.00"),
                    gross=Decimal("12054.00"),
                    vat_rate="23",
                    source="pdf",
                    late=True,
                ),
            ]
        )
        chains = [
            ("comparison", 1, "os_manager", "tomasz_lis", "approved", "Zgoda."),
            (
                "questionnaire",
                1,
                "os_manager",
                "tomasz_lis",
                "returned",
                "Pytanie 4 jest niejasne.",
            ),
            ("questionnaire", 2, "os_manager", "tomasz_lis", "approved", None),
            ("memo", 1, "os_manager", "tomasz_lis", "approved", None),
        ]
        for item, rnd, role, person, status, comment in chains:
            s.add(
                models.Approval(
                    campaign_id=c.id,
                    item=item,
                    position=1,
                    role=role,
                    party=app.config.people[person].email,
                    round=rnd,
                    status=status,
                    sent_at=_at(-100),
                    decided_at=_at(-98),
                    comment=comment,
                )
            )
        s.add(
            models.Approval(
                campaign_id=c.id,
                item="memo",
                position=2,
                role="plenipotentiary",
                party=app.config.people["elzbieta_sowa"].email,
                status="waiting",
                sent_at=_at(-2),
            )
        )
        s.add(
            models.Approval(
                campaign_id=c.id,
                item="memo",
                position=3,
                role="mayor",
                party=app.config.people["jan_prezydent"].email,
                status="waiting",
            )
        )
        s.add_all(
            [
                models.Deadline(
                    campaign_id=c.id,
                    kind="approval",
                    step=5,
                    party=app.config.people["elzbieta_sowa"].email,
                    due_at=_at(4),
                ),
                models.Deadline(
                    campaign_id=c.id,
                    kind="corrective_action",
                    step=6,
                    party="zsz@um.example.pl",
                    due_at=_at(-3),
                ),
                models.Deadline(
                    campaign_id=c.id, kind="offers", step=1, due_at=_at(-120), done_at=_at(-121)
                ),
            ]
        )
        s.add_all(
            [
                models.ProgressReport(campaign_id=c.id, reported_at=_at(-30), done=180, target=400),
                models.ProgressReport(campaign_id=c.id, reported_at=_at(-25), done=400, target=400),
            ]
        )
        s.add(
            models.SurveyResult(
                campaign_id=c.id,
                year=2027,
                created_at=_at(-5),
                report={
                    "respondents": 400,
                    "questions": [
                        {
                            "id": "Q1",
                            "label": "Ogólna ocena obsługi",
                            "n": 388,
                            "mean": 4.12,
                            "ci95": [4.03, 4.21],
                            "top2_share": 0.78,
                            "top2_ci95": [0.74, 0.82],
                            "missing": 12,
                        },
                        {
                            "id": "Q2",
                            "label": "Czas oczekiwania w kolejce",
                            "n": 395,
                            "mean": 3.21,
                            "ci95": [3.1, 3.32],
                            "top2_share": 0.52,
                            "top2_ci95": [0.47, 0.57],
                            "missing": 5,
                        },
                        {
                            "id": "Q3",
                            "label": "<script>alert('label')</script>",
                            "n": 390,
                            "mean": 4.4,
                            "ci95": [4.3, 4.5],
                            "top2_share": 0.86,
                            "top2_ci95": [0.82, 0.89],
                            "missing": 10,
                        },
                    ],
                    "warnings": ["Q2: mniej niż 60% dobrych ocen"],
                },
            )
        )
        s.add(
            models.Finding(
                campaign_id=c.id,
                rule="min_top2_share",
                description="Q2 Czas oczekiwania: 52% dobrych ocen (próg 60%)",
            )
        )
        s.add(
            models.CorrectiveAction(
                campaign_id=c.id,
                kind="corrective",
                description="Skrócić czas oczekiwania w BOK",
                owner="zsz@um.example.pl",
                due_on=date(2027, 7, 5),
            )
        )
        doc = models.Document(
            campaign_id=c.id,
            kind="zestawienie_ofert",
            filename="zestawienie_ofert_2027.docx",
            sha256=store_file(app, s, b"PK docx bytes"),
            created_at=_at(-100),
        )
        s.add(doc)
        outbox = models.OutboxMessage(
            message_id_header="<IN13-2027-WYN-p4r7x2ka.20270706100000@um.example.pl>",
            token="p4r7x2ka",
            campaign_id=c.id,
            step=5,
            code="WYN",
            purpose="approval",
            recipients=[app.config.people["elzbieta_sowa"].email],
            subject="Wyniki badania 2027 do akceptacji [IN13-2027-WYN-p4r7x2ka]",
            raw=_raw(
                "Wyniki badania 2027", "ankieta@um.example.pl", plain="Proszę o akceptację wyników."
            ),
            status="sent",
            attempts=1,
            created_at=_at(-2),
            sent_at=_at(-2),
        )
        s.add(outbox)
        s.add(
            models.Event(
                campaign_id=c.id,
                at=_at(-2),
                step=5,
                action="memo_sent",
                actor="system",
                via="system",
            )
        )
        s.add(models.ServiceStatus(name="imap", last_ok_at=_at(-0.001)))
        s.add(models.ServiceStatus(name="smtp", last_ok_at=_at(-0.002)))
        s.add(
            models.MailboxState(
                folder="INBOX", uidvalidity=1, last_uid=10, last_poll_at=_at(-60 / 86400)
            )
        )
        s.flush()
        return Seeded(
            campaign_id=c.id,
            old_campaign_id=old.id,
            hostile_message_id=hostile.id,
            plain_message_id=plain.id,
            hostile_attachment_id=attachment.id,
            quarantine_ids=[entries[0].id, entries[1].id, entries[2].id],
            resolved_quarantine_id=entries[3].id,
            document_id=doc.id,
            outbox_id=outbox.id,
            user_ids=users,
        )


@dataclass
class Web:
    app: App
    flask: Flask
    data: Seeded

    def client(self, role: str | None = None) -> FlaskClient:
        """A test client, logged in as ``<role>1`` without the (slow) password check."""
        client = self.flask.test_client()
        if role is not None:
            from web_status.auth import _stamp

            with self.flask.test_request_context():
                stamp = _stamp(password_hash())
            user_id = self.data.user_ids[role]
            with self.app.sessions() as db:
                user = db.get(models.User, user_id)
                generation = user.session_generation if user else 0
            with client.session_transaction() as session:
                session["user_id"] = user_id
                session["stamp"] = stamp
                session["gen"] = generation
        return client


@pytest.fixture
def web(tmp_path: Path, database_url: str) -> Iterator[Web]:
    """A fresh seeded database for one test that changes something (both engines)."""
    app = build_app(tmp_path, database_url)
    data = seed(app)
    yield Web(app, create_app(app, testing=True), data)
    app.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_web(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Web]:
    """One seeded database per module and engine, for tests that only read.

    Building the schema and the data takes a second or more; the read-only tests share it.
    """
    folder = tmp_path_factory.mktemp("web")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'mailflow.sqlite3'}"
    else:
        try:
            url = postgres.create_database()
        except postgres.PostgresUnavailable as error:
            unavailable(str(error))
    app = build_app(folder, url)
    data = seed(app)
    yield Web(app, create_app(app, testing=True), data)
    app.close()
    if request.param == "postgresql":
        postgres.drop_database(url)


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)
