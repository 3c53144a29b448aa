"""Ten years of IN-13 history in a database, built through the models (bench/web.py's data).

    .venv/bin/python bench/history.py DIR [--years 10] [--messages 300] [--outbox 800]

Each year is a campaign of its own, with what a real year leaves behind: about 300 messages
in (with their raw bytes in the archive, some with attachments), 800 e-mails out, 50
quarantine entries, the events, deadlines, inquiries, quotes, approvals, topics, progress
reports, a results report, findings, corrective actions and documents. The years differ
(vendors, prices, answers, dates) by a seeded random generator, so no page can pass because
ten years are copies of one. The newest year is still running (step 4); the others finished.

``build_history(app, years, messages, outbox)`` is what tests use on a small scale.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from mailflow import db
from mailflow.app import App, store_file
from mailflow.db import models

LAST_YEAR = 2027
VENDORS = ["kwadrant", "sonda", "datapol", "ankietix", "opinia", "meritum", "badmar", "pulsar"]
QUESTIONS = [
    ("Q1", "Ogólna ocena obsługi"),
    ("Q2", "Czas oczekiwania w kolejce"),
    ("Q3", "Uprzejmość pracowników"),
    ("Q4", "Zrozumiałość informacji"),
    ("Q5", "Dostępność formularzy"),
]
ITEMS = [("comparison", ["os_manager"]), ("questionnaire", ["os_manager"])]
MEMO_ROLES = ["coordinator", "os_manager", "plenipotentiary", "mayor"]
CODES = ["ZO", "POR", "KW", "WYN", "REA", "ZAG", "AUD"]
KINDS = ["quote", "decline", "question", "auto_reply", "bounce", "decision", "progress", "other"]
ACTIONS = [
    (0, "topics_requested"),
    (0, "topics_received"),
    (1, "inquiry_sent"),
    (1, "quote_received"),
    (1, "comparison_sent"),
    (2, "contract_recorded"),
    (3, "questionnaire_received"),
    (4, "progress_reported"),
    (5, "memo_sent"),
    (6, "action_recorded"),
    (7, "results_published"),
]


@dataclass(frozen=True)
class Scale:
    years: int = 10
    messages: int = 300  # in, per year
    outbox: int = 800  # out, per year
    quarantine: int = 50  # per year
    events: int = 150  # per year


def _raw(rng: random.Random, year: int, n: int, sender: str, attachment: bool) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "ankieta@um.example.pl"
    message["Subject"] = f"Re: Zapytanie o cenę {year} nr {n}"
    message["Message-ID"] = f"<h{year}-{n}-{rng.randrange(10**9)}@example.pl>"
    message.set_content(
        "Dzień dobry,\n\nw odpowiedzi na zapytanie przesyłamy ofertę: "
        f"{rng.randrange(8, 30)} {rng.randrange(100, 999)},00 zł netto.\n\n"
        "Z poważaniem\nZespół badań\n" + "Treść wiadomości. " * rng.randrange(5, 60)
    )
    if attachment:
        message.add_attachment(
            b"%PDF-1.4 " + os.urandom(rng.randrange(200, 2000)),
            maintype="application",
            subtype="pdf",
            filename=f"oferta_{n}.pdf",
        )
    return message.as_bytes()


def _moment(year: int, day: float) -> datetime:
    return datetime(year, 1, 15, 8, tzinfo=UTC) + timedelta(days=day)


class _Year:
    """One campaign year's rows; each method adds one kind of row."""

    def __init__(self, app: App, s: Session, rng: random.Random, year: int, scale: Scale) -> None:
        self.app, self.s, self.rng, self.year, self.scale = app, s, rng, year, scale
        running = year == LAST_YEAR
        self.campaign = models.Campaign(
            year=year,
            case_ref=f"OS.0543.3.{year}",
            step=4 if running else 7,
            status="active" if running else "finished",
            started_at=_moment(year, 0),
            finished_at=None if running else _moment(year, 250),
            contractor_key=rng.choice(VENDORS),
            contract_number=f"OS.272.{rng.randrange(1, 30)}.{year}",
            survey_term=date(year, 6, 15),
            survey_date=date(year, 6, rng.randrange(1, 14)),
            data={},
        )
        s.add(self.campaign)
        s.flush()
        self.cid = self.campaign.id
        self.people = [p.email for p in app.config.people.values()]

    def messages(self) -> list[models.Message]:
        rows = []
        for n in range(self.scale.messages):
            vendor = self.rng.choice(VENDORS)
            sender = f"oferty@{vendor}.example.pl"
            raw = _raw(self.rng, self.year, n, sender, attachment=n % 5 == 0)
            digest = store_file(self.app, self.s, raw)
            rows.append(
                models.Message(
                    message_id_header=f"<h{self.year}-{n}@example.pl>",
                    sha256=digest,
                    size=len(raw),
                    received_at=_moment(self.year, n * 240 / self.scale.messages),
                    folder="INBOX",
                    uidvalidity=1,
                    uid=self.year * 10_000 + n,
                    from_addr=sender,
                    subject=f"Re: Zapytanie o cenę {self.year} nr {n}",
                    status="processed",
                    kind=self.rng.choice(KINDS),
                    token=f"{self.year % 100:02d}{n:06d}"[-8:],
                    campaign_id=self.cid,
                    step=self.rng.randrange(0, 8),
                    needs_review=self.rng.random() < 0.1,
                    reasons=["kwota w treści", "token w temacie"],
                    parsed={},
                )
            )
        self.s.add_all(rows)
        self.s.flush()
        for row in rows[::5]:
            self.s.add(
                models.Attachment(
                    message_id=row.id,
                    filename=f"oferta_{row.uid}.pdf",
                    content_type="application/pdf",
                    size=1000,
                    sha256=row.sha256,
                )
            )
        return rows

    def quarantine(self, messages: list[models.Message]) -> None:
        for n, message in enumerate(self.rng.sample(messages, self.scale.quarantine)):
            message.status = "quarantined"
            open_entry = self.year == LAST_YEAR and n % 3 == 0
            self.s.add(
                models.QuarantineEntry(
                    message_id=message.id,
                    reason=self.rng.choice(
                        [
                            "nadawca nie jest adresatem tego etapu",
                            "oferta po terminie",
                            "nie udało się odczytać załącznika",
                        ]
                    ),
                    created_at=message.received_at,
                    resolved_at=None if open_entry else message.received_at + timedelta(days=1),
                    resolution=None if open_entry else "dismissed",
                    resolved_by=None if open_entry else "web:coordinator1",
                )
            )

    def outbox(self) -> None:
        for n in range(self.scale.outbox):
            code = self.rng.choice(CODES)
            token = f"o{self.year % 100:02d}{n:05d}"
            at = _moment(self.year, n * 240 / self.scale.outbox)
            self.s.add(
                models.OutboxMessage(
                    message_id_header=f"<IN13-{self.year}-{code}-{token}.{n}@um.example.pl>",
                    token=token,
                    campaign_id=self.cid,
                    step=self.rng.randrange(0, 8),
                    code=code,
                    purpose=self.rng.choice(["inquiry", "reminder", "approval", "confirmation"]),
                    recipients=[self.rng.choice(self.people)],
                    subject=f"Badanie satysfakcji {self.year} [IN13-{self.year}-{code}-{token}]",
                    raw=b"Subject: x\r\n\r\nTresc wiadomosci.\r\n",
                    status="sent",
                    attempts=1,
                    created_at=at,
                    sent_at=at,
                )
            )

    def events(self) -> None:
        for n in range(self.scale.events):
            step, action = ACTIONS[n % len(ACTIONS)]
            self.s.add(
                models.Event(
                    campaign_id=self.cid,
                    at=_moment(self.year, n * 240 / self.scale.events),
                    step=step,
                    action=action,
                    actor=self.rng.choice([*self.people, "system"]),
                    via=self.rng.choice(["email", "system", "web"]),
                    details={"n": n},
                )
            )

    def procedure_rows(self) -> None:
        running = self.year == LAST_YEAR
        for title, source in [("Czas oczekiwania w BOK", "complaints"), ("Formularze", "bok")]:
            self.s.add(models.Topic(campaign_id=self.cid, title=title, source=source))
        vendors = self.rng.sample(VENDORS, 6)
        for key in vendors:
            self.s.add(
                models.Inquiry(
                    campaign_id=self.cid,
                    vendor_key=key,
                    vendor_email=f"oferty@{key}.example.pl",
                    token=f"i{self.year % 100:02d}{key[:5]}",
                    status=self.rng.choice(["answered", "declined", "bounced"]),
                    sent_at=_moment(self.year, 20),
                    answered_at=_moment(self.year, 25),
                )
            )
            net = Decimal(self.rng.randrange(8000, 30000))
            self.s.add(
                models.QuoteRecord(
                    campaign_id=self.cid,
                    vendor_key=key,
                    received_at=_moment(self.year, 24),
                    net=net,
                    gross=(net * Decimal("1.23")).quantize(Decimal("0.01")),
                    vat_rate="23",
                    source="body",
                )
            )
        people = self.app.config.people
        for item, roles in [*ITEMS, ("memo", MEMO_ROLES)]:
            for position, role in enumerate(roles, 1):
                person = self.app.config.roles.get(role)
                party = people[person].email if person in people else "x@um.example.pl"
                self.s.add(
                    models.Approval(
                        campaign_id=self.cid,
                        item=item,
                        position=position,
                        role=role,
                        party=party,
                        status="waiting" if running and item == "memo" else "approved",
                        sent_at=_moment(self.year, 30 + position),
                        decided_at=None if running else _moment(self.year, 32 + position),
                    )
                )
        for kind, day in [("offers", 25), ("contract", 120), ("approval", 200)]:
            self.s.add(
                models.Deadline(
                    campaign_id=self.cid,
                    kind=kind,
                    step=1,
                    due_at=_moment(self.year, day),
                    done_at=None if running and kind == "approval" else _moment(self.year, day),
                )
            )
        for week in range(6):
            self.s.add(
                models.ProgressReport(
                    campaign_id=self.cid,
                    reported_at=_moment(self.year, 130 + 7 * week),
                    done=min(400, 70 * (week + 1)),
                    target=400,
                )
            )
        self._results()

    def _results(self) -> None:
        questions = []
        for qid, label in QUESTIONS:
            mean = round(self.rng.uniform(3.0, 4.6), 2)
            share = round(self.rng.uniform(0.45, 0.9), 2)
            questions.append(
                {
                    "id": qid,
                    "label": label,
                    "n": 390,
                    "mean": mean,
                    "ci95": [round(mean - 0.1, 2), round(mean + 0.1, 2)],
                    "top2_share": share,
                    "top2_ci95": [round(share - 0.05, 2), round(share + 0.05, 2)],
                    "missing": 10,
                }
            )
        self.s.add(
            models.SurveyResult(
                campaign_id=self.cid,
                year=self.year,
                created_at=_moment(self.year, 170),
                report={"respondents": 400, "questions": questions, "warnings": []},
            )
        )
        self.s.add(
            models.Finding(
                campaign_id=self.cid, rule="min_top2_share", description="Q2: mało dobrych ocen"
            )
        )
        for n in range(2):
            self.s.add(
                models.CorrectiveAction(
                    campaign_id=self.cid,
                    kind="corrective",
                    description=f"Działanie {n + 1}",
                    owner="zsz@um.example.pl",
                    due_on=date(self.year, 9, 1),
                    done_at=_moment(self.year, 230),
                )
            )
        for kind in ["katalog_zagadnien", "zapytanie_o_cene", "zestawienie_ofert", "wyniki"]:
            data = f"PK {kind} {self.year} ".encode() + os.urandom(64)
            self.s.add(
                models.Document(
                    campaign_id=self.cid,
                    kind=kind,
                    filename=f"{kind}_{self.year}.docx",
                    sha256=store_file(self.app, self.s, data),
                    created_at=_moment(self.year, 40),
                )
            )


BENCH_ENV = {"MAILFLOW_WEB_SECRET": "bench-secret-key-long-enough-0123456789"}


def example_config() -> Path:
    """The example config, wherever this checkout or install keeps it."""
    from importlib import resources

    packaged = Path(str(resources.files("mailflow"))) / "config.example.toml"
    return (
        packaged
        if packaged.is_file()
        else Path(__file__).resolve().parents[1] / ("config.example.toml")
    )


def open_bench_app(folder: Path) -> App:
    """A fresh (or existing) SQLite instance under ``folder`` with the example config."""
    from mailflow.app import open_app
    from mailflow.config import load_config

    folder.mkdir(parents=True, exist_ok=True)
    text = example_config().read_text(encoding="utf-8")
    text = text.replace('data_dir = "', f'data_dir = "{folder / "data"}" #', 1)
    config_path = folder / "config.toml"
    config_path.write_text(text, encoding="utf-8")
    env = {**os.environ, **BENCH_ENV, "MAILFLOW_WEB_SECURE_COOKIES": "false"}
    config = load_config(config_path, env=env, require_secrets=False)
    return open_app(config, upgrade=True)


def build_history(app: App, scale: Scale = Scale(), seed: int = 2027) -> None:
    """Add ``scale.years`` campaign years ending with LAST_YEAR, one transaction a year."""
    rng = random.Random(seed)
    for year in range(LAST_YEAR - scale.years + 1, LAST_YEAR + 1):
        with db.transaction(app.sessions) as s:
            builder = _Year(app, s, rng, year, scale)
            messages = builder.messages()
            builder.quarantine(messages)
            builder.outbox()
            builder.events()
            builder.procedure_rows()
    with db.transaction(app.sessions) as s:
        for name in ("imap", "smtp"):
            s.merge(models.ServiceStatus(name=name, last_ok_at=datetime.now(UTC)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--outbox", type=int, default=800)
    args = parser.parse_args(argv)
    app = open_bench_app(args.folder)
    build_history(app, Scale(years=args.years, messages=args.messages, outbox=args.outbox))
    print(f"{args.years} years of history in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())


__all__: list[Any] = ["Scale", "build_history"]
