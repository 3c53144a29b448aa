"""Charts are PNGs whose alt text states the numbers shown."""

from __future__ import annotations

from mailflow.documents.charts import ChartBar, score_chart


def test_it_draws_a_png_with_alt_text_stating_every_value() -> None:
    chart = score_chart(
        "Średnia ocena usług",
        [
            ChartBar(label="Q1. Obsługa", value=4.21, ci_low=4.12, ci_high=4.3, previous=4.1),
            ChartBar(label="Q2. Czas", value=3.38),
        ],
        year=2027,
        previous_year=2026,
    )
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert chart.alt_text == (
        "Wykres słupkowy: Średnia ocena usług, rok 2027. "
        "Q1. Obsługa: 4,21 (95% przedział ufności 4,12–4,30), w 2026 r. 4,10; Q2. Czas: 3,38."
    )


def test_it_leaves_last_year_out_when_there_was_no_survey() -> None:
    chart = score_chart("Ocena", [ChartBar(label="Q1", value=4.0)], year=2027, previous_year=2026)
    assert "2026" not in chart.alt_text
