"""One typed configuration object, built once from TOML and the environment, then passed down.

Loading checks every key and reports *every* problem at once, each with its TOML key, so an
official fixing a config file sees the whole list in one go. Secrets never live in the file:
keys ending in ``_env`` name an environment variable, read here and nowhere else. Any key can
be overridden by ``MAILFLOW_<SECTION>_<KEY>`` (e.g. ``MAILFLOW_IMAP_PORT``).
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from mailflow.errors import ConfigError, UserError
from mailflow.offer_form import EXPERIENCE_LABEL

ROLES = (
    "coordinator",
    "os_manager",
    "bok_manager",
    "complaints_officer",
    "plenipotentiary",
    "mayor",
)
LIST_ROLES = ("unit_heads", "audit_team")
SECURITY_MODES = ("tls", "starttls", "none")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    email: str
    position: str = ""  # job title as letters print it: "inspektor w Oddziale ..."
    phone: str = ""


@dataclass(frozen=True)
class Addressing:
    """How e-mails address a person: "Szanowna Pani Kierownik" is gender f, title Kierownik.

    ``title`` is written as the salutation uses it (the vocative for men: "Prezydencie",
    "Kierowniku"); an empty gender means a team or a shared address ("Szanowni Państwo").
    """

    gender: str = ""  # "f", "m" or "" (a team)
    title: str = ""


@dataclass(frozen=True)
class Signature:
    """The person and office that sign every e-mail: name, position, unit, phone, address."""

    name: str
    position: str
    unit: str
    phone: str
    email: str


@dataclass(frozen=True)
class Vendor:
    key: str
    name: str
    email: str
    nip: str | None = None
    street: str = ""
    postcode: str = ""
    city: str = ""


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    security: str
    username: str
    # Secrets stay out of repr(), so a traceback or a test failure never prints them.
    password: str | None = field(repr=False)  # from password_env
    oauth2_token: str | None = field(repr=False)  # from oauth2_token_env
    oauth2_token_command: str | None
    folder: str = "INBOX"
    processed_folder: str = "mailflow/processed"
    quarantine_folder: str = "mailflow/quarantine"
    move_processed: bool = True
    shared_mailbox: bool = True
    use_idle: bool = True
    poll_seconds: int = 60
    batch_size: int = 500
    timeout_seconds: int = 30
    max_message_bytes: int = 25_000_000


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str
    username: str | None
    password: str | None = field(repr=False)
    from_address: str
    sent_folder: str | None = "Sent"
    timeout_seconds: int = 30
    max_per_recipient_per_hour: int = 20
    # Gmail and Microsoft 365 file each message sent through them in the Sent folder
    # themselves: mailflow then only looks there (crash recovery) and never appends a copy.
    server_files_sent: bool = False
    # RFC 5321 asks a client to wait 10 minutes for the reply to the final dot.
    final_reply_timeout_seconds: int = 600

    @property
    def domain(self) -> str:
        return self.from_address.partition("@")[2]


@dataclass(frozen=True)
class OfficeConfig:
    name: str  # "Urząd Miasta Przykładowo"
    name_genitive: str  # "Urzędu Miasta Przykładowo": configured, never derived
    legal_name: str  # the contracting authority: "Gmina Miasto Przykładowo"
    street: str
    postcode: str
    city: str
    nip: str
    regon: str
    bip_url: str
    case_prefix: str  # "Znak sprawy" prefix, e.g. "OS.0543.3"
    phone: str = ""
    data_protection_email: str = ""  # the data protection officer, for the RODO clause
    unit: str = "Oddział Komunikacji Społecznej"

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"


@dataclass(frozen=True)
class IrregularityRulesConfig:
    min_top2_share: float = 0.6
    significant_drop_alpha: float = 0.05
    segment_gap: float = 0.5
    min_n: int = 30


@dataclass(frozen=True)
class ProcedureConfig:
    start_on: str = "01-15"  # month-day the yearly campaign starts
    topics_by_days: int = 10  # working days contributors have to send topics
    offers_by_days: int = 10  # working days vendors have to send offers
    reminder_before_days: int = 2  # remind this many working days before a deadline
    approval_days: int = 5  # working days an approver has before a reminder
    escalate_after_days: int = 3  # further working days before escalation to the deputy
    contract_by: str = "06-15"
    survey_by: str = "06-30"
    min_vendors: int = 3
    sample_size: int = 400
    offer_deadline_hour: str = "12:00"
    eur_rate: dict[date, Decimal] = field(default_factory=dict)
    # Where each rate comes from, by the same dates (printed in the comparison of offers).
    eur_rate_source: dict[date, str] = field(default_factory=dict)
    pzp_threshold_net: Decimal = Decimal("130000.00")
    require_dmarc: bool = False
    # The authserv-id our receiving server writes into Authentication-Results (RFC 8601);
    # only its header is read. Required when require_dmarc is on.
    authserv_id: str = ""
    rules: IrregularityRulesConfig = field(default_factory=IrregularityRulesConfig)

    def eur_rate_on(self, day: date) -> Decimal | None:
        """The PLN/EUR rate in force on ``day``: the latest entry not after it."""
        valid = [d for d in self.eur_rate if d <= day]
        return self.eur_rate[max(valid)] if valid else None

    def eur_rate_entry(self, day: date) -> tuple[date, Decimal, str] | None:
        """The rate in force on ``day`` with the date it applies from and its source."""
        valid = [d for d in self.eur_rate if d <= day]
        if not valid:
            return None
        start = max(valid)
        return start, self.eur_rate[start], self.eur_rate_source.get(start, EUR_RATE_SOURCE)


# ---------------------------------------------------------------- procurement (price inquiry)

EUR_RATE_SOURCE = (
    "obwieszczenie Prezesa Urzędu Zamówień Publicznych w sprawie średniego kursu złotego "
    "w stosunku do euro stanowiącego podstawę przeliczania wartości zamówień publicznych, "
    "wydane na podstawie art. 3 ust. 3 ustawy z dnia 11 września 2019 r. – Prawo zamówień "
    "publicznych"
)
CRITERION_FORMULAS = ("lowest_price", "stated_number")
PRICE_BASES = ("gross", "net")
# What happens to an offer that arrives after the deadline; one rule for the inquiry, the
# e-mails and the comparison.
LATE_OFFER_RULES = ("rejected", "accepted_until_comparison")
# In what form an offer counts: only on the offer form, or also as prices in an e-mail.
OFFER_FORM_RULES = ("form_required", "form_or_email")


@dataclass(frozen=True, kw_only=True)
class Criterion:
    """A published criterion for choosing the offer (see ``mailflow.documents.scoring``)."""

    name: str  # "Cena brutto"
    weight: int  # percent; the weights add up to 100
    formula: str  # one of CRITERION_FORMULAS
    price_basis: str = "gross"  # lowest_price: which price is compared
    form_label: str = ""  # stated_number: the offer form's field the firm fills in
    scale: tuple[tuple[int, int], ...] = ()  # stated_number: (at least N, points), ascending


DEFAULT_CRITERIA = (
    Criterion(name="Cena brutto", weight=80, formula="lowest_price"),
    Criterion(
        name="Doświadczenie w badaniach dla administracji publicznej",
        weight=20,
        formula="stated_number",
        form_label=EXPERIENCE_LABEL,
        scale=((0, 0), (1, 5), (3, 10), (5, 20)),
    ),
)


@dataclass(frozen=True, kw_only=True)
class Deliverable:
    what: str  # "raport z badania ..."
    due: str  # month-day in the campaign year, "07-15"


@dataclass(frozen=True, kw_only=True)
class ProcurementConfig:
    """What the price inquiry promises and how offers are compared; defaults fit an office
    choosing a survey firm below the Pzp threshold under its own rules."""

    criteria: tuple[Criterion, ...] = DEFAULT_CRITERIA
    late_offers: str = "rejected"
    offer_form: str = "form_or_email"
    legal_basis: str = (
        "Zamówienie o wartości nieprzekraczającej kwoty 130\u00a0000\u00a0zł netto, do którego "
        "zgodnie z art. 2 ust. 1 pkt 1 ustawy z dnia 11 września 2019 r. – Prawo zamówień "
        "publicznych nie stosuje się przepisów tej ustawy. Zapytanie prowadzone jest na "
        "podstawie regulaminu udzielania zamówień o wartości nieprzekraczającej kwoty "
        "130\u00a0000\u00a0zł netto obowiązującego u Zamawiającego, w celu rozeznania rynku "
        "i oszacowania wartości zamówienia."
    )
    reservations: tuple[str, ...] = (
        "Niniejsze zapytanie nie jest ofertą w rozumieniu art. 66 Kodeksu cywilnego ani "
        "ogłoszeniem o zamówieniu w rozumieniu ustawy – Prawo zamówień publicznych.",
        "Zamawiający zastrzega sobie prawo do unieważnienia zapytania na każdym etapie bez "
        "podania przyczyny oraz do niewybrania żadnej oferty; wykonawcom nie przysługują "
        "z tego tytułu żadne roszczenia.",
        "Złożenie oferty nie zobowiązuje Zamawiającego do zawarcia umowy; koszty "
        "przygotowania oferty ponosi wykonawca.",
    )
    conditions: tuple[str, ...] = (
        "w okresie ostatnich 3 lat przed upływem terminu składania ofert (a jeżeli okres "
        "prowadzenia działalności jest krótszy – w tym okresie) zrealizowali co najmniej jedno "
        "badanie satysfakcji klientów lub badanie opinii na zlecenie podmiotu publicznego;",
        "dysponują zespołem zdolnym do realizacji zamówienia, w tym ankieterami przeszkolonymi "
        "w prowadzeniu wywiadów;",
        "nie podlegają wykluczeniu na podstawie art. 7 ust. 1 ustawy z dnia 13 kwietnia 2022 r. "
        "o szczególnych rozwiązaniach w zakresie przeciwdziałania wspieraniu agresji na "
        "Ukrainę oraz służących ochronie bezpieczeństwa narodowego.",
    )
    questionnaire: str = (
        "Wykonawca opracuje projekt kwestionariusza obejmujący wszystkie zagadnienia z katalogu "
        "i przedstawi go Zamawiającemu do akceptacji. Zamawiający może zgłosić uwagi, które "
        "wykonawca uwzględni w ciągu 3 dni roboczych. Wywiady rozpoczną się po akceptacji "
        "kwestionariusza przez Zamawiającego."
    )
    interviews: str = (
        "Wywiady zostaną przeprowadzone w budynkach Urzędu, z pełnoletnimi klientami po "
        "załatwieniu sprawy, w różnych dniach tygodnia i godzinach pracy Urzędu."
    )
    quotas: tuple[tuple[str, int], ...] = ()  # (unit, interviews), adding up to the sample
    deliverables: tuple[Deliverable, ...] = (
        Deliverable(
            what="raport z badania z analizą wyników i porównaniem z poprzednim rokiem",
            due="07-10",
        ),
        Deliverable(what="zbiór danych (XLSX, CSV lub SAV) z opisem zmiennych", due="07-10"),
        Deliverable(what="prezentacja wyników dla kierownictwa Urzędu", due="07-20"),
    )
    licence: str = (
        "Wykonawca przenosi na Zamawiającego, z chwilą odbioru, autorskie prawa majątkowe do "
        "kwestionariusza, raportu, prezentacji i zbioru danych, bez ograniczeń czasowych "
        "i terytorialnych, na polach eksploatacji: utrwalanie i zwielokrotnianie dowolną "
        "techniką, wprowadzanie do pamięci komputera, publikacja w Biuletynie Informacji "
        "Publicznej i na stronie internetowej Zamawiającego, udostępnianie na podstawie ustawy "
        "o dostępie do informacji publicznej oraz wykorzystywanie fragmentów w opracowaniach "
        "Zamawiającego. Wynagrodzenie za przeniesienie praw jest zawarte w cenie oferty."
    )
    payment_terms: str = (
        "Wynagrodzenie zostanie zapłacone jednorazowo, przelewem, w terminie 30 dni od dnia "
        "doręczenia prawidłowo wystawionej faktury, wystawionej po odbiorze raportu, zbioru "
        "danych i prezentacji bez zastrzeżeń. Zamawiający nie przewiduje zaliczek."
    )
    offer_validity_days: int = 30  # days after the offer deadline
    cpv: tuple[str, ...] = (
        "79311000-7 Usługi w zakresie badań ankietowych",
        "79320000-3 Usługi w zakresie badania opinii publicznej",
    )
    contact_role: str = "coordinator"  # whose name, job title and phone the inquiry gives


@dataclass(frozen=True)
class WebConfig:
    enabled: bool = True
    bind: str = "127.0.0.1"
    port: int = 8080
    secret_key: str | None = field(default=None, repr=False)
    secure_cookies: bool = True
    base_url: str = "http://127.0.0.1:8080/"


# JRWA (jednolity rzeczowy wykaz akt): a class symbol is 1 to 4 digits; an archival category is
# A (kept for ever, handed to the state archive), B<n> (kept n years), BE<n> (n years, then the
# state archive assesses it) or Bc (of passing use: disposable once used).
_JRWA_SYMBOL = re.compile(r"^\d{1,4}$")
_JRWA_CATEGORY = re.compile(r"^(A|B[1-9]\d?|BE[1-9]\d?|Bc)$")


@dataclass(frozen=True)
class JrwaClass:
    symbol: str  # "272"
    title: str  # the class's heading (hasło klasyfikacyjne)
    category: str  # "A", "B5", "BE10", "Bc"


@dataclass(frozen=True)
class RecordsConfig:
    """The office's file plan as far as the survey case needs it (``[records]``)."""

    case_class: str = "0543"
    # IN-13 step -> JRWA symbol, for the items of a step kept under another class
    step_classes: dict[int, str] = field(default_factory=lambda: {1: "272", 2: "273"})
    classes: dict[str, JrwaClass] = field(
        default_factory=lambda: {
            "0543": JrwaClass("0543", "Badania opinii i satysfakcji klientów", "B5"),
            "272": JrwaClass(
                "272", "Dokumentacja postępowań o udzielenie zamówień publicznych", "B5"
            ),
            "273": JrwaClass("273", "Umowy", "B10"),
        }
    )

    def class_for_step(self, step: int | None) -> JrwaClass:
        symbol = self.step_classes.get(step, self.case_class) if step is not None else None
        return self.classes[symbol or self.case_class]


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "INFO"
    format: str = "text"  # "text" for a terminal, "json" lines for production


@dataclass(frozen=True)
class Config:
    path: Path
    data_dir: Path
    database_url: str
    imap: ImapConfig
    smtp: SmtpConfig
    office: OfficeConfig
    people: dict[str, Person]
    roles: dict[str, str]  # role -> person key
    list_roles: dict[str, tuple[str, ...]]  # unit_heads, audit_team -> person keys
    deputies: dict[str, str]  # role -> person key of the deputy for escalation
    vendors: dict[str, Vendor]
    procedure: ProcedureConfig
    web: WebConfig
    logging: LoggingConfig
    template_dir: Path | None = None
    procurement: ProcurementConfig = field(default_factory=ProcurementConfig)
    records: RecordsConfig = field(default_factory=RecordsConfig)
    secrets: tuple[str, ...] = field(default=(), repr=False)  # so logs can mask them
    addressing: dict[str, Addressing] = field(default_factory=dict)  # person key -> form
    signature: Signature | None = None

    def addressing_of(self, email: str) -> Addressing:
        """The salutation data of whoever has this address; a firm or stranger: Państwo."""
        email = email.lower()
        for person in self.people.values():
            if person.email.lower() == email:
                return self.addressing.get(person.key, Addressing())
        return Addressing()

    def person_for(self, role: str) -> Person:
        return self.people[self.roles[role]]

    def people_for(self, role: str) -> list[Person]:
        if role in self.roles:
            return [self.person_for(role)]
        return [self.people[key] for key in self.list_roles.get(role, ())]

    def role_of(self, email: str) -> list[str]:
        """Every role the person with this address holds."""
        email = email.lower()
        found = [r for r, key in self.roles.items() if self.people[key].email.lower() == email]
        for role, keys in self.list_roles.items():
            if any(self.people[k].email.lower() == email for k in keys):
                found.append(role)
        return found


_HOSTNAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,127}")


class _Reader:
    """Walks a TOML table collecting problems instead of stopping at the first one."""

    def __init__(
        self,
        raw: Mapping[str, Any],
        env: Mapping[str, str],
        require_secrets: bool,
        mail_secrets: bool = True,
    ) -> None:
        self.raw = raw
        self.env = env
        self.require_secrets = require_secrets
        self.mail_secrets = mail_secrets
        self.problems: list[str] = []
        self.secrets: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    def table(self, key: str, required: bool = True) -> Mapping[str, Any]:
        node: Any = self.raw
        for part in key.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is None:
            if required:
                self.problem(key, "missing section")
            return {}
        if not isinstance(node, Mapping):
            self.problem(key, "must be a table")
            return {}
        return node

    def _override(self, key: str) -> str | None:
        return self.env.get("MAILFLOW_" + key.replace(".", "_").upper())

    def value(self, table: Mapping[str, Any], key: str, kind: type, default: Any = ...) -> Any:
        """Read ``key`` (dotted, for messages) from ``table``, checking its type."""
        name = key.rsplit(".", 1)[-1]
        override = self._override(key)
        if override is not None:
            return self._coerce(key, override, kind)
        if name not in table:
            if default is ...:
                self.problem(key, "missing")
                return None
            return default
        value = table[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            self.problem(key, f"must be {_kind_name(kind)}, got {value!r}")
            return None if default is ... else default
        return value

    def _coerce(self, key: str, text: str, kind: type) -> Any:
        try:
            if kind is bool:
                if text.lower() in ("1", "true", "yes", "on"):
                    return True
                if text.lower() in ("0", "false", "no", "off"):
                    return False
                raise ValueError
            return kind(text)
        except ValueError:
            self.problem(key, f"environment override must be {_kind_name(kind)}, got {text!r}")
            return None

    def secret(
        self, table: Mapping[str, Any], key: str, required: bool, mail: bool = False
    ) -> str | None:
        """The value of the environment variable that ``key`` (ending in _env) names.

        A mail secret (IMAP/SMTP) is not even read when the process has no use for it
        (``mail_secrets=False``, the status page): it never holds the mailbox passwords.
        """
        var = self.value(table, key, str, None)
        if var is None:
            if required:
                self.problem(key, "missing (name of the environment variable with the secret)")
            return None
        if not _ENV_NAME.fullmatch(var):
            # Never echo it: a value that is no variable name is most likely the secret itself.
            self.problem(
                key,
                "must name an environment variable (capital letters, digits, _); the value "
                "looks like something else — was the secret itself pasted here? (not shown)",
            )
            return None
        if mail and not self.mail_secrets:
            return None
        secret = self.env.get(var)
        if secret is None or secret == "":
            if self.require_secrets:
                self.problem(key, f"environment variable {var} is not set")
            return None
        self.secrets.append(secret)
        return secret

    def email(self, table: Mapping[str, Any], key: str) -> str:
        value = self.value(table, key, str)
        if value is not None and not _EMAIL.match(value):
            self.problem(key, f"not an e-mail address: {value!r}")
        return value or ""

    def choice(
        self, table: Mapping[str, Any], key: str, options: tuple[str, ...], default: Any = ...
    ) -> str:
        value = self.value(table, key, str, default)
        if value is not None and value not in options:
            self.problem(key, f"must be one of {', '.join(options)}, got {value!r}")
        return value or ""

    def port(self, table: Mapping[str, Any], key: str, default: Any = ...) -> int:
        value = self.value(table, key, int, default)
        if value is not None and not 0 < value < 65536:
            self.problem(key, f"must be a port number 1-65535, got {value}")
        return value or 0

    def positive(self, table: Mapping[str, Any], key: str, default: int) -> int:
        value = self.value(table, key, int, default)
        if value is not None and value < 0:
            self.problem(key, f"must not be negative, got {value}")
        return value if value is not None else default

    def month_day(self, table: Mapping[str, Any], key: str, default: str) -> str:
        value = self.value(table, key, str, default)
        if value is None:
            return default
        m = _MONTH_DAY.match(value)
        try:
            if not m:
                raise ValueError
            date(2024, int(m.group(1)), int(m.group(2)))  # 2024: leap year, allows 02-29
        except ValueError:
            self.problem(key, f'must be a month-day such as "06-15", got {value!r}')
            return default
        return value

    def url(self, table: Mapping[str, Any], key: str) -> str:
        value = self.value(table, key, str)
        if value is not None:
            parsed = urlparse(value)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                self.problem(key, f"must be an http(s) URL, got {value!r}")
        return value or ""

    def decimal(self, table: Mapping[str, Any], key: str, default: str) -> Decimal:
        value = self.value(table, key, str, default)
        try:
            return Decimal(value)
        except (InvalidOperation, TypeError):
            self.problem(
                key, f'must be a decimal number in quotes such as "130000.00", got {value!r}'
            )
            return Decimal(default)


def _kind_name(kind: type) -> str:
    return {str: "a string", int: "an integer", bool: "true or false", float: "a number"}.get(
        kind, kind.__name__
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read_imap(r: _Reader) -> ImapConfig:
    t = r.table("imap")
    host = r.value(t, "imap.host", str) or ""
    security = r.choice(t, "imap.security", SECURITY_MODES, "tls")
    if security == "none" and host and not _is_loopback(host):
        r.problem("imap.security", f'"none" is allowed only on loopback, not for {host}')
    token_command = r.value(t, "imap.oauth2_token_command", str, None)
    has_oauth_env = "oauth2_token_env" in t or r._override("imap.oauth2_token_env")
    oauth2_token = (
        r.secret(t, "imap.oauth2_token_env", required=False, mail=True) if has_oauth_env else None
    )
    password = None
    if not token_command and not has_oauth_env:
        password = r.secret(t, "imap.password_env", required=True, mail=True)
    return ImapConfig(
        host=host,
        port=r.port(t, "imap.port", 993),
        security=security,
        username=r.value(t, "imap.username", str) or "",
        password=password,
        oauth2_token=oauth2_token,
        oauth2_token_command=token_command,
        folder=r.value(t, "imap.folder", str, "INBOX"),
        processed_folder=r.value(t, "imap.processed_folder", str, "mailflow/processed"),
        quarantine_folder=r.value(t, "imap.quarantine_folder", str, "mailflow/quarantine"),
        move_processed=r.value(t, "imap.move_processed", bool, True),
        shared_mailbox=r.value(t, "imap.shared_mailbox", bool, True),
        use_idle=r.value(t, "imap.use_idle", bool, True),
        poll_seconds=r.positive(t, "imap.poll_seconds", 60),
        batch_size=r.positive(t, "imap.batch_size", 500) or 500,
        timeout_seconds=r.positive(t, "imap.timeout_seconds", 30),
        max_message_bytes=r.positive(t, "imap.max_message_bytes", 25_000_000),
    )


def _read_smtp(r: _Reader) -> SmtpConfig:
    t = r.table("smtp")
    host = r.value(t, "smtp.host", str) or ""
    security = r.choice(t, "smtp.security", SECURITY_MODES, "starttls")
    if security == "none" and host and not _is_loopback(host):
        r.problem("smtp.security", f'"none" is allowed only on loopback, not for {host}')
    username = r.value(t, "smtp.username", str, None)
    password = r.secret(t, "smtp.password_env", required=False, mail=True) if username else None
    sent_folder = r.value(t, "smtp.sent_folder", str, "Sent") or None
    server_files_sent = r.value(t, "smtp.server_files_sent", bool, False)
    if server_files_sent and not sent_folder:
        # Crash recovery reads "not in Sent" as "not accepted" only when it can look there.
        r.problem("smtp.server_files_sent", "needs smtp.sent_folder, where the server files mail")
    return SmtpConfig(
        host=host,
        port=r.port(t, "smtp.port", 587),
        security=security,
        username=username,
        password=password,
        from_address=r.email(t, "smtp.from_address"),
        sent_folder=sent_folder,
        timeout_seconds=r.positive(t, "smtp.timeout_seconds", 30),
        max_per_recipient_per_hour=r.positive(t, "smtp.max_per_recipient_per_hour", 20),
        server_files_sent=server_files_sent,
        final_reply_timeout_seconds=r.positive(t, "smtp.final_reply_timeout_seconds", 600),
    )


def _read_office(r: _Reader) -> OfficeConfig:
    from stdnum.pl import nip, regon

    t = r.table("office")
    office_nip = r.value(t, "office.nip", str) or ""
    if office_nip and not nip.is_valid(office_nip):
        r.problem("office.nip", f"not a valid NIP: {office_nip!r}")
    office_regon = r.value(t, "office.regon", str) or ""
    if office_regon and not regon.is_valid(office_regon):
        r.problem("office.regon", f"not a valid REGON: {office_regon!r}")
    postcode = r.value(t, "office.postcode", str) or ""
    if postcode and not re.fullmatch(r"\d{2}-\d{3}", postcode):
        r.problem(
            "office.postcode", f'must be a Polish postcode such as "09-400", got {postcode!r}'
        )
    dpo = r.value(t, "office.data_protection_email", str, "") or ""
    if dpo and not _EMAIL.match(dpo):
        r.problem("office.data_protection_email", f"not an e-mail address: {dpo!r}")
    return OfficeConfig(
        name=r.value(t, "office.name", str) or "",
        name_genitive=r.value(t, "office.name_genitive", str) or "",
        legal_name=r.value(t, "office.legal_name", str) or "",
        street=r.value(t, "office.street", str) or "",
        postcode=postcode,
        city=r.value(t, "office.city", str) or "",
        phone=r.value(t, "office.phone", str, "") or "",
        data_protection_email=dpo,
        unit=r.value(t, "office.unit", str, "Oddział Komunikacji Społecznej"),
        nip=nip.compact(office_nip) if office_nip else "",
        regon=office_regon,
        bip_url=r.url(t, "office.bip_url"),
        case_prefix=r.value(t, "office.case_prefix", str, "OS.0543"),
    )


def _read_people(r: _Reader) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for key, entry in r.table("people").items():
        where = f"people.{key}"
        if not _KEY.match(key):
            r.problem(where, "person keys are lower-case letters, digits and _")
        if not isinstance(entry, Mapping):
            r.problem(where, "must be a table with name and email")
            continue
        name = r.value(entry, f"{where}.name", str) or ""
        people[key] = Person(
            key,
            name,
            r.email(entry, f"{where}.email"),
            position=r.value(entry, f"{where}.position", str, "") or "",
            phone=r.value(entry, f"{where}.phone", str, "") or "",
        )
    return people


def _read_roles(
    r: _Reader, people: Mapping[str, Person]
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, str]]:
    t = r.table("roles")
    roles: dict[str, str] = {}
    for role in ROLES:
        key = r.value(t, f"roles.{role}", str)
        if key is not None and key not in people:
            r.problem(f"roles.{role}", f"names {key!r}, which is not in [people]")
        elif key is not None:
            roles[role] = key
    list_roles: dict[str, tuple[str, ...]] = {}
    for role in LIST_ROLES:
        keys = r.value(t, f"roles.{role}", list, [])
        for k in keys:
            if not isinstance(k, str) or k not in people:
                r.problem(f"roles.{role}", f"names {k!r}, which is not in [people]")
        list_roles[role] = tuple(k for k in keys if isinstance(k, str) and k in people)
    deputies: dict[str, str] = {}
    for role, key in r.table("roles.deputies", required=False).items():
        where = f"roles.deputies.{role}"
        if role not in ROLES:
            r.problem(where, f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        elif not isinstance(key, str) or key not in people:
            r.problem(where, f"names {key!r}, which is not in [people]")
        elif roles.get(role) == key:
            r.problem(where, f"names {key!r}, who holds the role itself; a deputy is someone else")
        else:
            deputies[role] = key
    return roles, list_roles, deputies


GENDERS = ("f", "m")
# Holders of these roles (and every deputy) are addressed by their title: "Panie Prezydencie".
TITLED_ROLES = ("os_manager", "bok_manager", "plenipotentiary", "mayor", "unit_heads")
SIGNATURE_FIELDS = ("name", "position", "unit", "phone", "email")


def _read_addressing(
    r: _Reader,
    roles: Mapping[str, str],
    list_roles: Mapping[str, tuple[str, ...]],
    deputies: Mapping[str, str],
) -> dict[str, Addressing]:
    """gender and title of each person: everyone in a role needs a gender, officials a title."""
    people_table = r.table("people")
    individuals = {*roles.values(), *deputies.values()}
    individuals |= {k for role, keys in list_roles.items() if role != "audit_team" for k in keys}
    titled = {roles[role] for role in TITLED_ROLES if role in roles}
    titled |= set(list_roles.get("unit_heads", ())) | set(deputies.values())
    addressing: dict[str, Addressing] = {}
    for key, entry in people_table.items():
        if not isinstance(entry, Mapping):
            continue
        where = f"people.{key}"
        gender = r.value(entry, f"{where}.gender", str, "") or ""
        title = r.value(entry, f"{where}.title", str, "") or ""
        if gender and gender not in GENDERS:
            r.problem(f"{where}.gender", f'must be "f" (Pani) or "m" (Pan), got {gender!r}')
            gender = ""
        elif not gender and key in individuals:
            r.problem(
                f"{where}.gender",
                'missing: "f" or "m", for the salutation of e-mails '
                "(Szanowna Pani / Szanowny Panie)",
            )
        if not title and key in titled:
            r.problem(
                f"{where}.title",
                "missing: the title e-mails address this person by, as the salutation uses it "
                '(e.g. "Prezydencie", "Kierownik")',
            )
        addressing[key] = Addressing(gender, title.strip())
    return addressing


def _read_signature(r: _Reader) -> Signature | None:
    t = r.table("signature")
    if not t:
        return None
    values = {}
    for name in SIGNATURE_FIELDS:
        value = (r.value(t, f"signature.{name}", str, "") or "").strip()
        if not value:
            r.problem(f"signature.{name}", "missing: every e-mail is signed with it")
        values[name] = value
    if values["email"] and not _EMAIL.match(values["email"]):
        r.problem("signature.email", f"not an e-mail address: {values['email']!r}")
    return Signature(**values)


def _read_vendors(r: _Reader) -> dict[str, Vendor]:
    from stdnum.pl import nip

    vendors: dict[str, Vendor] = {}
    for key, entry in r.table("vendors").items():
        where = f"vendors.{key}"
        if not isinstance(entry, Mapping):
            r.problem(where, "must be a table with name and email")
            continue
        vendor_nip = r.value(entry, f"{where}.nip", str, None)
        if vendor_nip and not nip.is_valid(vendor_nip):
            r.problem(f"{where}.nip", f"not a valid NIP: {vendor_nip!r}")
        vendors[key] = Vendor(
            key,
            r.value(entry, f"{where}.name", str) or "",
            r.email(entry, f"{where}.email"),
            nip.compact(vendor_nip) if vendor_nip and nip.is_valid(vendor_nip) else None,
            street=r.value(entry, f"{where}.street", str, ""),
            postcode=r.value(entry, f"{where}.postcode", str, ""),
            city=r.value(entry, f"{where}.city", str, ""),
        )
    return vendors


def _read_procedure(r: _Reader) -> ProcedureConfig:
    t = r.table("procedure")
    rates: dict[date, Decimal] = {}
    raw_rates = r.value(t, "procedure.eur_rate", dict, {})
    for day, rate in (raw_rates or {}).items():
        try:
            rates[date.fromisoformat(day)] = Decimal(str(rate))
        except (ValueError, InvalidOperation):
            r.problem(
                f"procedure.eur_rate.{day}",
                f'must map a date to a rate, e.g. "2026-01-01" = "4.31", got {rate!r}',
            )
    require_dmarc = r.value(t, "procedure.require_dmarc", bool, False)
    authserv_id = r.value(t, "procedure.authserv_id", str, "") or ""
    if authserv_id and not _HOSTNAME.fullmatch(authserv_id):
        r.problem("procedure.authserv_id", "must be a host name, e.g. mx.um.example.pl")
    hour = r.value(t, "procedure.offer_deadline_hour", str, "12:00")
    if hour and not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", hour):
        r.problem("procedure.offer_deadline_hour", f"must be HH:MM, got {hour!r}")
    rt = r.table("procedure.rules", required=False)
    rules = IrregularityRulesConfig(
        min_top2_share=r.value(rt, "procedure.rules.min_top2_share", float, 0.6),
        significant_drop_alpha=r.value(rt, "procedure.rules.significant_drop_alpha", float, 0.05),
        segment_gap=r.value(rt, "procedure.rules.segment_gap", float, 0.5),
        min_n=r.positive(rt, "procedure.rules.min_n", 30),
    )
    min_vendors = r.positive(t, "procedure.min_vendors", 3)
    if min_vendors < 3:
        r.problem("procedure.min_vendors", "IN-13 asks at least 3 survey firms")
    sources: dict[date, str] = {}
    for day, text in (r.value(t, "procedure.eur_rate_source", dict, {}) or {}).items():
        try:
            when = date.fromisoformat(day)
        except ValueError:
            when = None
        if when is None or not isinstance(text, str) or when not in rates:
            r.problem(
                f"procedure.eur_rate_source.{day}",
                "must map a date of procedure.eur_rate to the text of its source",
            )
        else:
            sources[when] = text
    return ProcedureConfig(
        start_on=r.month_day(t, "procedure.start_on", "01-15"),
        topics_by_days=r.positive(t, "procedure.topics_by_days", 10),
        offers_by_days=r.positive(t, "procedure.offers_by_days", 10),
        reminder_before_days=r.positive(t, "procedure.reminder_before_days", 2),
        approval_days=r.positive(t, "procedure.approval_days", 5),
        escalate_after_days=r.positive(t, "procedure.escalate_after_days", 3),
        contract_by=r.month_day(t, "procedure.contract_by", "06-15"),
        survey_by=r.month_day(t, "procedure.survey_by", "06-30"),
        min_vendors=min_vendors,
        sample_size=r.positive(t, "procedure.sample_size", 400),
        offer_deadline_hour=hour or "12:00",
        eur_rate=rates,
        eur_rate_source=sources,
        pzp_threshold_net=r.decimal(t, "procedure.pzp_threshold_net", "130000.00"),
        require_dmarc=require_dmarc,
        authserv_id=authserv_id,
        rules=rules,
    )


def _read_criteria(r: _Reader, t: Mapping[str, Any]) -> tuple[Criterion, ...]:
    from mailflow.offer_form import LABELS

    raw = t.get("criteria")
    if raw is None:
        return DEFAULT_CRITERIA
    if not isinstance(raw, list) or not raw:
        r.problem("procurement.criteria", "must be a list of tables ([[procurement.criteria]])")
        return DEFAULT_CRITERIA
    criteria: list[Criterion] = []
    for index, entry in enumerate(raw):
        where = f"procurement.criteria[{index}]"
        if not isinstance(entry, Mapping):
            r.problem(where, "must be a table with name, weight and formula")
            continue
        name = r.value(entry, f"{where}.name", str) or ""
        weight = r.value(entry, f"{where}.weight", int)
        if weight is not None and not 0 < weight <= 100:
            r.problem(f"{where}.weight", f"must be 1-100 (percent), got {weight}")
        formula = r.choice(entry, f"{where}.formula", CRITERION_FORMULAS)
        basis = r.choice(entry, f"{where}.price_basis", PRICE_BASES, "gross")
        label = r.value(entry, f"{where}.form_label", str, "") or ""
        scale: list[tuple[int, int]] = []
        if formula == "stated_number":
            if label not in LABELS:
                r.problem(
                    f"{where}.form_label",
                    f"must be a field of the offer form ({', '.join(LABELS)}), got {label!r}",
                )
            steps = r.value(entry, f"{where}.scale", list, [])
            for step in steps or []:
                if (
                    not isinstance(step, list)
                    or len(step) != 2
                    or not all(isinstance(x, int) and not isinstance(x, bool) for x in step)
                ):
                    r.problem(f"{where}.scale", f"steps are [at least N, points], got {step!r}")
                    continue
                scale.append((step[0], step[1]))
            if not scale:
                r.problem(f"{where}.scale", "needs steps such as [[0, 0], [1, 5], [5, 20]]")
            elif [s[0] for s in scale] != sorted({s[0] for s in scale}):
                r.problem(f"{where}.scale", "steps must go up: each N larger than the last")
            elif weight is not None and max(p for _, p in scale) != weight:
                r.problem(
                    f"{where}.scale",
                    f"the highest step gives {max(p for _, p in scale)} points;"
                    f" it must give the weight, {weight}",
                )
        criteria.append(
            Criterion(
                name=name,
                weight=weight or 0,
                formula=formula,
                price_basis=basis,
                form_label=label,
                scale=tuple(scale),
            )
        )
    total = sum(c.weight for c in criteria)
    if criteria and total != 100:
        weights = " + ".join(str(c.weight) for c in criteria)
        r.problem(
            "procurement.criteria", f"the weights must add up to 100, got {weights} = {total}"
        )
    if sum(1 for c in criteria if c.formula == "lowest_price") > 1:
        r.problem("procurement.criteria", "at most one criterion may score the price")
    return tuple(criteria)


def _texts(r: _Reader, t: Mapping[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    values = r.value(t, key, list, None)
    if values is None:
        return default
    if not all(isinstance(v, str) and v.strip() for v in values):
        r.problem(key, "must be a list of non-empty texts")
        return default
    return tuple(values)


def _read_procurement(r: _Reader, procedure: ProcedureConfig) -> ProcurementConfig:
    t = r.table("procurement", required=False)
    d = ProcurementConfig()
    quotas: list[tuple[str, int]] = []
    for unit, count in (r.value(t, "procurement.quotas", dict, {}) or {}).items():
        if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
            r.problem(
                f"procurement.quotas.{unit}", f"must be a number of interviews, got {count!r}"
            )
        else:
            quotas.append((unit, count))
    if quotas and sum(c for _, c in quotas) != procedure.sample_size:
        r.problem(
            "procurement.quotas",
            f"the quotas add up to {sum(c for _, c in quotas)} interviews;"
            f" procedure.sample_size is {procedure.sample_size}",
        )
    deliverables: list[Deliverable] = []
    raw = t.get("deliverables")
    if raw is not None and not isinstance(raw, list):
        r.problem("procurement.deliverables", "must be a list of tables with what and due")
    for index, entry in enumerate(raw if isinstance(raw, list) else []):
        where = f"procurement.deliverables[{index}]"
        if not isinstance(entry, Mapping):
            r.problem(where, "must be a table with what and due")
            continue
        deliverables.append(
            Deliverable(
                what=r.value(entry, f"{where}.what", str) or "",
                due=r.month_day(entry, f"{where}.due", "07-10"),
            )
        )
    validity = r.positive(t, "procurement.offer_validity_days", d.offer_validity_days)
    if validity < 1:
        r.problem("procurement.offer_validity_days", "an offer must stay valid at least 1 day")
    contact = r.value(t, "procurement.contact_role", str, d.contact_role) or d.contact_role
    if contact not in ROLES:
        r.problem("procurement.contact_role", f"must be one of {', '.join(ROLES)}, got {contact!r}")
    return ProcurementConfig(
        criteria=_read_criteria(r, t),
        late_offers=r.choice(t, "procurement.late_offers", LATE_OFFER_RULES, d.late_offers),
        offer_form=r.choice(t, "procurement.offer_form", OFFER_FORM_RULES, d.offer_form),
        legal_basis=r.value(t, "procurement.legal_basis", str, d.legal_basis) or d.legal_basis,
        reservations=_texts(r, t, "procurement.reservations", d.reservations),
        conditions=_texts(r, t, "procurement.conditions", d.conditions),
        questionnaire=r.value(t, "procurement.questionnaire", str, d.questionnaire)
        or d.questionnaire,
        interviews=r.value(t, "procurement.interviews", str, d.interviews) or d.interviews,
        quotas=tuple(quotas),
        deliverables=tuple(deliverables) or d.deliverables,
        licence=r.value(t, "procurement.licence", str, d.licence) or d.licence,
        payment_terms=r.value(t, "procurement.payment_terms", str, d.payment_terms)
        or d.payment_terms,
        offer_validity_days=validity,
        cpv=_texts(r, t, "procurement.cpv", d.cpv),
        contact_role=contact,
    )


def _read_web(r: _Reader) -> WebConfig:
    t = r.table("web", required=False)
    enabled = r.value(t, "web.enabled", bool, True)
    secret = r.secret(t, "web.secret_key_env", required=enabled) if enabled else None
    port = r.port(t, "web.port", 8080)
    bind = r.value(t, "web.bind", str, "127.0.0.1")
    return WebConfig(
        enabled=enabled,
        bind=bind,
        port=port,
        secret_key=secret,
        secure_cookies=r.value(t, "web.secure_cookies", bool, True),
        base_url=r.value(t, "web.base_url", str, f"http://{bind}:{port}/"),
    )


def _read_records(r: _Reader, case_prefix: str) -> RecordsConfig:
    """``[records]``: optional; without it the defaults above (a gmina's JRWA) apply."""
    t = r.table("records", required=False)
    default = RecordsConfig()
    if not t:
        return default
    classes: dict[str, JrwaClass] = {}
    rejected: set[str] = set()  # reported once here; references to them are not reported again
    raw_classes = r.value(t, "records.classes", dict, None)
    for symbol, entry in (raw_classes or {}).items():
        where = f"records.classes.{symbol}"
        if not _JRWA_SYMBOL.match(symbol):
            r.problem(where, f'a JRWA symbol is 1 to 4 digits, such as "272", got {symbol!r}')
            rejected.add(symbol)
            continue
        if not isinstance(entry, Mapping):
            r.problem(where, 'must be a table such as { title = "Umowy", category = "B10" }')
            continue
        category = r.value(entry, f"{where}.category", str) or ""
        if category and not _JRWA_CATEGORY.match(category):
            r.problem(
                f"{where}.category",
                f"an archival category is A, B<years>, BE<years> or Bc, got {category!r}",
            )
            rejected.add(symbol)
            continue
        title = r.value(entry, f"{where}.title", str) or ""
        if category:
            classes[symbol] = JrwaClass(symbol, title, category)
    if raw_classes is None:
        classes = dict(default.classes)
    case_class = r.value(t, "records.case_class", str, default.case_class) or ""
    if case_class in rejected:
        pass
    elif not _JRWA_SYMBOL.match(case_class):
        r.problem(
            "records.case_class",
            f'a JRWA symbol is 1 to 4 digits, such as "0543", got {case_class!r}',
        )
    elif case_class not in classes:
        r.problem("records.case_class", f"class {case_class!r} is not in [records.classes]")
    elif case_class not in case_prefix.split("."):
        r.problem(
            "records.case_class",
            f"class {case_class!r} does not appear in office.case_prefix {case_prefix!r}",
        )
    step_classes: dict[int, str] = {}
    raw_steps = r.value(t, "records.step_classes", dict, None)
    for step_text, symbol in (raw_steps or {}).items():
        where = f"records.step_classes.{step_text}"
        if not (step_text.isdigit() and 0 <= int(step_text) <= 7):
            r.problem(where, f"keys are IN-13 steps 0 to 7, got {step_text!r}")
        elif symbol in rejected:
            continue
        elif not isinstance(symbol, str) or symbol not in classes:
            r.problem(where, f"names {symbol!r}, which is not in [records.classes]")
        else:
            step_classes[int(step_text)] = symbol
    if raw_steps is None:
        step_classes = {k: v for k, v in default.step_classes.items() if v in classes}
    return RecordsConfig(case_class=case_class, step_classes=step_classes, classes=classes)


def _read_logging(r: _Reader) -> LoggingConfig:
    t = r.table("logging", required=False)
    return LoggingConfig(
        level=r.choice(t, "logging.level", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
        format=r.choice(t, "logging.format", ("text", "json"), "text"),
    )


def parse_config(
    raw: Mapping[str, Any],
    path: Path,
    env: Mapping[str, str],
    require_secrets: bool = True,
    mail_secrets: bool = True,
) -> Config:
    """Build the config from a parsed TOML document; raise ConfigError listing every problem.

    ``require_secrets=False`` (for ``mailflow init``, which only needs the storage) does not
    insist that the environment variables holding secrets are set. ``mail_secrets=False``
    (for ``mailflow web``) neither demands nor reads the IMAP and SMTP secrets: the status
    page needs only the database, the archive and its own secret key.
    """
    r = _Reader(raw, env, require_secrets, mail_secrets)
    storage = r.table("storage")
    data_dir_text = r.value(storage, "storage.data_dir", str, "data") or "data"
    data_dir = (path.parent / data_dir_text).resolve()
    template_dir_text = r.value(storage, "storage.template_dir", str, None)
    database = r.table("database", required=False)
    default_url = f"sqlite:///{data_dir / 'mailflow.sqlite3'}"
    database_url = r.value(database, "database.url", str, default_url) or default_url
    if not database_url.startswith(("sqlite://", "postgresql+psycopg://", "postgresql://")):
        r.problem("database.url", "must start with sqlite:// or postgresql+psycopg://")
    imap = _read_imap(r)
    smtp = _read_smtp(r)
    office = _read_office(r)
    people = _read_people(r)
    roles, list_roles, deputies = _read_roles(r, people)
    addressing = _read_addressing(r, roles, list_roles, deputies)
    signature = _read_signature(r)
    vendors = _read_vendors(r)
    procedure = _read_procedure(r)
    if len(vendors) < procedure.min_vendors:
        r.problem(
            "vendors",
            f"{len(vendors)} configured; IN-13 asks at least {procedure.min_vendors} survey firms",
        )
    procurement = _read_procurement(r, procedure)
    web = _read_web(r)
    logging_config = _read_logging(r)
    records = _read_records(r, office.case_prefix)
    if r.problems:
        raise ConfigError(r.problems)
    return Config(
        path=path,
        data_dir=data_dir,
        database_url=database_url.replace("postgresql://", "postgresql+psycopg://", 1),
        imap=imap,
        smtp=smtp,
        office=office,
        people=people,
        roles=roles,
        list_roles=list_roles,
        deputies=deputies,
        vendors=vendors,
        procedure=procedure,
        web=web,
        logging=logging_config,
        template_dir=(path.parent / template_dir_text).resolve() if template_dir_text else None,
        procurement=procurement,
        secrets=tuple(r.secrets),
        addressing=addressing,
        signature=signature,
        records=records,
    )


def config_path(explicit: str | None, env: Mapping[str, str]) -> Path:
    """``--config``, then ``$MAILFLOW_CONFIG``, then ``./config.toml``."""
    return Path(explicit or env.get("MAILFLOW_CONFIG") or "config.toml")


def load_config(
    path: Path,
    env: Mapping[str, str] | None = None,
    require_secrets: bool = True,
    mail_secrets: bool = True,
) -> Config:
    env = os.environ if env is None else env
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(
            f"config file not found: {path} (run `mailflow init` to create one)"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read config file {path}: {error}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path}: not valid TOML: {error}"]) from None
    return parse_config(raw, path.resolve(), env, require_secrets, mail_secrets)
