"""A quote out of one source (offer form, DOCX, PDF, spreadsheet or body text).

Each function returns a :class:`SourceQuote`: the values, whether a person must look, and
why. A value the source does not state stays None; when in doubt, nothing is taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from mailflow.reading.dates import completion, first_date, valid_until
from mailflow.reading.figures import Figures, distinct, label_figures
from mailflow.reading.model import Quote
from mailflow.reading.money import (
    CENT,
    find_amounts,
    gross_from_net,
    labelled_bare_amounts,
    net_from_gross,
    net_gross_agree,
    number_words,
    spelled_amounts,
    vat_rate_in,
    words_state,
)

# A whole survey costs thousands to tens of thousands of złoty: far outside these bounds, a
# figure is more likely a misreading ("12.30 zł") than a price.
PLAUSIBLE_TOTAL = (Decimal("500"), Decimal("5000000"))
BASE_CONFIDENCE = {"offer_form": 0.97, "docx": 0.9, "pdf": 0.88, "xlsx": 0.85, "body": 0.85}
INTERVIEW_COUNT = re.compile(r"\b(?P<n>\d{2,5})\s+(?:zrealizowanych\s+)?(?:wywiad|ankiet)\w*", re.I)


@dataclass
class SourceQuote:
    quote: Quote
    needs_review: bool = False
    reasons: list[str] = field(default_factory=list)

    def flag(self, reason: str) -> None:
        self.needs_review = True
        self.reasons.append(reason)


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT):,}".replace(",", " ").replace(".", ",")


def quote_from_lines(
    price_lines: list[str], raw_lines: list[str], source: str
) -> SourceQuote | None:
    """Read a quote from text lines; None when they hold no price at all.

    ``price_lines`` have non-money digits blanked (phones, NIP, dates); ``raw_lines`` are the
    same text untouched, for dates and amounts in words.
    """
    figures = label_figures(price_lines)
    if not figures.any_price():
        return _without_currency(price_lines, source)
    joined = "\n".join(price_lines)
    result = SourceQuote(Quote(source=source, vat_rate=vat_rate_in(joined)))
    _currency(figures, result)
    _prices(figures, joined, result)
    if figures.approximate:
        shown = ", ".join(_money(a.value) for a in figures.approximate)
        result.flag(f"approximate or open-ended price ({shown}): check the wording")
    _check_words("\n".join(raw_lines), result)
    result.quote.valid_until = valid_until(raw_lines)
    result.quote.completion = completion(raw_lines)
    _confidence(result)
    return result


def _without_currency(price_lines: list[str], source: str) -> SourceQuote | None:
    """ "12300 netto" with no currency written: a price, but not one to take unchecked."""
    values = sorted(set(labelled_bare_amounts("\n".join(price_lines))))
    if not values:
        return None
    result = SourceQuote(Quote(source=source))
    shown = ", ".join(_money(v) for v in values)
    result.flag(f"price {shown} written without a currency: not taken")
    _confidence(result)
    return result


def _currency(figures: Figures, result: SourceQuote) -> None:
    amounts = figures.net + figures.gross + figures.unlabelled + [a for a, _ in figures.per_unit]
    currencies = {a.currency for a in amounts}
    if len(currencies) > 1:
        result.flag("amounts in more than one currency")
    if "EUR" in currencies:
        result.quote.currency = "EUR"
        result.flag("price in EUR: not comparable with PLN quotes without conversion")


def _prices(figures: Figures, joined: str, result: SourceQuote) -> None:
    quote = result.quote
    nets, grosses = distinct(figures.net), distinct(figures.gross)
    if figures.variant_lines >= 2 or len(nets) > 1 or len(grosses) > 1:
        shown = ", ".join(_money(v) for v in sorted(set(nets + grosses)))
        result.flag(f"several prices (variants?): {shown}; none taken")
        return
    if not nets and not grosses:
        if figures.per_unit:
            _per_unit(figures, joined, result)
        elif quote.vat_rate == "zw" and len(distinct(figures.unlabelled)) == 1:
            quote.net = quote.gross = figures.unlabelled[0].value
            result.reasons.append("VAT exempt (zw.): net and gross are the same")
        else:
            shown = ", ".join(_money(a.value) for a in figures.unlabelled)
            result.flag(f"price {shown} without netto/brutto: not taken")
        return
    quote.net = nets[0] if nets else None
    quote.gross = grosses[0] if grosses else None
    _complete_pair(figures, result)
    others = {a.value for a in figures.unlabelled} - {quote.net, quote.gross}
    if others:
        result.flag("other amounts in the text: " + ", ".join(_money(v) for v in sorted(others)))


def _complete_pair(figures: Figures, result: SourceQuote) -> None:
    quote = result.quote
    rate = quote.vat_rate
    taxes = distinct(figures.vat)
    if quote.net is not None and len(taxes) == 1:
        for tax in taxes:
            if _rate_of(quote.net, tax) is None:
                result.flag(
                    f"amount {_money(tax)} next to 'VAT' is not a VAT amount of the net price"
                )
    if quote.net is not None and quote.gross is not None:
        if not net_gross_agree(quote.net, quote.gross, rate):
            result.flag("net, gross and VAT rate do not agree")
        if len(taxes) == 1 and abs(quote.net + taxes[0] - quote.gross) > CENT:
            result.flag("net + VAT amount is not the gross price")
        return
    if quote.net is not None and rate:
        quote.gross = gross_from_net(quote.net, rate)
        result.reasons.append(f"gross computed from net and VAT {rate}%")
    elif quote.gross is not None and rate:
        quote.net = net_from_gross(quote.gross, rate)
        result.reasons.append(f"net computed from gross and VAT {rate}%")
    elif quote.net is not None and len(taxes) == 1:
        rate = _rate_of(quote.net, taxes[0])
        if rate is None:
            result.flag("a VAT amount that fits no VAT rate: gross not computed")
            return
        quote.gross = quote.net + taxes[0]
        result.reasons.append(f"gross computed as net + the stated VAT amount ({rate}%)")


def _rate_of(net: Decimal, tax: Decimal) -> str | None:
    """The Polish VAT rate that turns ``net`` into ``tax`` (to the grosz), if any."""
    for rate in ("23", "8", "5"):
        gross = gross_from_net(net, rate)
        if gross is not None and abs(gross - net - tax) <= CENT:
            return rate
    return None


def _per_unit(figures: Figures, joined: str, result: SourceQuote) -> None:
    """A price per interview: the total is the office's arithmetic, so a person checks it."""
    units = {(a.value, label) for a, label in figures.per_unit}
    counts = {int(m.group("n")) for m in INTERVIEW_COUNT.finditer(joined)}
    if len(units) != 1 or len(counts) != 1:
        result.flag("price per interview only, no total: not taken")
        return
    (unit, label), count = units.pop(), counts.pop()
    total = unit * count
    if label == "net":
        result.quote.net = total
    elif label == "gross":
        result.quote.gross = total
    else:
        result.flag(f"price per interview {_money(unit)} without netto/brutto: not taken")
        return
    result.flag(
        f"price per interview only: {_money(unit)} × {count} = {_money(total)} computed, check it"
    )


def _check_words(raw: str, result: SourceQuote) -> None:
    """An amount in words must spell the gross or the net price."""
    quote = result.quote
    stated = [v for v in (quote.gross, quote.net) if v is not None]
    for words in spelled_amounts(" ".join(raw.split())):
        if not stated or not number_words(words):
            continue
        if any(words_state(words, value) for value in stated):
            result.reasons.append("amount in words confirms the figure")
            result.quote.confidence += 0.03
        else:
            result.flag(f"amount in words ({words.strip()}) does not match the figures")


def _check_plausible(result: SourceQuote) -> None:
    low, high = PLAUSIBLE_TOTAL
    for value in (result.quote.net, result.quote.gross):
        if value is not None and not low <= value <= high:
            result.flag(f"total {_money(value)} is implausible for a whole survey")
            return


def _confidence(result: SourceQuote) -> None:
    quote = result.quote
    _check_plausible(result)
    base = BASE_CONFIDENCE.get(quote.source, 0.8) + quote.confidence
    if quote.net is None or quote.gross is None:
        base -= 0.1
    if result.needs_review:
        base = min(base, 0.5)
    quote.confidence = max(0.0, min(base, 0.99))


# ------------------------------------------------------------------------ offer form ----
def quote_from_form(fields: dict[str, str]) -> SourceQuote | None:
    """The offer form's exact fields; figures are checked against each other and the words."""
    net_text, gross_text = fields.get("Cena netto [zł]", ""), fields.get("Cena brutto [zł]", "")
    if not (net_text or gross_text):
        return None
    result = SourceQuote(Quote(source="offer_form"))
    quote = result.quote
    quote.net = _form_amount(net_text, "Cena netto", result)
    quote.gross = _form_amount(gross_text, "Cena brutto", result)
    rate_text = fields.get("Stawka VAT [%]", "")
    rate = re.sub(r"[\s%]", "", rate_text).lower().rstrip(".")
    if rate.startswith("zw"):
        quote.vat_rate = "zw"
    elif rate.isdigit():
        quote.vat_rate = rate
    elif rate_text:
        result.flag(f"VAT rate '{rate_text}' not understood")
    if quote.net is not None and quote.gross is not None:
        if not net_gross_agree(quote.net, quote.gross, quote.vat_rate):
            result.flag("net, gross and VAT rate on the form do not agree")
    else:
        _complete_pair(Figures(), result)
    words = fields.get("Cena brutto słownie", "")
    if words and quote.gross is not None:
        if words_state(words, quote.gross):
            result.reasons.append("amount in words confirms the gross price")
            quote.confidence += 0.02
        else:
            result.flag("the gross price in words does not match the figure")
    quote.valid_until = first_date(fields.get("Oferta ważna do", ""))
    term = fields.get("Termin realizacji", "").strip()
    quote.completion = first_date(term) or (term or None)
    _confidence(result)
    return result


def _form_amount(text: str, label: str, result: SourceQuote) -> Decimal | None:
    if not text.strip():
        return None
    amounts = find_amounts(text, bare_currency="PLN")
    if len(amounts) != 1:
        result.flag(f"{label} on the form not understood: '{text}'")
        return None
    if re.search(r"EUR|€", text):
        result.quote.currency = "EUR"
        result.flag("price in EUR on the offer form")
    return amounts[0].value
