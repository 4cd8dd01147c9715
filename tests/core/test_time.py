"""Core's time helpers, the one home of conversion between a zone's clocks and UTC (and of `format_when`)."""
from __future__ import annotations

from datetime import date, datetime, time, UTC

import pytest

from outreach.core.i18n import format_when
from outreach.core.time import day_start, local_date, local_day_bounds, local_to_utc, missing_local_time, today_at

UTC = UTC


def test_a_wall_clock_time_becomes_a_utc_instant() -> None:
    assert local_to_utc(date(2026, 7, 1), time(9, 0), "Africa/Nairobi") == datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    # the hour repeated when New York's clocks go back is read as its first occurrence (still summer time)
    assert local_to_utc(date(2026, 11, 1), time(1, 30), "America/New_York") == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize(("day", "at", "zone", "missing"), [
    (date(2026, 3, 8), time(2, 30), "America/New_York", True),  # the clocks jump from 2:00 to 3:00
    (date(2026, 3, 8), time(3, 0), "America/New_York", False),
    (date(2026, 11, 1), time(1, 30), "America/New_York", False),  # repeated, not missing
    (date(2026, 3, 29), time(2, 15), "Europe/Paris", True),
    (date(2026, 3, 29), time(2, 15), "Africa/Addis_Ababa", False),  # no daylight saving
])
def test_a_time_skipped_by_the_clocks_is_missing(day: date, at: time, zone: str, missing: bool) -> None:
    assert missing_local_time(day, at, zone) is missing


def test_days_in_a_zone() -> None:
    now = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # already the 11th in Nairobi, still the 10th in New York
    assert local_date(now, "Africa/Nairobi") == date(2026, 3, 11)
    assert local_date(now, "America/New_York") == date(2026, 3, 10)
    assert day_start(date(2026, 3, 11)) == datetime(2026, 3, 11, tzinfo=UTC)
    assert day_start(date(2026, 3, 11), "Africa/Nairobi") == datetime(2026, 3, 10, 21, 0, tzinfo=UTC)
    assert local_day_bounds("Africa/Nairobi", now) == (datetime(2026, 3, 10, 21, 0, tzinfo=UTC),
                                                      datetime(2026, 3, 11, 21, 0, tzinfo=UTC))
    # the day the clocks go forward is 23 hours long
    start, end = local_day_bounds("America/New_York", datetime(2026, 3, 8, 12, 0, tzinfo=UTC))
    assert (end - start).total_seconds() == 23 * 3600
    assert today_at("America/New_York", 7, now) == datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
    assert today_at("Pacific/Kiritimati", 7, datetime(2026, 12, 31, 12, 0, tzinfo=UTC)) == \
        datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # already 1 January there, 07:00 local


def test_format_when_says_the_readers_time_and_zone() -> None:
    instant = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    assert format_when(instant, "America/New_York") == "Tue 1 Dec 2026, 09:00 (America/New_York)"
    assert format_when(instant, "UTC") == "Tue 1 Dec 2026, 14:00 (UTC)"
