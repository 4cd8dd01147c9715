"""Every independent reader puts each event at the same instant, in zones with and without summer time."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

from outreach.calendars.ics import CalendarMeta, build_calendar
from outreach.core.calendar import EVENT, CalendarItem
from tests.calendars import readers

ZONES = ["Africa/Addis_Ababa", "America/New_York", "Europe/Brussels", "Europe/Oslo", "Asia/Jakarta",
         "America/Sao_Paulo", "Australia/Sydney", "UTC"]
#: winter and summer on both hemispheres, and the days around Europe's and America's clock changes
INSTANTS = [datetime(2026, 1, 15, 7, 0, tzinfo=UTC), datetime(2026, 7, 15, 7, 0, tzinfo=UTC),
            datetime(2026, 9, 29, 22, 15, tzinfo=UTC), datetime(2027, 3, 29, 9, 0, tzinfo=UTC),
            datetime(2027, 11, 8, 15, 30, tzinfo=UTC)]


def _calendar() -> tuple[bytes, dict[str, datetime]]:
    items, expected = [], {}
    for z in ZONES:
        for n, moment in enumerate(INSTANTS):
            uid = f"meeting-{z.replace('/', '-')}-{n}@outreach"
            items.append(CalendarItem(uid=uid, kind=EVENT, summary=f"{z} {n}", last_modified=INSTANTS[0],
                                      start=moment, end=moment + timedelta(hours=1), timezone=z))
            expected[uid] = moment
    return build_calendar(items, CalendarMeta(name="Zones")), expected


def test_strict_ical_and_vobject_agree_with_the_instants():
    body, expected = _calendar()
    assert {uid: when for uid, (when, _s) in readers.strict_ical(body).items()} == expected
    assert {uid: when for uid, (when, _s) in readers.vobject_read(body).items()} == expected


def test_icaljs_agrees_with_the_instants():
    body, expected = _calendar()
    parsed = readers.icaljs_read(body)
    got = {e["uid"]: datetime.fromisoformat(e["start"].replace("Z", "+00:00")) for e in parsed["events"]}
    assert got == expected
    assert sorted(parsed["timezones"]) == sorted(z for z in ZONES if z != "UTC")


def test_radicale_stores_and_returns_the_same_instants(tmp_path):
    body, expected = _calendar()
    assert {uid: when for uid, (when, _s) in readers.radicale_round_trip(body, tmp_path).items()} == expected
