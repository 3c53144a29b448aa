"""What each document needs: one typed dataclass per template, turned into a template context.

Callers build e.g. a :class:`PriceInquiry` and call ``render_document("zapytanie_o_cene",
inquiry.context())``. ``context()`` formats every value the Polish way (money, dates,
numbers) so templates only place ready text; the keys it returns are the placeholders a
template may use (``mailflow templates check`` compares the two).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from mailflow.documents.charts import Chart
from mailflow.documents.formatting import (
    NBSP,
    format_change,
    format_date,
    format_deadline,
    format_money,
    format_number,
    format_percent,
    format_short_date,
    local_time,
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
        return format_deadline(value)  # a stored (UTC) moment, shown on Warsaw's clock
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
    # "badanie satysfakcji klientów Urzędu Miasta ...": configured, never derived by rule
    name_genitive: str

    def extras(self) -> dict[str, Any]:
        return {"address": f"{self.street}, {unbroken_postcode(self.postcode)} {self.city}"}


def unbroken_postcode(postcode: str) -> str:
    """``"09-400"`` with a non-breaking hyphen, so a line never ends in ``"09-"``."""
    return postcode.replace("-", "\u2011")


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
        return {"address": ", ".join(self._postal_lines()) or self.email}

    def _postal_lines(self) -> tuple[str, ...]:
        town = f"{unbroken_postcode(self.postcode)} {self.city}".strip()
        return tuple(line for line in (self.street.strip(), town) if line)

    def as_addressee(self) -> Addressee:
        # Without a postal address (the config may omit it) the letter goes by e-mail only.
        lines = self._postal_lines() or (f"e-mail: {self.email}",)
        return Addressee(name=self.name, lines=lines, email=self.email)


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
    description: str = ""  # how points are given (``scoring.describe``)


@dataclass(frozen=True, kw_only=True)
class Quota:
    unit: str  # "Biuro Obsługi Klienta"
    interviews: int


@dataclass(frozen=True, kw_only=True)
class Deliverable:
    what: str
    due: date


def breakable_email(address: str) -> str:
    """An address that may wrap in a narrow column after its ``@`` and after the dots of its
    domain (zero-width spaces, Word's own optional break), never in the middle of a word."""
    local, at, domain = address.partition("@")
    if not at:
        return address
    return f"{local}@\u200b" + ".\u200b".join(domain.split("."))


# One late-offer rule and one offer-form rule (``[procurement]``), in the words of the inquiry.
LATE_OFFER_TEXTS = {
    "rejected": "Oferty złożone po upływie terminu nie będą rozpatrywane.",
    "accepted_until_comparison": "Oferta złożona po upływie terminu zostanie rozpatrzona, jeżeli "
    "wpłynie przed sporządzeniem zestawienia ofert.",
}
OFFER_FORM_TEXTS = {
    "form_required": "Ofertę należy złożyć wyłącznie na formularzu ofertowym stanowiącym "
    "załącznik do zapytania (wypełniony plik DOCX albo jego skan lub plik PDF). Oferta złożona "
    "w innej formie, w szczególności podana wyłącznie w treści wiadomości, nie będzie "
    "rozpatrywana.",
    "form_or_email": "Ofertę należy złożyć na formularzu ofertowym stanowiącym załącznik do "
    "zapytania (wypełniony plik DOCX albo jego skan lub plik PDF) albo w treści odpowiedzi na "
    "wiadomość, podając wszystkie dane, o które pyta formularz.",
}


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
    deliverables: list[Deliverable]
    offer_deadline: datetime  # a stored moment (UTC); printed on Warsaw's clock
    survey_by: date
    criteria: list[Criterion]
    reply_address: str  # the plus address carrying the token
    subject_tag: str  # "[IN13-2027-ZO-k7m2x9qa]"
    contact: Person  # name, job title, phone and e-mail of the office's contact person
    legal_basis: str
    reservations: list[str]
    conditions: list[str]
    questionnaire: str
    interviews: str
    quotas: list[Quota]
    licence: str
    payment_terms: str
    offer_validity_days: int
    cpv: list[str]
    late_offers: str  # a key of LATE_OFFER_TEXTS
    offer_form: str  # a key of OFFER_FORM_TEXTS

    def __post_init__(self) -> None:
        end_of_june = date(self.year, 6, 30)
        if self.survey_by > end_of_june:
            raise UserError(
                f"survey term {self.survey_by.isoformat()} is after the end of June {self.year}"
            )
        if local_time(self.offer_deadline).date() >= self.survey_by:
            raise UserError("the offer deadline must come before the survey term")
        if self.late_offers not in LATE_OFFER_TEXTS or self.offer_form not in OFFER_FORM_TEXTS:
            raise UserError(f"unknown rule {self.late_offers!r} or {self.offer_form!r}")

    def extras(self) -> dict[str, Any]:
        return {
            "addressee": plain(self.vendor.as_addressee()),
            "late_offer_rule": LATE_OFFER_TEXTS[self.late_offers],
            "offer_form_rule": OFFER_FORM_TEXTS[self.offer_form],
            "offer_valid_until": format_date(
                local_time(self.offer_deadline).date() + timedelta(days=self.offer_validity_days)
            ),
            "cpv_text": "; ".join(self.cpv),
        }


@dataclass(frozen=True, kw_only=True)
class OfferForm(Document):
    """4. Formularz ofertowy: the labelled table ``offer_form.read_offer_form`` reads back."""

    TITLE: ClassVar[str] = "Formularz ofertowy"

    subject: str  # "badanie satysfakcji klientów Urzędu Miasta ... w 2027 r. (400 wywiadów, ...)"
    notes: list[str]  # how to fill the fields the criteria score
    valid_until: date  # the offer must be valid at least until this day


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
    received_at: datetime | None = None  # when the offer in force arrived (UTC)
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

        answered = DASH
        if self.received_at is not None:
            local = local_time(self.received_at)
            answered = f"{format_short_date(local.date())}, godz.{NBSP}{local:%H:%M}"
        elif self.answered_on is not None:
            answered = format_short_date(self.answered_on)
        return {
            "status_label": VENDOR_STATUSES[self.status],
            "asked": format_short_date(self.asked_on),
            "answered": answered,
            "email_wrapped": breakable_email(self.email),
            "net": money(self.net),
            "gross": money(self.gross),
            "vat": DASH
            if self.vat_rate is None
            else ("zw." if self.vat_rate == "zw" else f"{self.vat_rate}%"),
        }


@dataclass(frozen=True, kw_only=True)
class Correction:
    """An offer replaced by the firm's later one: both are shown, the first as superseded."""

    vendor: str
    first_received_at: datetime
    first_net: Decimal | None
    first_gross: Decimal | None
    new_received_at: datetime
    new_net: Decimal | None
    new_gross: Decimal | None

    def extras(self) -> dict[str, Any]:
        def money(value: Decimal | None) -> str:
            return DASH if value is None else format_money(value)

        return {
            "first_net": money(self.first_net),
            "first_gross": money(self.first_gross),
            "new_net": money(self.new_net),
            "new_gross": money(self.new_gross),
        }


@dataclass(frozen=True, kw_only=True)
class Points:
    criterion: str
    weight_percent: int
    answer: str  # what the firm stated ("nie podano" when it did not)
    points: Decimal

    def extras(self) -> dict[str, Any]:
        return {"points": format_number(self.points), "line": self.line()}

    def line(self) -> str:
        return (
            f"{self.criterion} ({self.weight_percent}%): {self.answer} – "
            f"{format_number(self.points)}{NBSP}pkt"
        )


@dataclass(frozen=True, kw_only=True)
class ScoredOffer:
    place: int
    vendor: str
    points: list[Points]
    total: Decimal

    def extras(self) -> dict[str, Any]:
        return {"total": format_number(self.total)}


@dataclass(frozen=True, kw_only=True)
class PreviousContract:
    """A contract of an earlier year for the same yearly service (art. 34 Pzp)."""

    year: int
    contractor: str
    net: Decimal


@dataclass(frozen=True, kw_only=True)
class EurRate:
    """The PLN/EUR rate for procurement values, in force from a date, with its source."""

    rate: Decimal  # 4.31 for 2026-2027
    in_force_from: date
    legal_basis: str  # the announcement it comes from (art. 3 ust. 3 Pzp)


def eur_equivalent(net: Decimal, rate: Decimal) -> Decimal:
    return (net / rate).quantize(Decimal("0.01"))


@dataclass(frozen=True, kw_only=True)
class QuoteComparison(Letter):
    """5. Zestawienie ofert / notatka z rozeznania rynku, for the OS manager."""

    TITLE: ClassVar[str] = "Zestawienie ofert – notatka z rozeznania rynku"

    addressee: Addressee
    subject: str
    vendors: list[VendorOutcome]
    offer_deadline: datetime  # UTC
    late_offers: str  # a key of LATE_OFFER_TEXTS
    offer_form: str  # a key of OFFER_FORM_TEXTS
    corrections: list[Correction]
    criteria: list[Criterion]
    ranking: list[ScoredOffer]
    estimated_value_net: Decimal  # Pzp art. 28: net of VAT
    estimation_basis: str  # how the estimate was reached
    estimate_date: date
    previous_contracts: list[PreviousContract]  # art. 34: the same service in earlier years
    eur_rate: EurRate
    recommended: str | None  # vendor name, or None when no offer can be recommended
    recommendation_reason: str = ""
    threshold_net: Decimal = PZP_THRESHOLD_NET

    def extras(self) -> dict[str, Any]:
        eur = eur_equivalent(self.estimated_value_net, self.eur_rate.rate)
        under = self.estimated_value_net < self.threshold_net
        threshold = format_money(self.threshold_net)
        return {
            "estimated_value_words": money_in_words(self.estimated_value_net),
            "estimated_value_eur": f"{format_money(eur)[:-3]}{NBSP}euro",
            "eur_rate_text": format_number(self.eur_rate.rate, 4).rstrip("0").rstrip(",")
            + f"{NBSP}zł/euro",
            "threshold": threshold,
            "under_threshold": under,
            "threshold_statement": (
                f"nie przekracza kwoty {threshold} netto, o której mowa w art. 2 ust. 1 pkt 1 "
                "ustawy – Prawo zamówień publicznych; do zamówienia nie stosuje się tej ustawy"
                if under
                else f"osiąga lub przekracza kwotę {threshold} netto, o której mowa w art. 2 "
                "ust. 1 pkt 1 ustawy – Prawo zamówień publicznych; zamówienia należy udzielić "
                "w trybie tej ustawy"
            ),
            "offers_count": sum(1 for v in self.vendors if v.status in ("offer", "late")),
            "scored_count": len(self.ranking),
            "asked_count": len(self.vendors),
            "late_offer_rule": LATE_OFFER_TEXTS[self.late_offers],
            "offer_form_rule": OFFER_FORM_TEXTS[self.offer_form],
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
