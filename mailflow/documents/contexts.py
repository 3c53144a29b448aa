"""What each document needs: one typed dataclass per template, turned into a template context.

Callers build e.g. a :class:`PriceInquiry` and call ``render_document("zapytanie_o_cene",
inquiry.context())``. ``context()`` formats every value the Polish way (money, dates,
numbers) so templates only place ready text; the keys it returns are the placeholders a
template may use (``mailflow templates check`` compares the two).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from mailflow.documents.charts import Chart
from mailflow.documents.formatting import (
    format_change,
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    format_short_date,
    money_in_words,
)
from mailflow.errors import UserError

# Pzp art. 2 ust. 1 pkt 1: the Act applies from this estimated value (net of VAT).
PZP_THRESHOLD_NET = Decimal("130000")
DASH = "—"


def plain(value: Any) -> Any:
    """A value as a template shows it: Polish text for money and dates, dicts for records."""
    if isinstance(value, Chart | str | bool | int) or value is None:
        return value
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        record = {f.name: plain(getattr(value, f.name)) for f in fields(value)}
        extras = getattr(value, "extras", None)
        if extras is not None:
            record.update(extras())
        return record
    raise TypeError(f"no template form for {type(value).__name__}")


# ---------------------------------------------------------------- shared pieces


@dataclass(frozen=True, kw_only=True)
class Office:
    name: str  # "Urząd Miasta Przykładowo"
    legal_name: str  # the contracting authority: "Gmina Miasto Przykładowo"
    street: str
    postcode: str
    city: str
    nip: str
    regon: str
    bip_url: str
    email: str
    phone: str = ""
    unit: str = "Oddział Komunikacji Społecznej"
    data_protection_email: str = ""  # the data protection officer (IOD), for the RODO clause
    # "badanie satysfakcji klientów Urzędu Miasta ...": the genitive, derived when not given
    name_genitive: str = ""

    def extras(self) -> dict[str, Any]:
        return {
            "address": f"{self.street}, {self.postcode} {self.city}",
            "name_genitive": self.name_genitive or genitive_office_name(self.name),
        }


def genitive_office_name(name: str) -> str:
    """``"Urząd Miasta X"`` → ``"Urzędu Miasta X"``; other names are left as written."""
    for nominative, genitive in (("Urząd ", "Urzędu "), ("Starostwo ", "Starostwa ")):
        if name.startswith(nominative):
            return genitive + name[len(nominative) :]
    return name


@dataclass(frozen=True, kw_only=True)
class Person:
    name: str
    position: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True, kw_only=True)
class Addressee:
    name: str
    lines: tuple[str, ...] = ()  # position or firm, street, postcode and city
    email: str = ""


@dataclass(frozen=True, kw_only=True)
class Vendor:
    name: str
    street: str
    postcode: str
    city: str
    email: str
    nip: str = ""

    def extras(self) -> dict[str, Any]:
        return {"address": f"{self.street}, {self.postcode} {self.city}"}

    def as_addressee(self) -> Addressee:
        return Addressee(
            name=self.name, lines=(self.street, f"{self.postcode} {self.city}"), email=self.email
        )


TOPIC_SOURCES = {
    "own_observation": "własna obserwacja",
    "previous_results": "wyniki poprzedniego badania",
    "bok": "Biuro Obsługi Klienta",
    "complaints": "skargi, wnioski i interwencje",
    "unit": "komórka organizacyjna",
}


@dataclass(frozen=True, kw_only=True)
class Topic:
    title: str
    source: str  # a key of TOPIC_SOURCES
    discussion: str
    source_detail: str = ""  # who exactly: "Wydział Komunikacji", "skarga z 12.01.2027"

    def __post_init__(self) -> None:
        if self.source not in TOPIC_SOURCES:
            raise UserError(
                f"topic {self.title!r}: unknown source {self.source!r}"
                f" (one of {', '.join(TOPIC_SOURCES)})"
            )

    def extras(self) -> dict[str, Any]:
        label = TOPIC_SOURCES[self.source]
        detail = f" ({self.source_detail})" if self.source_detail else ""
        return {"source_label": label + detail}


@dataclass(frozen=True, kw_only=True)
class Indicator:
    """One question's result, as ``mailflow results`` computes it."""

    label: str
    n: int
    mean: float
    ci_low: float
    ci_high: float
    top2_share: float
    top2_ci_low: float
    top2_ci_high: float
    previous_mean: float | None = None

    def extras(self) -> dict[str, Any]:
        return {
            "mean_ci": f"{format_number(self.ci_low)}–{format_number(self.ci_high)}",
            "top2": format_percent(self.top2_share),
            "top2_ci": (
                f"{format_number(self.top2_ci_low * 100, 1)}–"
                f"{format_number(self.top2_ci_high * 100, 1)}%"
            ),
            "previous": DASH if self.previous_mean is None else format_number(self.previous_mean),
            "change": (
                DASH
                if self.previous_mean is None
                else format_change(Decimal(str(self.mean)) - Decimal(str(self.previous_mean)))
            ),
        }


@dataclass(frozen=True, kw_only=True)
class Irregularity:
    subject: str  # the question or area: "Czas oczekiwania w Wydziale Komunikacji"
    finding: str  # what the results show
    rule: str  # the explicit rule that flagged it: "średnia poniżej 3,50"


@dataclass(frozen=True, kw_only=True)
class AuditGuideline:
    what: str  # what to examine
    where: str  # which unit / place
    evidence: str  # which records or evidence to look at


ACTION_KINDS = {
    "correction": "korekcja",
    "corrective": "działanie korygujące",
    "preventive": "działanie zapobiegawcze",
}


@dataclass(frozen=True, kw_only=True)
class Action:
    kind: str  # a key of ACTION_KINDS
    description: str
    owner: str
    due: date

    def __post_init__(self) -> None:
        if self.kind not in ACTION_KINDS:
            raise UserError(f"action {self.description!r}: unknown kind {self.kind!r}")

    def extras(self) -> dict[str, Any]:
        return {"kind_label": ACTION_KINDS[self.kind], "due_short": format_short_date(self.due)}


@dataclass(frozen=True, kw_only=True)
class Criterion:
    name: str
    weight_percent: int


# ---------------------------------------------------------------- the documents


@dataclass(frozen=True, kw_only=True)
class Document:
    """Fields every document shares; ``context()`` is what the template receives."""

    TITLE: ClassVar[str] = ""

    office: Office
    case_ref: str  # "Znak sprawy": OS.0543.3.2027
    date: date
    year: int

    def extras(self) -> dict[str, Any]:
        return {}

    def context(self) -> dict[str, Any]:
        values = {f.name: plain(getattr(self, f.name)) for f in fields(self)}
        values.update(self.extras())
        values["document_title"] = f"{self.TITLE} {self.year}"
        values["place_date"] = f"{self.office.city}, {format_date(self.date)}"
        values["date_iso"] = self.date.isoformat()
        return values


@dataclass(frozen=True, kw_only=True)
class Letter(Document):
    """A letter: someone signs it and someone handles the case."""

    signatory: Person
    handled_by: Person


@dataclass(frozen=True, kw_only=True)
class CallForTopics(Letter):
    """1. Prośba o zgłoszenie zagadnień, to the BOK manager, complaints officer and unit heads."""

    TITLE: ClassVar[str] = "Prośba o zgłoszenie zagadnień do badania satysfakcji klientów"

    recipients: list[Person]
    reply_by: date
    reply_address: str
    form_rows: int = 5

    def extras(self) -> dict[str, Any]:
        return {"blank_rows": list(range(1, self.form_rows + 1))}


@dataclass(frozen=True, kw_only=True)
class TopicCatalogue(Letter):
    """2. Katalog zagadnień: every topic with its source and discussion."""

    TITLE: ClassVar[str] = "Katalog zagadnień do badania satysfakcji klientów"

    topics: list[Topic]

    def extras(self) -> dict[str, Any]:
        return {"source_labels": list(TOPIC_SOURCES.values())}


@dataclass(frozen=True, kw_only=True)
class PriceInquiry(Letter):
    """3. Zapytanie o cenę, one per vendor."""

    TITLE: ClassVar[str] = "Zapytanie o cenę – badanie satysfakcji klientów"

    vendor: Vendor
    scope: list[str]  # topic titles from the catalogue
    method: str
    sample_size: int
    deliverables: list[str]
    offer_deadline: datetime
    survey_by: date
    criteria: list[Criterion]
    reply_address: str  # the plus address carrying the token
    subject_tag: str  # "[IN13-2027-ZO-k7m2x9qa]"

    def __post_init__(self) -> None:
        end_of_june = date(self.year, 6, 30)
        if self.survey_by > end_of_june:
            raise UserError(
                f"survey term {self.survey_by.isoformat()} is after the end of June {self.year}"
            )
        if self.offer_deadline.date() >= self.survey_by:
            raise UserError("the offer deadline must come before the survey term")

    def extras(self) -> dict[str, Any]:
        return {"addressee": plain(self.vendor.as_addressee())}


@dataclass(frozen=True, kw_only=True)
class OfferForm(Document):
    """4. Formularz ofertowy: the labelled table ``offer_form.read_offer_form`` reads back."""

    TITLE: ClassVar[str] = "Formularz ofertowy"

    subject: str  # "badanie satysfakcji klientów Urzędu Miasta w 2027 r. (400 wywiadów, ...)"


VENDOR_STATUSES = {
    "offer": "złożył ofertę",
    "late": "oferta po terminie",
    "declined": "odmówił złożenia oferty",
    "bounced": "wiadomość niedoręczona",
    "no_reply": "brak odpowiedzi",
}


@dataclass(frozen=True, kw_only=True)
class VendorOutcome:
    name: str
    email: str
    asked_on: date
    status: str  # a key of VENDOR_STATUSES
    answered_on: date | None = None
    net: Decimal | None = None
    vat_rate: str | None = None  # "23", "zw"
    gross: Decimal | None = None
    remarks: str = ""

    def __post_init__(self) -> None:
        if self.status not in VENDOR_STATUSES:
            raise UserError(f"vendor {self.name!r}: unknown status {self.status!r}")

    def extras(self) -> dict[str, Any]:
        def money(value: Decimal | None) -> str:
            return DASH if value is None else format_money(value)

        return {
            "status_label": VENDOR_STATUSES[self.status],
            "asked": format_short_date(self.asked_on),
            "answered": DASH if self.answered_on is None else format_short_date(self.answered_on),
            "net": money(self.net),
            "gross": money(self.gross),
            "vat": DASH
            if self.vat_rate is None
            else ("zw." if self.vat_rate == "zw" else f"{self.vat_rate}%"),
        }


@dataclass(frozen=True, kw_only=True)
class EurRate:
    """The PLN/EUR rate for procurement values, set by regulation and in force from a date."""

    rate: Decimal  # 4.31 for 2026-2027
    in_force_from: date
    legal_basis: str


def eur_equivalent(net: Decimal, rate: Decimal) -> Decimal:
    return (net / rate).quantize(Decimal("0.01"))


@dataclass(frozen=True, kw_only=True)
class QuoteComparison(Letter):
    """5. Zestawienie ofert / notatka z rozeznania rynku, for the OS manager."""

    TITLE: ClassVar[str] = "Zestawienie ofert – notatka z rozeznania rynku"

    addressee: Addressee
    subject: str
    vendors: list[VendorOutcome]
    estimated_value_net: Decimal  # Pzp art. 28: net of VAT
    estimation_basis: str  # how the estimate was reached
    eur_rate: EurRate
    recommended: str | None  # vendor name, or None when no valid offer
    recommendation_reason: str = ""

    def extras(self) -> dict[str, Any]:
        eur = eur_equivalent(self.estimated_value_net, self.eur_rate.rate)
        under = self.estimated_value_net < PZP_THRESHOLD_NET
        return {
            "estimated_value_words": money_in_words(self.estimated_value_net),
            "estimated_value_eur": f"{format_money(eur)[:-3]}\u00a0euro",
            "eur_rate_text": format_number(self.eur_rate.rate, 4).rstrip("0").rstrip(",")
            + "\u00a0zł/euro",
            "threshold": format_money(PZP_THRESHOLD_NET),
            "under_threshold": under,
            "threshold_statement": (
                "nie przekracza kwoty 130 000 zł netto, o której mowa w art. 2 ust. 1 pkt 1 "
                "ustawy Prawo zamówień publicznych – do zamówienia nie stosuje się tej ustawy"
                if under
                else "przekracza kwotę 130 000 zł netto, o której mowa w art. 2 ust. 1 pkt 1 "
                "ustawy Prawo zamówień publicznych – zamówienie należy udzielić w trybie tej ustawy"
            ),
            "offers_count": sum(1 for v in self.vendors if v.status == "offer"),
            "asked_count": len(self.vendors),
        }


@dataclass(frozen=True, kw_only=True)
class LetterToContractor(Letter):
    """6. Pismo do wykonawcy: the catalogue with its discussion and the agreed survey term."""

    TITLE: ClassVar[str] = "Pismo do wykonawcy – katalog zagadnień"

    contractor: Vendor
    contract_ref: str
    contract_date: date
    topics: list[Topic]
    survey_term: date
    term_change_reason: str = ""  # recorded justification when the term moved

    def extras(self) -> dict[str, Any]:
        return {"addressee": plain(self.contractor.as_addressee())}


@dataclass(frozen=True, kw_only=True)
class ResultsMemo(Letter):
    """7. Informacja o wynikach badania, for the OS manager, the Plenipotentiary, the Mayor."""

    TITLE: ClassVar[str] = "Informacja o wynikach badania satysfakcji klientów"

    recipients: list[Person]
    previous_year: int
    contractor_name: str
    survey_period: str
    method: str
    respondents: int
    indicators: list[Indicator]
    charts: list[Chart]
    irregularities: list[Irregularity]
    conclusions: list[str]


@dataclass(frozen=True, kw_only=True)
class AuditOrder(Letter):
    """8. Polecenie przeprowadzenia auditu wewnętrznego, from the Plenipotentiary."""

    TITLE: ClassVar[str] = "Polecenie przeprowadzenia auditu wewnętrznego"

    addressee: Addressee
    audit_team: list[Person]
    irregularities: list[Irregularity]
    guidelines: list[AuditGuideline]
    actions: list[Action]
    audit_by: date
    report_by: date


@dataclass(frozen=True, kw_only=True)
class Publication(Document):
    """9. Publikacja wyników: accessible document (and HTML for the BIP page)."""

    TITLE: ClassVar[str] = "Wyniki badania satysfakcji klientów"

    previous_year: int
    summary: list[str]
    contractor_name: str
    survey_period: str
    method: str
    respondents: int
    indicators: list[Indicator]
    charts: list[Chart]
    conclusions: list[str]
    planned_actions: list[str] = field(default_factory=list)
    contact: Person

    def context(self) -> dict[str, Any]:
        values = super().context()
        office = values["office"]["name_genitive"]
        values["document_title"] = f"Wyniki badania satysfakcji klientów {office} w {self.year} r."
        return values


CONTEXT_TYPES: dict[str, type[Document]] = {
    "prosba_o_zagadnienia": CallForTopics,
    "katalog_zagadnien": TopicCatalogue,
    "zapytanie_o_cene": PriceInquiry,
    "formularz_ofertowy": OfferForm,
    "zestawienie_ofert": QuoteComparison,
    "pismo_do_wykonawcy": LetterToContractor,
    "informacja_o_wynikach": ResultsMemo,
    "polecenie_auditu": AuditOrder,
    "publikacja_wynikow": Publication,
}
DOCUMENT_NAMES: tuple[str, ...] = tuple(CONTEXT_TYPES)
