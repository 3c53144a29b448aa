"""One rule for time: a stored UTC moment is shown on the office's clock, Europe/Warsaw.

The same deadline must read the same in the document, the e-mail and the calendar entry, in
winter (UTC+1), in summer (UTC+2) and on the two days a year the clocks change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from mailflow.documents.formatting import WARSAW, format_deadline, local_time
from mailflow.procedure_mail import calendar_invite

CASES = [
    # (stored UTC moment, what a person in the office reads)
    (datetime(2027, 2, 10, 11, 0, tzinfo=UTC), "10 lutego 2027 r., godz. 12:00"),  # winter
    (datetime(2027, 6, 10, 10, 0, tzinfo=UTC), "10 czerwca 2027 r., godz. 12:00"),  # summer
    # 28 March 2027: at 02:00 CET the clocks go forward to 03:00 CEST.
    (datetime(2027, 3, 28, 0, 30, tzinfo=UTC), "28 marca 2027 r., godz. 01:30"),
    (datetime(2027, 3, 28, 10, 0, tzinfo=UTC), "28 marca 2027 r., godz. 12:00"),
    # 31 October 2027: at 03:00 CEST the clocks go back to 02:00 CET.
    (datetime(2027, 10, 31, 0, 30, tzinfo=UTC), "31 października 2027 r., godz. 02:30"),
    (datetime(2027, 10, 31, 11, 0, tzinfo=UTC), "31 października 2027 r., godz. 12:00"),
]


@pytest.mark.parametrize(("moment", "expected"), CASES)
def test_a_deadline_reads_in_warsaw_time(moment: datetime, expected: str) -> None:
    assert format_deadline(moment) == expected


def test_a_naive_stored_moment_is_taken_as_utc_as_the_database_stores_it() -> None:
    assert format_deadline(datetime(2027, 2, 10, 11, 0)) == "10 lutego 2027 r., godz. 12:00"
    assert local_time(datetime(2027, 6, 10, 10, 0)).utcoffset() is not None


def test_both_hours_of_the_night_the_clocks_go_back_are_told_apart() -> None:
    first = local_time(datetime(2027, 10, 31, 0, 30, tzinfo=UTC))  # 02:30 CEST
    second = local_time(datetime(2027, 10, 31, 1, 30, tzinfo=UTC))  # 02:30 CET
    assert (first.hour, second.hour) == (2, 2)
    assert first.utcoffset() != second.utcoffset()


def _event(data: bytes) -> Calendar:
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return event


@pytest.mark.parametrize(("moment", "expected"), CASES)
def test_the_calendar_entry_is_timed_on_warsaw_time_at_the_same_moment(
    moment: datetime, expected: str
) -> None:
    data = calendar_invite("Termin składania ofert (IN-13)", moment, "zo-2027-x@mailflow").data
    event = _event(data)
    start = event.decoded("dtstart")
    assert isinstance(start, datetime)
    assert start.astimezone(UTC) == moment  # the same instant
    assert event["dtstart"].params["TZID"] == "Europe/Warsaw"
    assert format_deadline(start) == expected
    text = data.decode()
    local = moment.astimezone(WARSAW)
    assert f"DTSTART;TZID=Europe/Warsaw:{local:%Y%m%dT%H%M%S}" in text


def test_the_second_half_past_two_of_the_autumn_night_is_written_in_utc() -> None:
    moment = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 02:30 CET, after 02:30 CEST
    data = calendar_invite("Termin", moment, "u@mailflow").data
    assert b"DTSTART:20271031T013000Z" in data
    assert _event(data).decoded("dtstart") == moment


def test_the_calendar_carries_its_time_zone_and_an_alarm() -> None:
    data = calendar_invite(
        "Termin składania ofert (IN-13)", datetime(2027, 2, 10, 11, 0, tzinfo=UTC), "u@mailflow"
    ).data
    calendar = Calendar.from_ical(data)
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Warsaw"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    (alarm,) = calendar.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("trigger").total_seconds() < 0  # before the deadline


def test_a_day_without_an_hour_stays_an_all_day_entry_with_an_alarm() -> None:
    data = calendar_invite("Termin badania (IN-13)", date(2027, 6, 15), "rea-2027@mailflow").data
    event = _event(data)
    assert event.decoded("dtstart") == date(2027, 6, 15)
    assert Calendar.from_ical(data).walk("VALARM")
