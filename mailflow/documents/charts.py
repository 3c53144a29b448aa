"""Charts for the results memo and the publication: matplotlib PNGs that carry their alt text.

A chart is a value (:class:`Chart`): the PNG bytes plus the text a screen reader reads. The
alt text states the numbers themselves, so a reader who cannot see the chart loses nothing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede pyplot

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from mailflow.documents.formatting import format_number


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt_text: str
    title: str
    width_cm: float = 16.0


@dataclass(frozen=True)
class ChartBar:
    """One question's score this year, its 95% interval and (if surveyed) last year's score."""

    label: str
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    previous: float | None = None


def _comma(value: float, _position: object = None) -> str:
    return format_number(value, 1)


def _alt_text(title: str, bars: Sequence[ChartBar], year: int, previous_year: int | None) -> str:
    parts = []
    for bar in bars:
        text = f"{bar.label}: {format_number(bar.value)}"
        if bar.ci_low is not None and bar.ci_high is not None:
            interval = f"{format_number(bar.ci_low)}–{format_number(bar.ci_high)}"
            text += f" (95% przedział ufności {interval})"
        if bar.previous is not None and previous_year is not None:
            text += f", w {previous_year} r. {format_number(bar.previous)}"
        parts.append(text)
    return f"Wykres słupkowy: {title}, rok {year}. " + "; ".join(parts) + "."


def score_chart(
    title: str,
    bars: Sequence[ChartBar],
    *,
    year: int,
    previous_year: int | None = None,
    scale_max: float = 5.0,
) -> Chart:
    """Horizontal bars of mean scores (1-5) with 95% intervals, last year's score beside each."""
    labels = [bar.label for bar in bars]
    positions = list(range(len(bars)))
    has_previous = previous_year is not None and any(bar.previous is not None for bar in bars)
    height = 0.38 if has_previous else 0.6
    figure, axes = plt.subplots(figsize=(16 / 2.54, max(2.2, 0.75 * len(bars) + 1.0)), dpi=150)
    try:
        errors = [
            [bar.value - (bar.ci_low if bar.ci_low is not None else bar.value) for bar in bars],
            [(bar.ci_high if bar.ci_high is not None else bar.value) - bar.value for bar in bars],
        ]
        offset = height / 2 if has_previous else 0.0
        axes.barh(
            [p - offset for p in positions],
            [bar.value for bar in bars],
            height=height,
            xerr=errors,
            color="#1f4e79",
            ecolor="#222222",
            capsize=3,
            label=str(year),
        )
        if has_previous:
            axes.barh(
                [p + offset for p in positions],
                [bar.previous or 0.0 for bar in bars],
                height=height,
                color="#9dc3e6",
                label=str(previous_year),
            )
            axes.legend(loc="lower right", fontsize=8)
        axes.set_yticks(positions, labels, fontsize=8)
        axes.invert_yaxis()
        axes.set_xlim(1, scale_max)
        axes.xaxis.set_major_formatter(FuncFormatter(_comma))
        axes.set_xlabel("średnia ocena (1 – bardzo źle, 5 – bardzo dobrze)", fontsize=8)
        axes.set_title(title, fontsize=10)
        axes.tick_params(axis="x", labelsize=8)
        axes.grid(axis="x", color="#dddddd")
        axes.set_axisbelow(True)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)
    return Chart(
        png=buffer.getvalue(),
        alt_text=_alt_text(title, bars, year, previous_year if has_previous else None),
        title=title,
    )
