"""The pure builder: records in, RFC 5545 bytes out, with nothing taken from the clock."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, UTC

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.calendars.ics import BUSY, FULL, TITLES, CalendarMeta, build_calendar, fold
from outreach.core.calendar import ALL_DAY, EVENT, TODO, CalendarItem

STAMP = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)
ADDIS_10AM = datetime(2026, 12, 15, 7, 0, tzinfo=UTC)


def item(n: int = 1, **kw) -> CalendarItem:
    defaults = dict(uid=f"meeting-{n}@outreach", kind=EVENT, summary=f"Meeting {n}", last_modified=STAMP, sequence=3,
                    start=ADDIS_10AM, end=ADDIS_10AM + timedelta(hours=1), timezone="Africa/Addis_Ababa",
                    location="AU HQ, Addis Ababa", description="With: Amina Diallo", url=f"https://o.example/meetings/{n}")
    defaults.update(kw)
    return CalendarItem(**defaults)


def meta(**kw) -> CalendarMeta:
    return CalendarMeta(**{"name": "My calendar", "refresh": timedelta(hours=1), **kw})


def test_lines_end_in_crlf_and_are_folded_at_75_octets_without_splitting_a_character():
    long = "Réunion sur la résolution 1325 — " * 12
    body = build_calendar([item(summary=long, location="Addis Ababa ✓ " * 20)], meta())
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")  # no character cut in two
    parsed = icalendar.Calendar.from_ical(body)
    assert str(parsed.walk("VEVENT")[0]["SUMMARY"]) == long


def test_fold_keeps_short_lines_whole():
    assert fold("SUMMARY:short") == b"SUMMARY:short\r\n"
    assert all(len(x) <= 75 for x in fold("X:" + "é" * 100).split(b"\r\n"))


def test_calendar_properties_of_rfc_7986_and_the_refresh_interval():
    body = build_calendar([item()], meta(uid="feed-1@outreach"))
    text = body.decode()
    for expected in ("VERSION:2.0", "PRODID:", "NAME:My calendar", "X-WR-CALNAME:My calendar",
                     "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H", "UID:feed-1@outreach"):
        assert expected in text


def test_an_event_keeps_its_own_zone_with_one_vtimezone_per_zone_used():
    body = build_calendar([item(1), item(2, timezone="Europe/Paris"), item(3, timezone="Africa/Addis_Ababa"),
                           item(4, timezone="UTC")], meta())
    text = body.decode()
    assert text.count("BEGIN:VTIMEZONE") == 2
    assert "TZID:Africa/Addis_Ababa" in text and "TZID:Europe/Paris" in text
    assert "DTSTART;TZID=Africa/Addis_Ababa:20261215T100000" in text
    assert "DTSTART;TZID=Europe/Paris:20261215T080000" in text
    assert "DTSTART:20261215T070000Z" in text
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert event.decoded("DTSTART").astimezone(UTC) == ADDIS_10AM


def test_stamps_come_from_the_record_and_unchanged_input_gives_the_same_bytes():
    first = build_calendar([item(1), item(2)], meta())
    again = build_calendar([item(2), item(1)], meta())  # order of the records does not matter
    assert first == again
    text = first.decode()
    assert "DTSTAMP:20261130T081500Z" in text and "LAST-MODIFIED:20261130T081500Z" in text
    assert "SEQUENCE:3" in text
    changed = build_calendar([item(1, sequence=4, last_modified=STAMP + timedelta(minutes=1)), item(2)], meta())
    assert changed != first


def test_cancelled_meetings_stay_as_cancelled_events():
    text = build_calendar([item(cancelled=True)], meta()).decode()
    assert "STATUS:CANCELLED" in text and "BEGIN:VEVENT" in text


def test_tasks_and_all_day_deadlines():
    text = build_calendar([item(1, kind=TODO, end=None, summary="Send the brief"),
                           item(2, kind=ALL_DAY, start=None, end=None, day=date(2027, 1, 31), summary="Due")],
                          meta()).decode()
    assert "BEGIN:VTODO" in text and "DUE;TZID=Africa/Addis_Ababa:20261215T100000" in text
    assert "STATUS:NEEDS-ACTION" in text
    assert "DTSTART;VALUE=DATE:20270131" in text and "DTEND;VALUE=DATE:20270201" in text


def test_privacy_modes_leak_nothing_but_what_they_promise():
    secret = item(summary="Talks with the SRSG", location="Bangui", description="With: Amina Diallo")
    full = build_calendar([secret], meta(privacy=FULL)).decode()
    assert "Bangui" in full and "Amina Diallo" in full and "https://o.example/meetings/1" in full
    titles = build_calendar([secret], meta(privacy=TITLES)).decode()
    assert "Talks with the SRSG" in titles and "Bangui" not in titles and "Amina" not in titles
    assert "DESCRIPTION" not in titles and "LOCATION" not in titles
    busy = build_calendar([secret], meta(privacy=BUSY)).decode()
    assert "SUMMARY:Busy" in busy
    for leak in ("Talks", "SRSG", "Bangui", "Amina", "URL", "meetings/1", "CATEGORIES"):
        assert leak not in busy


def test_hostile_text_is_escaped_and_never_starts_a_component():
    hostile = "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected;a,b:c\\"
    body = build_calendar([item(summary=hostile, location=hostile, description=hostile)], meta())
    lines = body.replace(b"\r\n ", b"").split(b"\r\n")  # unfolded content lines
    assert lines.count(b"BEGIN:VEVENT") == 1 and lines.count(b"END:VEVENT") == 1
    assert not any(re.match(rb"(BEGIN|END|SUMMARY):", line) and line not in (b"BEGIN:VEVENT", b"END:VEVENT")
                   and not line.startswith(b"SUMMARY:x\\n") and b"VCALENDAR" not in line and b"VTIMEZONE" not in line
                   and b"STANDARD" not in line and b"DAYLIGHT" not in line for line in lines)
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == hostile.replace("\r\n", "\n")


_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=80)
_hostile = st.one_of(_text, st.sampled_from(["\r", "\n", ";", ",", ":", "BEGIN:VEVENT", "\\", "\r\nEND:VCALENDAR"]))
_summaries = st.lists(st.lists(_hostile, min_size=1, max_size=4).map("".join), min_size=0, max_size=12)


def _readable(value: str) -> str:
    """What any client reads back: line breaks normalised, control characters (not text) gone."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if ch in "\n\t" or not (ord(ch) < 32 or ord(ch) == 127))


@settings(max_examples=60, deadline=None)
@given(_summaries)
def test_n_records_give_exactly_n_components_with_their_text(summaries):
    import ical.calendar_stream

    items = [item(i, summary=s, location=s[::-1], description=s) for i, s in enumerate(summaries)]
    body = build_calendar(items, meta())
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert len(events) == len(summaries)
    by_uid = {str(e["UID"]): e for e in events}
    strict = {e.uid: e for e in ical.calendar_stream.IcsCalendarStream.calendar_from_ics(body.decode()).events}
    assert len(strict) == len(summaries)
    for i, s in enumerate(summaries):
        uid = f"meeting-{i}@outreach"
        assert str(by_uid[uid]["SUMMARY"]) == _readable(s)
        assert str(by_uid[uid]["LOCATION"]) == _readable(s[::-1])
        assert strict[uid].summary == _readable(s)


# -- the component writer is held to the plain line-by-line writer it replaced -------------------------------------

def _reference_component(i: CalendarItem, privacy: str) -> bytes:
    """Each content line built whole, then folded on its own: the straightforward writer (slower)."""
    from outreach.calendars.ics import _time_property, escape_text, known_zone, utc_stamp

    zone = known_zone(i.timezone)
    name = "VTODO" if i.kind == TODO else "VEVENT"
    stamp = utc_stamp(i.last_modified)
    lines = [f"BEGIN:{name}", f"UID:{escape_text(i.uid)}", f"DTSTAMP:{stamp}", f"LAST-MODIFIED:{stamp}",
             f"SEQUENCE:{max(0, int(i.sequence))}",
             f"SUMMARY:{escape_text('Busy' if privacy == BUSY else i.summary)}"]
    if i.kind == ALL_DAY and i.day is not None:
        lines += [f"DTSTART;VALUE=DATE:{i.day:%Y%m%d}", f"DTEND;VALUE=DATE:{i.day + timedelta(days=1):%Y%m%d}",
                  "TRANSP:TRANSPARENT"]
    elif i.kind == TODO and i.start is not None:
        lines.append(_time_property("DUE", i.start, zone))
        lines.append("STATUS:COMPLETED" if i.done else "STATUS:CANCELLED" if i.cancelled else "STATUS:NEEDS-ACTION")
    elif i.start is not None:
        lines.append(_time_property("DTSTART", i.start, zone))
        if i.end is not None and i.end > i.start:
            lines.append(_time_property("DTEND", i.end, zone))
    if i.kind != TODO:
        lines.append("STATUS:CANCELLED" if i.cancelled else "STATUS:CONFIRMED")
    if privacy == BUSY:
        lines.append("CLASS:PRIVATE")
    elif privacy == TITLES:
        lines += [f"URL:{i.url}"] if i.url else []
        lines.append("CLASS:PRIVATE")
    else:
        if i.location:
            lines.append(f"LOCATION:{escape_text(i.location)}")
        description = "\n\n".join(part for part in (i.description, i.url) if part)
        if description:
            lines.append(f"DESCRIPTION:{escape_text(description)}")
        if i.url:
            lines.append(f"URL:{i.url}")
        if i.categories:
            lines.append("CATEGORIES:" + ",".join([escape_text(c) for c in i.categories]))
    lines.append(f"END:{name}")
    return b"".join(_reference_fold(line) for line in lines)


def _reference_fold(line: str) -> bytes:
    """Fold at 75 octets, stepping back off UTF-8 continuation bytes; continuation lines start with a space."""
    raw, out, start, limit = line.encode("utf-8"), [], 0, 75
    while True:
        end = min(start + limit, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:
            end -= 1
        out.append(raw[start:end])
        start, limit = end, 74
        if start >= len(raw):
            return b"\r\n ".join(out) + b"\r\n"


_moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31),
                        timezones=st.just(UTC))
_short = st.one_of(st.none(), st.just(""), _text, st.text(alphabet="ab, ;\\é✓𝄞\n", max_size=200),
                   st.text(alphabet="x", min_size=60, max_size=400))
_items = st.builds(
    CalendarItem, uid=st.one_of(st.just("meeting-1@outreach"), st.text(alphabet="u-é@;,", min_size=1, max_size=120)),
    kind=st.sampled_from([EVENT, ALL_DAY, TODO]), summary=_short.map(lambda v: v or ""), last_modified=_moments,
    sequence=st.one_of(st.integers(-3, 10 ** 6), st.integers(10 ** 58, 10 ** 80)),
    start=st.one_of(st.none(), _moments), end=st.one_of(st.none(), _moments),
    timezone=st.sampled_from(["UTC", "Africa/Addis_Ababa", "America/Argentina/ComodRivadavia", "Not/AZone", "",
                              "America/New_York"]),
    day=st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))),
    location=_short, description=_short,
    url=st.one_of(st.none(), st.just(""), st.just("https://o.example/meetings/1"),
                  st.text(alphabet="https:/.example", min_size=70, max_size=300)),
    cancelled=st.booleans(), done=st.booleans(), categories=st.lists(_short.map(lambda v: v or "x"), max_size=3)
    .map(tuple))


@settings(max_examples=300, deadline=None)
@given(st.lists(_items, max_size=6), st.sampled_from([FULL, TITLES, BUSY]))
def test_the_component_writer_gives_the_line_by_line_writers_bytes(items, privacy):
    from outreach.calendars.ics import _component

    for i in items:
        assert _component(i, privacy).encode("utf-8") == _reference_component(i, privacy)
    body = build_calendar(items, meta(privacy=privacy))
    for line in body.split(b"\r\n")[:-1]:
        assert len(line) <= 75
        line.decode("utf-8")
