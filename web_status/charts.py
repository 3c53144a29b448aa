"""Server-drawn SVG bar charts of the survey indicators (no script, no inline style).

The geometry is computed here and drawn by ``templates/_chart.html``; colours come from
classes in the stylesheet. Each chart is paired with a table carrying the same numbers, which
is what screen readers and people who prefer numbers use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TOP = 24


@dataclass(frozen=True)
class Layout:
    """Wide: labels left of the bars (desktop). Stacked: labels above the bars (phones)."""

    width: int
    label_width: int
    value_room: int
    row_height: int
    max_label_chars: int
    stacked: bool


WIDE = Layout(
    width=640, label_width=200, value_room=70, row_height=30, max_label_chars=28, stacked=False
)
STACKED = Layout(
    width=360, label_width=0, value_room=52, row_height=42, max_label_chars=48, stacked=True
)


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    y: float
    width: float
    ci_from: float | None
    ci_to: float | None
    value_text: str
    below_threshold: bool


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    plot_left: int
    plot_width: int
    bars: list[Bar]
    threshold_x: float | None
    threshold_text: str
    ticks: list[tuple[float, str]]
    stacked: bool
    row_height: int


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def bar_chart(
    title: str,
    questions: list[dict[str, Any]],
    key: str,
    ci_key: str,
    low: float,
    high: float,
    value_text: Any,
    threshold: float | None = None,
    threshold_text: str = "",
    tick_text: Any = str,
    ticks: list[float] | None = None,
    layout: Layout = WIDE,
) -> Chart:
    plot_width = layout.width - layout.label_width - layout.value_room

    def x(value: float) -> float:
        clamped = min(max(value, low), high)
        return round((clamped - low) / (high - low) * plot_width, 1)

    bars = []
    for index, question in enumerate(questions):
        value = _number(question.get(key))
        ci = question.get(ci_key)
        ci_low = _number(ci[0]) if isinstance(ci, list | tuple) and len(ci) == 2 else None
        ci_high = _number(ci[1]) if isinstance(ci, list | tuple) and len(ci) == 2 else None
        name = f"{question.get('id', '')} {question.get('label', '')}".strip()
        bars.append(
            Bar(
                label=_short(name, layout.max_label_chars),
                full_label=name,
                y=TOP + index * layout.row_height,
                width=x(value) if value is not None else 0.0,
                ci_from=x(ci_low) if ci_low is not None else None,
                ci_to=x(ci_high) if ci_high is not None else None,
                value_text=value_text(value) if value is not None else "–",
                below_threshold=threshold is not None and value is not None and value < threshold,
            )
        )
    return Chart(
        title=title,
        width=layout.width,
        height=TOP + max(len(bars), 1) * layout.row_height + 8,
        plot_left=layout.label_width,
        plot_width=plot_width,
        bars=bars,
        threshold_x=x(threshold) if threshold is not None else None,
        threshold_text=threshold_text,
        ticks=[(x(t), tick_text(t)) for t in (ticks or [low, high])],
        stacked=layout.stacked,
        row_height=layout.row_height,
    )
