"""Pure iCalendar builder: calendar items -> RFC 5545 bytes. No request, no database, no clock.

Everything in the output comes from the items and the arguments, so an unchanged calendar is
byte-identical (DTSTAMP and LAST-MODIFIED are the record's last change, never "now") and its
ETag answers 304.

The VTIMEZONE components come from icalendar (``Timezone.from_tzid``, cached per zone and
window). The events themselves are written here: icalendar's component tree costs about a
millisecond per event, and a feed of 2,000 events must render well under 250 ms. The writer is
small and strict — text escaped (RFC 5545 §3.3.11), lines folded at 75 octets without splitting a
UTF-8 sequence, CRLF endings — and the tests read its output with icalendar, the strict `ical`
parser, vobject, Mozilla's ical.js and a Radicale CalDAV server.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, UTC
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach.core.calendar import ALL_DAY, TODO, CalendarItem
from outreach.core.text import strip_control_characters

PRODID = "-//Outreach//Outreach calendar 1.0//EN"
#: Part of every feed's ETag (services.feed_etag): change it whenever the same data would be written differently
#: here or by a source, so that subscribed clients fetch the new bytes.
FORMAT = 1

FULL = "full"
TITLES = "titles"
BUSY = "busy"
PRIVACY_MODES = (FULL, TITLES, BUSY)

#: The span the VTIMEZONE rules cover (fixed, so the output does not change with the clock).
_TZ_FIRST = date(2000, 1, 1)
_TZ_LAST = date(2045, 1, 1)


_SPECIAL = re.compile(r"[\\;,\x00-\x1f\x7f]")


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and newlines escaped, controls dropped."""
    if not _SPECIAL.search(value):
        return value
    value = strip_control_characters(value.replace("\r\n", "\n").replace("\r", "\n"), multiline=True)
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n"))


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets (never inside a character), CRLF-terminated."""
    return _folded(line).encode("utf-8")


def _folded(line: str) -> str:
    """*line* with CRLF + space inserted so that no physical line exceeds 75 octets of UTF-8, CRLF-terminated."""
    if line.isascii():  # one octet a character: cut the string itself
        if len(line) <= 75:
            return line + "\r\n"
        return "\r\n ".join([line[:75]] + [line[i:i + 74] for i in range(75, len(line), 74)]) + "\r\n"
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line + "\r\n"
    out = bytearray()
    limit = 75
    start = 0
    while start < len(raw):
        end = min(start + limit, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # a continuation byte: step back
            end -= 1
        if out:
            out += b" "
        out += raw[start:end] + b"\r\n"
        start = end
        limit = 74  # continuation lines start with a space
    return out.decode("utf-8")


def _basic(m: datetime) -> str:
    """20261215T100000: strftime is four times slower, and a feed formats thousands of these."""
    return f"{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}"


def utc_stamp(moment: datetime) -> str:
    return _basic(moment.astimezone(UTC)) + "Z"


def _local(moment: datetime, zone: str) -> str:
    return _basic(moment.astimezone(_zoneinfo(zone)))


@lru_cache(maxsize=512)
def _zoneinfo(zone: str) -> ZoneInfo:
    return ZoneInfo(zone)


@lru_cache(maxsize=512)
def known_zone(zone: str | None) -> str:
    """*zone* if it is an IANA zone this machine knows, else "UTC"."""
    if not zone or zone == "UTC":
        return "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return zone


@lru_cache(maxsize=256)
def vtimezone(zone: str) -> bytes:
    """The VTIMEZONE component of an IANA zone (icalendar computes its transitions; cached).

    icalendar lists an observance's onsets as one RDATE with many values; Mozilla's ical.js (Thunderbird) and
    vobject read only the first value of each RDATE, and put every later summer an hour off. One RDATE per
    onset says the same thing in a way every reader follows.
    """
    from icalendar import Timezone

    text = Timezone.from_tzid(zone, first_date=_TZ_FIRST, last_date=_TZ_LAST).to_ical().decode("utf-8")
    lines = []
    for line in text.replace("\r\n ", "").split("\r\n"):
        if line.startswith("RDATE:") and "," in line:
            lines += [f"RDATE:{value}" for value in line[len("RDATE:"):].split(",")]
        elif line:
            lines.append(line)
    return "".join(_folded(line) for line in lines).encode("utf-8")


@dataclass(frozen=True)
class CalendarMeta:
    """The calendar's own properties."""

    name: str
    uid: str | None = None  #: a feed's stable id
    description: str | None = None
    url: str | None = None
    refresh: timedelta | None = None  #: REFRESH-INTERVAL and X-PUBLISHED-TTL (feeds)
    privacy: str = FULL
    method: str | None = None  #: "PUBLISH" for downloads


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0:
        return f"P{seconds // 86400}D"
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") if (hours or minutes) else "PT0S"


def _time_property(name: str, moment: datetime, zone: str) -> str:
    if zone == "UTC":
        return f"{name}:{utc_stamp(moment)}"
    return f"{name};TZID={zone}:{_local(moment, zone)}"


def _summary(item: CalendarItem, privacy: str) -> str:
    if privacy == BUSY:
        return "Busy"
    return item.summary


def _component(item: CalendarItem, privacy: str) -> str:
    """One VEVENT or VTODO, folded, CRLF-terminated.

    Written as one string: only the lines whose length depends on the data go through the folding (a stamp, a
    date, a status or a known zone's name always fits in 75 octets); a feed of thousands of events spends its
    time here. tests/calendars/test_ics.py holds it to the line-by-line writer's bytes."""
    zone = known_zone(item.timezone)
    name = "VTODO" if item.kind == TODO else "VEVENT"
    stamp = utc_stamp(item.last_modified)
    sequence = max(0, int(item.sequence))
    out = [f"BEGIN:{name}\r\n", _folded(f"UID:{escape_text(item.uid)}"),
           f"DTSTAMP:{stamp}\r\nLAST-MODIFIED:{stamp}\r\n",
           f"SEQUENCE:{sequence}\r\n" if sequence < 10 ** 60 else _folded(f"SEQUENCE:{sequence}"),
           _folded(f"SUMMARY:{escape_text(_summary(item, privacy))}")]
    # TZID=<zone>: every IANA name is short, but a source could hand any string that names a zone.
    timed = _folded if len(zone) > 40 else _line
    if item.kind == ALL_DAY and item.day is not None:
        day = item.day
        out.append(f"DTSTART;VALUE=DATE:{day:%Y%m%d}\r\nDTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}\r\n"
                   "TRANSP:TRANSPARENT\r\n")
    elif item.kind == TODO and item.start is not None:
        out.append(timed(_time_property("DUE", item.start, zone)))
        out.append("STATUS:COMPLETED\r\n" if item.done else "STATUS:CANCELLED\r\n" if item.cancelled
                   else "STATUS:NEEDS-ACTION\r\n")
    elif item.start is not None:
        out.append(timed(_time_property("DTSTART", item.start, zone)))
        if item.end is not None and item.end > item.start:
            out.append(timed(_time_property("DTEND", item.end, zone)))
    if item.kind != TODO:
        out.append("STATUS:CANCELLED\r\n" if item.cancelled else "STATUS:CONFIRMED\r\n")
    if privacy == BUSY:
        out.append("CLASS:PRIVATE\r\n")
    elif privacy == TITLES:
        if item.url:
            out.append(_folded(f"URL:{item.url}"))
        out.append("CLASS:PRIVATE\r\n")
    else:
        if item.location:
            out.append(_folded(f"LOCATION:{escape_text(item.location)}"))
        if item.description:
            description = f"{item.description}\n\n{item.url}" if item.url else item.description
        else:
            description = item.url
        if description:
            out.append(_folded(f"DESCRIPTION:{escape_text(description)}"))
        if item.url:
            out.append(_folded(f"URL:{item.url}"))
        if item.categories:
            out.append(_folded("CATEGORIES:" + ",".join([escape_text(c) for c in item.categories])))
    out.append(f"END:{name}\r\n")
    return "".join(out)


def _line(line: str) -> str:
    return line + "\r\n"


def used_zones(items: list[CalendarItem]) -> list[str]:
    """The non-UTC zones the timed items are written in, sorted."""
    return sorted({known_zone(i.timezone) for i in items if i.kind != ALL_DAY and i.start is not None} - {"UTC"})


def build_calendar(items: list[CalendarItem], meta: CalendarMeta) -> bytes:
    """An iCalendar document with one component per item, in a stable order, and a VTIMEZONE per zone."""
    items = sorted(items, key=lambda i: (i.start or datetime.combine(i.day or date.min, datetime.min.time(),
                                                                    tzinfo=UTC), i.uid))
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if meta.method:
        head.append(f"METHOD:{meta.method}")
    head += [f"NAME:{escape_text(meta.name)}", f"X-WR-CALNAME:{escape_text(meta.name)}"]
    if meta.uid:
        head.append(f"UID:{escape_text(meta.uid)}")
    if meta.description:
        head += [f"DESCRIPTION:{escape_text(meta.description)}", f"X-WR-CALDESC:{escape_text(meta.description)}"]
    if meta.url:
        head.append(f"URL:{meta.url}")
    if meta.refresh:
        head += [f"REFRESH-INTERVAL;VALUE=DURATION:{_duration(meta.refresh)}",
                 f"X-PUBLISHED-TTL:{_duration(meta.refresh)}"]
    chunks = [_folded(line) for line in head]
    chunks += [vtimezone(zone).decode("utf-8") for zone in used_zones(items)]
    privacy = meta.privacy
    chunks += [_component(item, privacy) for item in items]
    chunks.append("END:VCALENDAR\r\n")
    return "".join(chunks).encode("utf-8")
