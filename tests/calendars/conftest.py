"""Factories for calendar tests (the meetings' own, re-exported) and independent iCalendar readers."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC
from typing import Any

import pytest

from tests.meetings.conftest import make_contact, make_meeting, make_organisation  # noqa: F401

#: Calendars hold a window around *today*, so these tests place records relative to the real clock.
TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
SOON = TODAY + timedelta(days=3, hours=7)  # 10:00 in Addis Ababa


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    from outreach.calendars import guard

    guard.per_feed.reset()
    guard.per_address_misses.reset()
    yield
