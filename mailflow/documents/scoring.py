"""Points for offers under the published criteria: pure functions the comparison prints.

The criteria come from the configuration (``[[procurement.criteria]]``) and the inquiry
prints them with :func:`describe`, so the firms read the same rule the office then applies.
Two formulas:

- ``lowest_price``: points = lowest price among the scored offers / the offer's price × weight;
- ``stated_number``: a number the firm states on the offer form (e.g. surveys for public bodies
  in the last 3 years), scored on a stated scale of steps ("at least N → P points").

A criterion a firm did not answer is never guessed: it is shown as not stated and, as the
inquiry says, scores 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from mailflow.config import Criterion
from mailflow.documents.formatting import format_money, format_number

# The rule is configuration (``[[procurement.criteria]]``); scoring only reads it.
CriterionRule = Criterion
CENT = Decimal("0.01")
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,6})(?!\s*[,.]\d)(?:\s|$|[^\d,.])")


@dataclass(frozen=True, kw_only=True)
class Bid:
    """One offer to score: its prices and the offer form's fields as the firm typed them."""

    key: str
    name: str
    net: Decimal | None
    gross: Decimal | None
    fields: Mapping[str, str]  # label -> value; a missing or empty label was not answered
    readable: bool = True  # False: the firm's message could not be read again for its fields


@dataclass(frozen=True, kw_only=True)
class CriterionScore:
    criterion: str
    answer: str  # what the firm stated, as the comparison prints it
    answered: bool
    points: Decimal


@dataclass(frozen=True, kw_only=True)
class Ranked:
    key: str
    name: str
    scores: tuple[CriterionScore, ...]
    total: Decimal
    place: int
    price: Decimal | None  # the price of the price criterion, for ties


NOT_STATED = "nie podano"
NOT_READ = "nie odczytano – do sprawdzenia"


def _points(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def stated_number(text: str | None) -> int | None:
    """The whole number a firm typed (``"12"``, ``"12 badań"``); None if there is none."""
    if not text or not text.strip():
        return None
    match = _LEADING_NUMBER.match(text.replace("\u00a0", " ") + " ")
    return int(match.group(1)) if match else None


def _price(rule: CriterionRule, bid: Bid) -> Decimal | None:
    return bid.gross if rule.price_basis == "gross" else bid.net


def _scale_points(rule: CriterionRule, number: int) -> int:
    reached = [points for at_least, points in rule.scale if number >= at_least]
    return max(reached, default=0)


def score(rule: CriterionRule, bid: Bid, bids: Sequence[Bid]) -> CriterionScore:
    """The points of ``bid`` under ``rule``, compared with the other scored ``bids``."""
    if rule.formula == "lowest_price":
        price = _price(rule, bid)
        prices = [p for p in (_price(rule, b) for b in bids) if p is not None and p > 0]
        if price is None or price <= 0 or not prices:
            return CriterionScore(
                criterion=rule.name, answer=NOT_STATED, answered=False, points=Decimal("0.00")
            )
        points = _points(min(prices) / price * rule.weight)
        return CriterionScore(
            criterion=rule.name, answer=format_money(price), answered=True, points=points
        )
    if rule.formula == "stated_number":
        if not bid.readable:
            return CriterionScore(
                criterion=rule.name, answer=NOT_READ, answered=False, points=Decimal("0.00")
            )
        raw = bid.fields.get(rule.form_label, "")
        number = stated_number(raw)
        if number is None:
            answer = NOT_STATED if not raw.strip() else f"{NOT_STATED} (wpisano: „{raw.strip()}”)"
            return CriterionScore(
                criterion=rule.name, answer=answer, answered=False, points=Decimal("0.00")
            )
        return CriterionScore(
            criterion=rule.name,
            answer=str(number),
            answered=True,
            points=_points(Decimal(_scale_points(rule, number))),
        )
    raise ValueError(f"unknown scoring formula {rule.formula!r}")


def rank(rules: Sequence[CriterionRule], bids: Sequence[Bid]) -> list[Ranked]:
    """Every bid with its points per criterion and total, best first; equal totals share a
    place and the lower price comes first among them (the inquiry says so)."""
    price_rule = next((r for r in rules if r.formula == "lowest_price"), None)
    rows = []
    for bid in bids:
        scores = tuple(score(rule, bid, bids) for rule in rules)
        price = _price(price_rule, bid) if price_rule else None
        rows.append((bid, scores, sum((s.points for s in scores), Decimal("0.00")), price))
    rows.sort(key=lambda r: (-r[2], r[3] if r[3] is not None else Decimal("Infinity")))
    ranked: list[Ranked] = []
    for index, (bid, scores, total, price) in enumerate(rows):
        place = ranked[-1].place if ranked and ranked[-1].total == total else index + 1
        ranked.append(
            Ranked(key=bid.key, name=bid.name, scores=scores, total=total, place=place, price=price)
        )
    return ranked


def winner(ranking: Sequence[Ranked]) -> tuple[Ranked | None, str]:
    """The offer to recommend and why, following from the ranking alone.

    None (with the reason) when there is nothing to recommend or two offers are equal in
    points and price, which only a person can decide.
    """
    if not ranking:
        return None, "Nie złożono żadnej oferty podlegającej ocenie."
    first = ranking[0]
    tied = [r for r in ranking if r.total == first.total]
    points = format_number(first.total)
    if len(tied) == 1:
        return first, (
            f"Oferta uzyskała najwyższą łączną liczbę punktów ({points} pkt) według kryteriów "
            "oceny ofert podanych w zapytaniu o cenę."
        )
    cheaper = [r for r in tied if r.price is not None and r.price == first.price]
    if first.price is not None and len(cheaper) == 1:
        return first, (
            f"Oferty {', '.join(r.name for r in tied)} uzyskały równą liczbę punktów "
            f"({points} pkt); zgodnie z zapytaniem o cenę rekomendowana jest oferta z niższą ceną."
        )
    return None, (
        f"Oferty {', '.join(r.name for r in tied)} uzyskały równą liczbę punktów ({points} pkt) "
        "i tę samą cenę; wyboru dokonuje Kierownik."
    )


def describe(rule: CriterionRule) -> str:
    """How points are given, in the words the inquiry prints."""
    if rule.formula == "lowest_price":
        basis = "brutto" if rule.price_basis == "gross" else "netto"
        return (
            f"liczba punktów = (najniższa cena {basis} spośród ocenianych ofert ÷ cena {basis} "
            f"ocenianej oferty) × {rule.weight}; wynik zaokrągla się do dwóch miejsc po przecinku"
        )
    steps = []
    scale = list(rule.scale)
    for index, (at_least, points) in enumerate(scale):
        following = scale[index + 1][0] if index + 1 < len(scale) else None
        if following is None:
            span = f"{at_least} i więcej"
        elif following - 1 == at_least:
            span = str(at_least)
        else:
            span = f"{at_least}–{following - 1}"
        steps.append(f"{span} – {points} pkt")
    return (
        f"liczba podana przez wykonawcę w formularzu ofertowym w polu „{rule.form_label}”: "
        + "; ".join(steps)
        + f"; niepodanie liczby oznacza 0 pkt (najwyżej {rule.weight} pkt)"
    )
