"""Template filters: dates in Warsaw time, Polish money, shares, and text made inert."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale
from markupsafe import Markup, escape

from mailflow.clock import utc
from web_status.i18n import label
from web_status.queries import defuse_bidi


def when(moment: datetime | None) -> str:
    if moment is None:
        return "–"
    return str(format_datetime(utc(moment), "yyyy-MM-dd HH:mm"))


def day(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return str(format_datetime(utc(value), "yyyy-MM-dd"))
    return str(format_date(value, "yyyy-MM-dd"))


def money(amount: Decimal | None) -> str:
    if amount is None:
        return "–"
    return f"{format_decimal(amount, '#,##0.00')}\u00a0zł"


def share(value: float | None) -> str:
    return "–" if value is None else str(format_percent(value, "#,##0.0%"))


def number(value: float | None, places: int = 2) -> str:
    return "–" if value is None else str(format_decimal(value, "#,##0." + "0" * places))


def inert(value: Any) -> Markup:
    """Text from outside (subjects, names, filenames) escaped, with direction tricks visible,
    and isolated in <bdi> so it cannot reorder the text around it."""
    text = defuse_bidi("" if value is None else str(value))
    return Markup("<bdi>") + escape(text) + Markup("</bdi>")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        when=when, day=day, money=money, share=share, number=number, inert=inert
    )
    app.jinja_env.globals.update(label=label, get_locale=get_locale)
