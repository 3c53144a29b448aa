"""Scales: labels to scores with 5 best, codebook directions, missing markers."""

from __future__ import annotations

from mailflow.results.scales import (
    DONT_KNOW,
    MISSING_CODE,
    Scale,
    ScaleProblem,
    label_scores,
    missing_label_kind,
    normalize_label,
    scale_from_value_labels,
    value_key,
)


def test_it_keys_numbers_and_labels_the_same_whatever_their_form() -> None:
    assert value_key(4) == value_key(4.0) == value_key(" 4 ") == "4"
    assert value_key("0,5") == value_key(0.5)
    assert value_key("Ani zadowolony,  ani NIEzadowolony") == "ani zadowolony ani niezadowolony"
    assert value_key(None) == value_key("") == value_key(float("nan")) == ""


def test_it_compares_labels_without_diacritics_or_case() -> None:
    assert normalize_label("Trudno powiedzieć") == "trudno powiedziec"
    assert normalize_label("Źle, bardzo ŁATWO") == "zle bardzo latwo"


def test_it_scores_polish_labels_with_5_best_even_on_best_first_scales() -> None:
    assert [s for _, s in label_scores("zdecydowanie zadowolony")] == [5]
    assert [s for _, s in label_scores(normalize_label("bardzo krótki"))] == [5]
    assert [s for _, s in label_scores(normalize_label("bardzo długi"))] == [1]
    assert [s for _, s in label_scores(normalize_label("raczej się zgadzam"))] == [4]
    assert [s for _, s in label_scores("5 bardzo dobrze")] == [5]


def test_dont_know_and_refusals_are_missing_not_scores() -> None:
    assert missing_label_kind(normalize_label("trudno powiedzieć")) == DONT_KNOW
    assert missing_label_kind("nie wiem") == DONT_KNOW
    assert missing_label_kind("odmowa") == MISSING_CODE
    assert missing_label_kind("raczej tak") is None


def test_codes_labelled_best_first_are_reversed() -> None:
    scale = scale_from_value_labels(
        {
            "1": "zdecydowanie zadowolony",
            "2": "raczej zadowolony",
            "3": "ani zadowolony, ani niezadowolony",
            "4": "raczej niezadowolony",
            "5": "zdecydowanie niezadowolony",
            "9": "trudno powiedzieć",
        },
        set(),
    )
    assert isinstance(scale, Scale) and scale.reversed
    assert {k: v for k, v in scale.codes.items() if k.isdigit()} == {
        "1": 5,
        "2": 4,
        "3": 3,
        "4": 2,
        "5": 1,
        "9": DONT_KNOW,
    }
    assert scale.codes["zdecydowanie zadowolony"] == 5  # labelled data read the same way
    assert scale.note is not None and "reversed" in scale.note


def test_a_4_point_scale_maps_to_1_2_4_5_and_says_so() -> None:
    scale = scale_from_value_labels(
        {"1": "tak", "2": "raczej tak", "3": "raczej nie", "4": "nie"}, set()
    )
    assert isinstance(scale, Scale)
    assert {k: v for k, v in scale.codes.items() if k.isdigit()} == {"1": 5, "2": 4, "3": 2, "4": 1}
    assert scale.note is not None and "raczej tak=4" in scale.note


def test_labels_known_only_at_one_end_still_fix_the_direction() -> None:
    scale = scale_from_value_labels(
        {"1": "bardzo źle", "2": "x", "3": "y", "4": "z", "5": "w"}, set()
    )
    assert isinstance(scale, Scale) and scale.codes["5"] == 5 and not scale.reversed


def test_unknown_or_contradictory_labels_are_a_problem_not_a_guess() -> None:
    assert isinstance(
        scale_from_value_labels({"1": "a", "2": "b", "3": "c", "4": "d", "5": "e"}, set()),
        ScaleProblem,
    )
    contradictory = {
        "1": "bardzo źle",
        "2": "bardzo dobrze",
        "3": "źle",
        "4": "dobrze",
        "5": "przeciętnie",
    }
    assert isinstance(scale_from_value_labels(contradictory, set()), ScaleProblem)
    assert isinstance(scale_from_value_labels({"1": "tak", "2": "nie"}, set()), ScaleProblem)


def test_codes_marked_missing_in_the_codebook_are_missing() -> None:
    scale = scale_from_value_labels(
        {
            "1": "bardzo źle",
            "2": "źle",
            "3": "przeciętnie",
            "4": "dobrze",
            "5": "bardzo dobrze",
            "99": "bd",
        },
        {"99"},
    )
    assert isinstance(scale, Scale) and scale.codes["99"] == MISSING_CODE
