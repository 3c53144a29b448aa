"""The items of a case: every message in and out and every document of one campaign.

Read-only over the database and the archive. Each item carries what its NES metadata and the
case register need: who made it, who sent and received it, its dates, its format, the JRWA
class it is kept under, and its relations (a reply to an earlier message, a new version of a
document).
"""

from __future__ import annotations

import email
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow.app import App
from mailflow.config import Config, JrwaClass
from mailflow.db import models
from mailflow.errors import UserError

# What each generated document is: its title in the case, its NES kind and its IN-13 step.
DOCUMENT_KINDS: dict[str, tuple[str, str, int]] = {
    "prosba_o_zagadnienia": ("Prośba o zgłoszenie zagadnień do badania", "pismo", 0),
    "katalog_zagadnien": ("Katalog zagadnień do badania", "zestawienie", 0),
    "zapytanie_o_cene": ("Zapytanie o cenę", "pismo", 1),
    "zestawienie_ofert": ("Zestawienie ofert", "zestawienie", 1),
    "pismo_do_wykonawcy": ("Pismo do wykonawcy badania", "pismo", 2),
    "informacja_o_wynikach": ("Informacja o wynikach badania", "notatka", 5),
    "polecenie_auditu": ("Polecenie przeprowadzenia auditu wewnętrznego", "polecenie", 6),
    "publikacja_wynikow": ("Publikacja wyników badania", "informacja", 7),
    "publikacja_wynikow_html": ("Publikacja wyników badania", "informacja", 7),
}
PUBLIC_KINDS = {"publikacja_wynikow", "publikacja_wynikow_html"}
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html",
    "eml": "message/rfc822",
}
_TAG = re.compile(r"\s*\[IN13-[^\]]*\]")


@dataclass(frozen=True)
class Party:
    """A person or institution as NES names it: an official of the office, a firm, anyone."""

    name: str
    email: str | None = None
    kind: str = "institution"  # office | official | institution
    nip: str | None = None
    street: str = ""
    postcode: str = ""
    city: str = ""


@dataclass
class CaseItem:
    key: str  # "in-7", "out-12", "doc-3": unique within the case
    source: str  # incoming | outgoing | document
    row_id: int
    title: str
    basename: str  # file name in the package, without the extension
    extension: str
    size: int
    dates: list[tuple[str, datetime]]  # (NES typDaty, moment)
    creator: Party
    sender: Party | None
    recipients: list[Party]
    step: int | None
    kind: str  # NES rodzaj
    description: str
    jrwa: JrwaClass
    load: Callable[[], bytes]
    message_id: str | None = None
    in_reply_to: str | None = None
    public: bool = False
    relations: list[tuple[str, str]] = field(default_factory=list)  # (typRelacji, item key)

    @property
    def mime(self) -> str:
        return MIME.get(self.extension, "application/octet-stream")

    @property
    def filename(self) -> str:
        return f"{self.basename}.{self.extension}"

    @property
    def first_date(self) -> datetime:
        return min(moment for _kind, moment in self.dates)


@dataclass
class Case:
    campaign: models.Campaign
    items: list[CaseItem]
    closed_on: date | None  # when the case closed (None: still open)
    events: list[models.Event]

    @property
    def mark(self) -> str:
        return self.campaign.case_ref


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time in the database is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")[:60] or "pozycja"


def office_party(config: Config) -> Party:
    o = config.office
    return Party(o.name, config.smtp.from_address, "office", o.nip, o.street, o.postcode, o.city)


class PartyBook:
    """Who an e-mail address is, from the config: an official, a firm, the office itself."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.office = office_party(config)
        own = config.smtp.from_address.lower()
        self.own_local, _, self.own_domain = own.partition("@")

    def party(self, address: str, display: str = "") -> Party:
        address = address.strip()
        lowered = address.lower()
        local, _, domain = lowered.partition("@")
        if domain == self.own_domain and local.split("+", 1)[0] == self.own_local:
            return self.office
        for person in self.config.people.values():
            if person.email.lower() == lowered:
                return Party(person.name, person.email, "official")
        for vendor in self.config.vendors.values():
            if vendor.email.lower() == lowered:
                return Party(
                    vendor.name,
                    vendor.email,
                    "institution",
                    vendor.nip,
                    vendor.street,
                    vendor.postcode,
                    vendor.city,
                )
        return Party(display.strip() or address, address or None)


def _headers(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "").strip()
    except (ValueError, IndexError, AttributeError):  # a malformed header is simply absent
        return ""


def _addresses(message: EmailMessage, *names: str) -> list[tuple[str, str]]:
    values = [_header(message, name) for name in names]
    return [(n, a) for n, a in getaddresses([v for v in values if v]) if a]


def _sent_date(message: EmailMessage) -> datetime | None:
    text = _header(message, "Date")
    try:
        return utc(parsedate_to_datetime(text)) if text else None
    except (TypeError, ValueError):
        return None


def _attachment_names(message: EmailMessage) -> list[str]:
    return [part.get_filename() or "" for part in message.iter_attachments()]


def closed_on(session: Session, campaign: models.Campaign) -> date | None:
    """The day the case closed: the campaign finished and its corrective actions done."""
    if campaign.status != "finished" or campaign.finished_at is None:
        return None
    last = utc(campaign.finished_at)
    actions = session.scalars(
        select(models.CorrectiveAction).where(models.CorrectiveAction.campaign_id == campaign.id)
    ).all()
    for action in actions:
        if action.done_at is None:
            return None
        last = max(last, utc(action.done_at))
    return last.date()


def campaign_for_year(session: Session, year: int) -> models.Campaign:
    campaign = session.scalars(select(models.Campaign).where(models.Campaign.year == year)).first()
    if campaign is None:
        raise UserError(f"there is no campaign of {year}")
    return campaign


def load_case(app: App, session: Session, campaign: models.Campaign) -> Case:
    """Every item of the campaign, in the order it happened, with its relations."""
    config = app.config
    book = PartyBook(config)
    records = config.records
    items: list[CaseItem] = []

    def archived(digest: str, what: str) -> Callable[[], bytes]:
        def load() -> bytes:
            if not app.archive.exists(digest):
                raise UserError(f"{what}: file {digest} is missing from the archive")
            return app.archive.get(digest)

        return load

    incoming = session.scalars(
        select(models.Message)
        .where(models.Message.campaign_id == campaign.id)
        .order_by(models.Message.received_at, models.Message.id)
    ).all()
    for row in incoming:
        load = archived(row.sha256, f"message {row.id}")
        raw = load()
        headers = _headers(raw)
        sender = (
            book.party(*reversed(_addresses(headers, "From")[0]))
            if _addresses(headers, "From")
            else book.party(row.from_addr)
        )
        dates = [("doręczony", utc(row.received_at))]
        if (sent := _sent_date(headers)) is not None:
            dates.insert(0, ("wysłany", sent))
        items.append(
            CaseItem(
                key=f"in-{row.id}",
                source="incoming",
                row_id=row.id,
                title=_TAG.sub("", row.subject).strip() or "(bez tematu)",
                basename=f"wiadomosc_przychodzaca_{row.id}",
                extension="eml",
                size=len(raw),  # after a disposal, the skeleton's
                dates=dates,
                creator=sender,
                sender=sender,
                recipients=[book.party(a, n) for n, a in _addresses(headers, "To", "Cc")]
                or [book.office],
                step=row.step,
                kind="wiadomość poczty elektronicznej",
                description=f"Wiadomość przychodząca ({row.kind or 'nierozpoznana'}), "
                f"krok IN-13: {row.step if row.step is not None else 'brak'}.",
                jrwa=records.class_for_step(row.step),
                load=load,
                message_id=row.message_id_header,
                in_reply_to=_header(headers, "In-Reply-To") or None,
            )
        )

    outgoing = session.scalars(
        select(models.OutboxMessage)
        .where(models.OutboxMessage.campaign_id == campaign.id)
        .order_by(models.OutboxMessage.created_at, models.OutboxMessage.id)
    ).all()
    attached: dict[str, list[models.OutboxMessage]] = {}
    for out in outgoing:
        headers = _headers(out.raw)
        for name in _attachment_names(headers):
            attached.setdefault(name, []).append(out)
        dates = [("utworzony", utc(out.created_at))]
        if out.sent_at is not None:
            dates.append(("wysłany", utc(out.sent_at)))
        recipients = list(out.delivered_to or []) + list(out.recipients or [])
        items.append(
            CaseItem(
                key=f"out-{out.id}",
                source="outgoing",
                row_id=out.id,
                title=_TAG.sub("", out.subject).strip() or "(bez tematu)",
                basename=f"wiadomosc_wychodzaca_{out.id}",
                extension="eml",
                size=len(out.raw),
                dates=dates,
                creator=book.office,
                sender=book.office,
                recipients=[book.party(a) for a in dict.fromkeys(recipients)],
                step=out.step,
                kind="wiadomość poczty elektronicznej",
                description=f"Wiadomość wychodząca ({out.purpose}, {out.code or '-'}), "
                f"stan: {out.status}.",
                jrwa=records.class_for_step(out.step),
                load=_constant(out.raw),
                message_id=out.message_id_header,
                in_reply_to=_header(headers, "In-Reply-To") or None,
            )
        )

    published = _published_on(campaign)
    documents = session.scalars(
        select(models.Document)
        .where(models.Document.campaign_id == campaign.id)
        .order_by(models.Document.created_at, models.Document.id)
    ).all()
    by_kind_version: dict[tuple[str, int], models.Document] = {}
    for doc in documents:
        title, kind, step = DOCUMENT_KINDS.get(doc.kind, (doc.filename, "dokument", None))
        stem, _, extension = doc.filename.rpartition(".")
        carriers = [o for o in attached.get(doc.filename, []) if o.created_at == doc.created_at]
        carriers = carriers or attached.get(doc.filename, [])
        recipients = [book.party(a) for o in carriers for a in (o.recipients or [])]
        recipients = list(dict.fromkeys(recipients))
        if doc.kind == "zapytanie_o_cene" and len(recipients) == 1:
            title = f"{title} – {recipients[0].name}"
        dates = [("utworzony", utc(doc.created_at))]
        public = doc.kind in PUBLIC_KINDS and published is not None
        if public and published is not None:
            dates.append(("opublikowany", published))
        item = CaseItem(
            key=f"doc-{doc.id}",
            source="document",
            row_id=doc.id,
            title=_document_title(title, campaign.year, doc, extension),
            basename=slug(stem or doc.filename),
            extension=(extension or "bin").lower(),
            size=0,
            dates=dates,
            creator=book.office,
            sender=None,
            recipients=recipients,
            step=step,
            kind=kind,
            description=f"Dokument wytworzony przez mailflow z szablonu {doc.kind}, "
            f"wersja {doc.version}.",
            jrwa=records.class_for_step(step),
            load=archived(doc.sha256, f"document {doc.id}"),
            public=public,
        )
        stored = session.get(models.StoredFile, doc.sha256)
        item.size = stored.size if stored is not None else 0
        previous = by_kind_version.get((doc.kind, doc.version - 1))
        if previous is not None and previous.created_at < doc.created_at:
            item.relations.append(("jest wersją", f"doc-{previous.id}"))
            for other in items:
                if other.key == f"doc-{previous.id}":
                    other.relations.append(("ma wersję", item.key))
        by_kind_version[(doc.kind, doc.version)] = doc
        items.append(item)

    by_message_id = {i.message_id.strip(): i for i in items if i.message_id}
    for item in items:
        target = by_message_id.get((item.in_reply_to or "").strip())
        if target is not None and target is not item:
            item.relations.append(("odnosi się do", target.key))
            target.relations.append(("ma odniesienie", item.key))

    items.sort(key=lambda i: (i.first_date, i.key))
    for number, item in enumerate(items, start=1):
        item.basename = f"{number:03d}_{item.basename}"
    events = session.scalars(
        select(models.Event)
        .where(models.Event.campaign_id == campaign.id)
        .order_by(models.Event.id)
    ).all()
    return Case(campaign, items, closed_on(session, campaign), list(events))


def _document_title(title: str, year: int, doc: models.Document, extension: str) -> str:
    text = f"{title} {year}"
    if extension.lower() == "html":
        text += " (strona HTML)"
    if doc.version > 1 and doc.kind != "zapytanie_o_cene":  # inquiries count vendors, not versions
        text += f" (wersja {doc.version})"
    return text


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _published_on(campaign: models.Campaign) -> datetime | None:
    published = (campaign.data or {}).get("published") or {}
    try:
        day = date.fromisoformat(str(published.get("date")))
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
