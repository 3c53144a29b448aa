"""The clock is a parameter, so a test can run a whole campaign year in seconds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, overload
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment


# ------------------------------------------------------------------ time helpers
# The one home of the time rules: everything stored is UTC, every date a person reads is
# Warsaw's, and a deadline "on a day" means 23:59 that day in Warsaw.

WARSAW = ZoneInfo("Europe/Warsaw")


@overload
def utc(moment: datetime) -> datetime: ...
@overload
def utc(moment: None) -> None: ...
def utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def warsaw_date(moment: datetime) -> date:
    """The calendar day a moment falls on in Warsaw (naive moments are UTC)."""
    return utc(moment).astimezone(WARSAW).date()


def warsaw_today(clock: Clock) -> date:
    return warsaw_date(clock.now())


def end_of_day(day: date) -> datetime:
    """23:59 of ``day`` in Warsaw, as a UTC moment."""
    return datetime.combine(day, time(23, 59), WARSAW).astimezone(UTC)
