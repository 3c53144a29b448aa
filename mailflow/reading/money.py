"""Polish money as people type it: amounts, currencies, VAT rates and amounts in words.

Everything is :class:`~decimal.Decimal`; a float never touches a price. The functions here know
nothing about quotes: they find figures and say what currency and rate they carry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from num2words import num2words

CENT = Decimal("0.01")

# Thousands separators seen in real mail: space, NO-BREAK SPACE, NARROW NO-BREAK SPACE (Apple),
# THIN SPACE, a dot (12.300,00) and an apostrophe (Swiss habit, seldom).
_SEP = "[ \u00a0\u202f\u2009.']"
_GROUPED = rf"\d{{1,3}}(?:{_SEP}\d{{3}})+"
# English style 12,300.00 is tried first so that its comma is not read as a Polish decimal.
_NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})+\.\d{{2}}|(?:{_GROUPED}|\d+)(?:,\d{{1,2}}|\.\d{{2}}(?!\d))?)"
_THOUSANDS = r"(?:tys\.|tys\b|tyś\.|tysięcy\b|tysiące\b|mln\b\.?|milion\w*)"
_CURRENCY = r"(?:zł|zl\b|z[łl]otych\b|z[łl]ote\b|z[łl]oty\b|PLN\b|EUR\b|euro\b|€)"

# An amount is a number with a currency after it (optionally "tys."), or a currency code
# before it ("PLN 12 300,00"). A bare number is never money on its own.
# White space between the parts is bounded, and never two quantifiers side by side over it:
# "\s*(tys)?\s*" split a run of spaces two ways at every number (quadratic per number).
AMOUNT_RE = re.compile(
    rf"(?<![\w,.])(?P<num>{_NUMBER})\s{{0,10}}(?:(?P<tys>{_THOUSANDS})\s{{0,10}})?(?P<cur>{_CURRENCY})"
    rf"|(?P<cur2>PLN|EUR|€)\s?(?P<num2>{_NUMBER})(?![\d])",
    re.IGNORECASE,
)
# A bare figure next to a netto/brutto label ("12300 netto", "cena brutto: 15 129,00"): a
# price whose currency is not written.
LABELLED_BARE_RE = re.compile(
    rf"(?<![\w,.])(?P<num>{_NUMBER})(?=\s{{0,10}}(?:netto|brutto)\b)"
    rf"|(?:(?:cena|kwota|warto\w*)\s{{0,10}})?(?:netto|brutto)[\s:]{{0,10}}(?P<num2>{_NUMBER})"
    r"(?![\d%\w])",
    re.IGNORECASE,
)
# A bare number with decimals, for table cells whose header names the currency ("Cena [zł]").
BARE_RE = re.compile(rf"(?<![\w,.])(?P<num>{_NUMBER})(?![\d%])")

VAT_RATE_RE = re.compile(
    r"(?:VAT|podatek)[^\d,;.\n]{0,20}?(?P<a>\d{1,2})\s?%|(?P<b>\d{1,2})\s?%\s*(?:stawk\w*\s*)?VAT",
    re.IGNORECASE,
)
VAT_EXEMPT_RE = re.compile(
    r"\bzw\.|\bzwolnion\w*\s+(?:z\s+)?(?:podatku\s+)?VAT|\bVAT\s*:?\s*zw\b|"
    r"\bnie\s+jeste\w*\s+(?:czynnym\s+)?płatnik\w*\s+VAT",
    re.IGNORECASE,
)
KNOWN_VAT_RATES = ("23", "8", "5", "0")  # the Polish rates; anything else is not a VAT rate


@dataclass(frozen=True)
class Amount:
    """One figure found in a text, with where it is (``start``/``end`` cover the currency)."""

    value: Decimal
    currency: str  # "PLN" or "EUR"
    start: int
    end: int


def normalize_spaces(text: str) -> str:
    """NFC, and every exotic space made a plain one except the separators inside numbers."""
    return unicodedata.normalize("NFC", text).replace("\r", "")


def parse_number(text: str) -> Decimal | None:
    """'12 300,00' / '12.300,00' / '12300' / '12,300.00' / '14,5' -> Decimal; None if unsure."""
    raw = text.strip()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d{2}", raw):
        digits = raw.replace(",", "")
    else:
        cleaned = re.sub("[ \u00a0\u202f\u2009']", "", raw)
        if "," in cleaned:
            whole, _, frac = cleaned.rpartition(",")
            digits = whole.replace(".", "") + "." + frac
        elif re.fullmatch(r"\d+\.\d{2}", cleaned):
            digits = cleaned  # "12300.00": a decimal point, not a thousands dot
        else:
            digits = cleaned.replace(".", "")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _currency_of(code: str) -> str:
    return "EUR" if code.lower() in ("eur", "euro", "€") else "PLN"


def find_amounts(text: str, *, bare_currency: str | None = None) -> list[Amount]:
    """Every amount with a currency in ``text``; with ``bare_currency`` also bare decimals."""
    found: list[Amount] = []
    for m in AMOUNT_RE.finditer(text):
        number = m.group("num") or m.group("num2")
        value = parse_number(number)
        if value is None:
            continue
        if m.group("tys"):
            value *= 1_000_000 if m.group("tys").lower().startswith(("mln", "milion")) else 1000
        found.append(
            Amount(value, _currency_of(m.group("cur") or m.group("cur2")), m.start(), m.end())
        )
    if bare_currency and not found:
        for m in BARE_RE.finditer(text):
            value = parse_number(m.group("num"))
            if value is not None:
                found.append(Amount(value, bare_currency, m.start(), m.end()))
    return found


def labelled_bare_amounts(text: str) -> list[Decimal]:
    """Figures next to netto/brutto with no currency written (at least 3 digits)."""
    found = []
    for m in LABELLED_BARE_RE.finditer(text):
        value = parse_number(m.group("num") or m.group("num2"))
        if value is not None and value >= 100:
            found.append(value)
    return found


def vat_rate_in(text: str) -> str | None:
    """The VAT rate a text states: "23", "8", ... or "zw" (exempt); None when it states none."""
    rates = {m.group("a") or m.group("b") for m in VAT_RATE_RE.finditer(text)}
    if VAT_EXEMPT_RE.search(text):
        rates.add("zw")
    if len(rates) != 1:
        return None  # none, or several different rates: not for us to pick
    rate = rates.pop()
    return rate if rate in KNOWN_VAT_RATES or rate == "zw" else None


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def gross_from_net(net: Decimal, rate: str) -> Decimal | None:
    if rate == "zw":
        return net
    if not rate.isdigit():
        return None
    return quantize(net * (1 + Decimal(rate) / 100))


def net_from_gross(gross: Decimal, rate: str) -> Decimal | None:
    if rate == "zw":
        return gross
    if not rate.isdigit():
        return None
    return quantize(gross / (1 + Decimal(rate) / 100))


def net_gross_agree(net: Decimal, gross: Decimal, rate: str | None) -> bool:
    """Whether gross is net plus the rate, to the grosz (a cent of rounding allowed)."""
    if rate is None:  # not stated: the pair must still fit one of the Polish rates
        return any(net_gross_agree(net, gross, known) for known in KNOWN_VAT_RATES)
    expected = gross_from_net(net, rate)
    return expected is not None and abs(expected - gross) <= CENT


def _letters(text: str) -> str:
    return re.sub(r"[^a-ząćęłńóśźż]+", " ", text.lower()).strip()


# Currency words and the grosze part ("00/100", "zero groszy") are not part of the figure.
_WORDS_NOISE = re.compile(
    r"\b(?:złotych|złote|złoty|zł|pln|euro|eur|groszy|grosze|grosz|gr|brutto|netto|zero)\b"
)


def amount_in_words(value: Decimal) -> str:
    """The whole-złoty part in Polish words, as num2words writes it (for comparison)."""
    return str(num2words(int(value), lang="pl"))


def number_words(words: str) -> str:
    """The number words of a "słownie" phrase, without currency and grosze words."""
    said = " ".join(_WORDS_NOISE.sub(" ", _letters(words)).split())
    # "jeden tysiąc" and "tysiąc" are both written; num2words says "tysiąc".
    return said.replace("jeden tysiąc", "tysiąc")


def words_state(words: str, value: Decimal) -> bool:
    """Whether the words of a "słownie" phrase spell the whole part of ``value``."""
    said = number_words(words)
    spelled = " ".join(_letters(amount_in_words(value)).split())
    return bool(said) and said == spelled


SLOWNIE_RE = re.compile(
    r"s[łl]ownie(?:\s+(?:brutto|netto|z[łl]otych|zł|PLN))*\s*:?\s*(?P<words>[a-ząćęłńóśźż\s]+)",
    re.IGNORECASE,
)


def spelled_amounts(text: str) -> list[str]:
    """The word phrases after each "słownie" in a text (to confirm figures with)."""
    return [m.group("words") for m in SLOWNIE_RE.finditer(text)]
