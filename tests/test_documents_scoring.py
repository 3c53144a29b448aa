"""Points under the published criteria: price by the lowest-price formula, experience on a
stated scale, an unanswered criterion shown as such, and a recommendation from the ranking."""

from __future__ import annotations

from decimal import Decimal

from mailflow.documents.scoring import (
    NOT_STATED,
    Bid,
    CriterionRule,
    describe,
    rank,
    score,
    stated_number,
    winner,
)

EXPERIENCE = "Liczba badań dla podmiotów publicznych w ostatnich 3 latach"
PRICE = CriterionRule(name="Cena brutto", weight=80, formula="lowest_price")
EXPERIENCE_RULE = CriterionRule(
    name="Doświadczenie",
    weight=20,
    formula="stated_number",
    form_label=EXPERIENCE,
    scale=((0, 0), (1, 5), (3, 10), (5, 20)),
)
RULES = (PRICE, EXPERIENCE_RULE)


def bid(key: str, gross: str | None, experience: str | None = None) -> Bid:
    fields = {} if experience is None else {EXPERIENCE: experience}
    value = None if gross is None else Decimal(gross)
    return Bid(key=key, name=key.title(), net=value, gross=value, fields=fields)


def test_the_lowest_price_gets_the_full_weight_and_others_in_proportion() -> None:
    bids = [bid("a", "14145.00"), bid("b", "14637.00")]
    assert score(PRICE, bids[0], bids).points == Decimal("80.00")
    # 14145 / 14637 × 80 = 77.311...
    assert score(PRICE, bids[1], bids).points == Decimal("77.31")


def test_experience_is_scored_on_the_stated_scale() -> None:
    points = [
        score(EXPERIENCE_RULE, bid("x", "1", n), []).points for n in ("0", "2", "3", "4", "7")
    ]
    assert points == [Decimal(p) for p in ("0", "5", "10", "10", "20")]


def test_an_unanswered_criterion_is_shown_as_not_stated_and_scores_zero() -> None:
    empty = score(EXPERIENCE_RULE, bid("x", "1"), [])
    assert (empty.answered, empty.answer, empty.points) == (False, NOT_STATED, Decimal("0.00"))
    words = score(EXPERIENCE_RULE, bid("x", "1", "kilkanaście"), [])
    assert not words.answered
    assert "kilkanaście" in words.answer


def test_a_stated_number_is_read_strictly() -> None:
    assert stated_number("12") == 12
    assert stated_number(" 12 badań ") == 12
    assert stated_number("12,5") is None
    assert stated_number("ok. 12") is None
    assert stated_number("") is None


def test_the_ranking_totals_the_criteria_and_the_recommendation_follows_it() -> None:
    bids = [bid("cheap", "14145.00", "0"), bid("seasoned", "14637.00", "6")]
    ranking = rank(RULES, bids)
    assert [(r.key, r.total, r.place) for r in ranking] == [
        ("seasoned", Decimal("97.31"), 1),
        ("cheap", Decimal("80.00"), 2),
    ]
    chosen, reason = winner(ranking)
    assert chosen is not None and chosen.key == "seasoned"
    assert "97,31 pkt" in reason


def test_equal_points_go_to_the_lower_price_and_full_ties_to_a_person() -> None:
    rules = (
        CriterionRule(
            name="Doświadczenie",
            weight=100,
            formula="stated_number",
            form_label=EXPERIENCE,
            scale=((0, 0), (1, 100)),
        ),
        CriterionRule(name="Cena", weight=0, formula="lowest_price"),
    )
    ranking = rank(rules, [bid("dear", "15000", "3"), bid("cheap", "12000", "2")])
    assert [(r.key, r.place) for r in ranking] == [("cheap", 1), ("dear", 1)]
    chosen, reason = winner(ranking)
    assert chosen is not None and chosen.key == "cheap" and "niższą ceną" in reason
    same = rank(rules, [bid("a", "12000", "3"), bid("b", "12000", "2")])
    assert winner(same)[0] is None


def test_no_offer_means_no_recommendation() -> None:
    assert winner([]) == (None, "Nie złożono żadnej oferty podlegającej ocenie.")


def test_the_inquiry_describes_how_points_are_given() -> None:
    assert "(najniższa cena brutto spośród ocenianych ofert ÷ cena brutto" in describe(PRICE)
    text = describe(EXPERIENCE_RULE)
    assert "0 – 0 pkt; 1–2 – 5 pkt; 3–4 – 10 pkt; 5 i więcej – 20 pkt" in text
    assert f"„{EXPERIENCE}”" in text and "niepodanie liczby oznacza 0 pkt" in text


def test_a_message_that_cannot_be_read_again_is_flagged_not_taken_as_unanswered() -> None:
    unreadable = Bid(key="x", name="X", net=None, gross=Decimal("1"), fields={}, readable=False)
    result = score(EXPERIENCE_RULE, unreadable, [])
    assert not result.answered and "do sprawdzenia" in result.answer
