"""Read an .ics invitation (Outlook, Google Calendar, Apple Calendar) into what a new meeting needs.

Pure apart from the e-mail look-ups: bytes in, an `Invitation` or an `ImportError_` with a
message a person can act on out. Hostile files are refused before icalendar sees them: too big,
binary, not a calendar, lines that are not content lines (broken folding), too many components,
nesting deeper than an invitation ever has, a time zone nobody knows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, UTC
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach.contacts.models import Contact, ContactEmail
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.errors import ServiceError
from outreach.core.permissions import Capability, Role, has_capability
from outreach.core.text import strip_control_characters
from outreach.core.time import is_valid_zone
from outreach.meetings.models import MeetingInitiator
from outreach.meetings.attendees import CONTACT, contact_token, parse_token, user_token

MAX_BYTES = 512 * 1024  #: an invitation with a long description is a few tens of kilobytes
MAX_COMPONENTS = 200
MAX_EVENTS = 50  #: a series with its moved occurrences; a whole calendar is not an invitation
MAX_DEPTH = 4  #: VCALENDAR > VEVENT > VALARM; VCALENDAR > VTIMEZONE > STANDARD
MAX_SERIES = 52  #: occurrences imported as separate meetings
SERIES_HORIZON = timedelta(days=548)
MAX_TITLE, MAX_LOCATION, MAX_URL, MAX_AGENDA = 200, 300, 500, 20000

_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^:]*)?:")
_URL = re.compile(r"https?://[^\s<>\"]+")


class ImportRefused(ServiceError):
    """The file cannot be imported; *message* says why, *status* is the HTTP answer (400 unless said)."""

    status = 400

    def __init__(self, message: Any, status: int | None = None) -> None:
        super().__init__(message, status=status)


@dataclass
class Person:
    name: str
    email: str
    token: str | None = None  #: "c:12" / "u:3" when matched
    label: str | None = None


@dataclass
class Invitation:
    title: str
    start_at: datetime  #: the first occurrence to import (aware UTC)
    end_at: datetime | None
    timezone: str
    location: str | None
    online_url: str | None
    agenda: str | None
    organiser: Person | None
    attendees: list[Person] = field(default_factory=list)
    recurring: bool = False
    occurrences: list[datetime] = field(default_factory=list)  #: the series' starts (UTC), bounded
    all_day: bool = False
    zone_note: str | None = None

    @property
    def duration(self) -> timedelta | None:
        return self.end_at - self.start_at if self.end_at else None

    @property
    def matched(self) -> list[Person]:
        return [p for p in self.attendees + ([self.organiser] if self.organiser else []) if p.token]

    @property
    def initiated_by(self) -> str | None:
        """Who asked for the meeting, as the invitation's ORGANIZER says: a directory contact (the target's side)
        or one of us; None when the organiser is unknown."""
        parsed = parse_token(self.organiser.token) if self.organiser else None
        if parsed is None:
            return None
        return (MeetingInitiator.TARGET if parsed[0] == CONTACT else MeetingInitiator.US).value

    @property
    def unknown(self) -> list[Person]:
        return [p for p in self.attendees if not p.token]


def _text(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise ImportRefused(_l("The file is %(kb)d KB; an invitation is at most %(max)d KB. Nothing was imported.",
                               kb=len(raw) // 1024, max=MAX_BYTES // 1024), 413)
    if not raw.strip():
        raise ImportRefused(_l("The file is empty. Choose the .ics file of an invitation."))
    if b"\x00" in raw:
        raise ImportRefused(_l("This is not a calendar file (it holds binary data). Choose an .ics file."), 415)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(_l("This is not a calendar file (it is not UTF-8 text). Choose an .ics file."),
                            415) from None


def _prescan(text: str) -> None:
    """Refuse what no invitation looks like before a parser spends time on it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((line for line in lines if line.strip()), "")
    if first.strip().upper() != "BEGIN:VCALENDAR":
        raise ImportRefused(_l("This is not an iCalendar file: it must start with BEGIN:VCALENDAR."))
    depth = components = events = 0
    for number, line in enumerate(lines, 1):
        if not line or line[0] in " \t":
            continue  # blank, or the continuation of a folded line
        if not _CONTENT_LINE.match(line):
            raise ImportRefused(_l("Line %(n)d is not a calendar line (a long line folded without a leading "
                                   "space?). Nothing was imported.", n=number))
        upper = line.upper()
        if upper.startswith("BEGIN:"):
            depth += 1
            components += 1
            events += upper.startswith("BEGIN:VEVENT")
            if depth > MAX_DEPTH:
                raise ImportRefused(_l("The file nests components %(n)d deep; an invitation never does. "
                                       "Nothing was imported.", n=depth))
            if components > MAX_COMPONENTS or events > MAX_EVENTS:
                raise ImportRefused(_l("The file holds more than %(n)d events or components: it is a whole "
                                       "calendar, not an invitation. Import one invitation at a time.",
                                       n=MAX_EVENTS), 413)
        elif upper.startswith("END:"):
            depth -= 1
            if depth < 0:
                raise ImportRefused(_l("Line %(n)d ends a component that never began.", n=number))
    if depth != 0:
        raise ImportRefused(_l("The file is cut short: a component is not closed. Nothing was imported."))


def _zone_of(prop: Any, value: datetime, fallback: str) -> tuple[str, str | None]:
    """The IANA zone a DTSTART is in, and a note when it had to be guessed."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
    key = getattr(value.tzinfo, "key", None)
    if value.tzinfo is not None and value.utcoffset() == timedelta(0) and not tzid:
        return "UTC", None
    for candidate in (tzid, key, WINDOWS_TO_OLSON.get(tzid or ""),
                      WINDOWS_TO_OLSON.get(getattr(value.tzinfo, "_name", "") or "")):
        if candidate and is_valid_zone(candidate):
            return candidate, None
    if value.tzinfo is not None and value.utcoffset() is not None:
        # a zone defined only by the file's VTIMEZONE: the instant is right, the zone is the reader's
        return fallback, str(_l("The invitation's time zone \u201c%(z)s\u201d is not a standard one; the time was "
                                "converted to %(f)s.", z=tzid, f=fallback))
    if tzid:
        raise ImportRefused(_l("The invitation uses the time zone \u201c%(z)s\u201d, which Outreach does not know "
                               "and the file does not define. Nothing was imported.", z=str(tzid)[:60]))
    return fallback, None  # floating time: read in the importer's zone


def _aware(value: datetime, zone: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)


def _person(prop: Any) -> Person | None:
    email = str(prop).strip()
    if email.lower().startswith("mailto:"):
        email = email[7:]
    email = email.strip().lower()[:254]
    if "@" not in email:
        return None
    name = str(prop.params.get("CN", "") if hasattr(prop, "params") else "").strip().strip('"')[:120]
    return Person(name=name or email, email=email)


def _match(people: list[Person], reader: Any) -> None:
    """Point each person at a contact (by any of its e-mails) or a user (by e-mail)."""
    emails = {p.email for p in people}
    if not emails:
        return
    contacts = {email: (cid, c) for email, cid, c in db.session.execute(
        select(ContactEmail.email, ContactEmail.contact_id, Contact)  # stored lower case: the index answers
        .join(Contact, Contact.id == ContactEmail.contact_id)
        .where(ContactEmail.email.in_(emails), Contact.is_archived.is_(False)))}
    users_q = select(User).where(User.email.in_(emails), User.is_active_account.is_(True))
    if not has_capability(reader, Capability.EDIT_ANY_MEETING):
        users_q = users_q.where(User.role != Role.ACTIVIST.value)  # only staff may find activists
    users = {u.email: u for u in db.session.scalars(users_q)}
    for p in people:
        if p.email in contacts:
            cid, contact = contacts[p.email]
            p.token, p.label = contact_token(cid), contact.full_name
        elif p.email in users:
            p.token, p.label = user_token(users[p.email].id), users[p.email].name


def _occurrences(event: Any, start_local: datetime, zone: str, now: datetime) -> list[datetime]:
    """The series' starts from *now* on (UTC), bounded in number and horizon, EXDATEs left out."""
    from dateutil.rrule import rrulestr

    rule = event.get("RRULE")
    if rule is None:
        return []
    text = rule.to_ical().decode("ascii", "replace")
    naive = start_local.replace(tzinfo=None)
    try:
        recurrence = rrulestr(text, dtstart=naive, ignoretz=True)
    except (ValueError, TypeError, OverflowError):
        raise ImportRefused(_l("The invitation repeats by a rule Outreach cannot read (%(r)s).", r=text[:80])) from None
    excluded: set[datetime] = set()
    exdates = event.get("EXDATE")
    for group in (exdates if isinstance(exdates, list) else [exdates] if exdates is not None else []):
        for d in getattr(group, "dts", []):
            value = d.dt
            if isinstance(value, datetime):
                local = value.astimezone(ZoneInfo(zone)) if value.tzinfo else value
                excluded.add(local.replace(tzinfo=None))
    horizon = (now + SERIES_HORIZON).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    local_now = now.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    out: list[datetime] = []
    try:
        for occurrence in recurrence.xafter(local_now - timedelta(minutes=1), count=MAX_SERIES * 4, inc=True):
            if occurrence > horizon or len(out) >= MAX_SERIES:
                break
            if occurrence not in excluded:
                out.append(occurrence.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC))
    except (ValueError, OverflowError):
        raise ImportRefused(_l("The invitation repeats by a rule Outreach cannot read (%(r)s).", r=text[:80])) from None
    return out


def read_invitation(raw: bytes, *, reader: Any, now: datetime) -> Invitation:
    """Parse an uploaded invitation; raise ImportRefused with a clear message for anything else."""
    from icalendar import Calendar

    text = _text(raw)
    _prescan(text)
    try:
        calendar = Calendar.from_ical(text)
    except Exception:  # icalendar raises ValueError, KeyError, IndexError… on broken input
        raise ImportRefused(_l("The file could not be read as iCalendar. Nothing was imported.")) from None
    if isinstance(calendar, list):
        raise ImportRefused(_l("The file holds several calendars; import one invitation at a time."))
    try:
        events = [e for e in calendar.walk("VEVENT")]
        masters = [e for e in events if e.get("RECURRENCE-ID") is None]
        if not events:
            raise ImportRefused(_l("The file holds no event (no VEVENT). Choose the .ics file of an invitation."))
        if len({str(e.get("UID", i)) for i, e in enumerate(masters)}) > 1:
            raise ImportRefused(_l("The file holds %(n)d different events; import one invitation at a time.",
                                   n=len(masters)))
        return _read_event((masters or events)[0], reader=reader, now=now)
    except ImportRefused:
        raise
    except Exception:
        raise ImportRefused(_l("The invitation's dates or fields could not be read. Nothing was imported.")) from None


def _read_event(event: Any, *, reader: Any, now: datetime) -> Invitation:
    fallback = reader.timezone if is_valid_zone(reader.timezone or "") else "UTC"
    start_prop = event.get("DTSTART")
    if start_prop is None:
        raise ImportRefused(_l("The event has no start time (DTSTART). Nothing was imported."))
    start = start_prop.dt
    all_day = not isinstance(start, datetime)
    note = None
    if all_day:
        zone = fallback
        start = datetime.combine(start, time(9, 0))
    else:
        zone, note = _zone_of(start_prop, start, fallback)
    start_at = _aware(start, zone)
    if not (datetime(1971, 1, 1, tzinfo=UTC) <= start_at <= datetime(9000, 1, 1, tzinfo=UTC)):
        raise ImportRefused(_l("The event's date is out of range. Nothing was imported."))
    end_at = None
    end_prop = event.get("DTEND")
    if end_prop is not None and isinstance(end_prop.dt, datetime) and not all_day:
        end_at = _aware(end_prop.dt, zone)
    elif event.get("DURATION") is not None and not all_day:
        end_at = start_at + event.get("DURATION").dt
    if end_at is not None and (end_at < start_at or end_at - start_at > timedelta(days=14)):
        end_at = None
    location = str(event.get("LOCATION", "") or "").strip() or None
    description = str(event.get("DESCRIPTION", "") or "").strip() or None
    online = None
    for key in ("X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-GOOGLE-CONFERENCE", "URL"):
        if event.get(key):
            online = str(event.get(key)).strip()
            break
    if online is None:
        found = _URL.search(" ".join(x for x in (location, description) if x))
        online = found.group(0) if found else None
    raw_attendees = event.get("ATTENDEE")
    raw_attendees = raw_attendees if isinstance(raw_attendees, list) else [raw_attendees] if raw_attendees else []
    organiser = _person(event["ORGANIZER"]) if event.get("ORGANIZER") is not None else None
    attendees: list[Person] = []
    seen = {organiser.email} if organiser else set()
    for prop in raw_attendees[:200]:
        person = _person(prop)
        if person and person.email not in seen:
            seen.add(person.email)
            attendees.append(person)
    _match(attendees + ([organiser] if organiser else []), reader)
    recurring = event.get("RRULE") is not None
    occurrences = _occurrences(event, start_at.astimezone(ZoneInfo(zone)), zone, now) if recurring else []
    if recurring and occurrences:
        start_at, end_at = occurrences[0], (occurrences[0] + (end_at - start_at) if end_at else None)
    title = _clean(str(event.get("SUMMARY", "") or "")) or str(_l("Imported meeting"))
    return Invitation(title=title[:MAX_TITLE], start_at=start_at, end_at=end_at, timezone=zone,
                      location=_clean(location)[:MAX_LOCATION] if location else None,
                      online_url=online[:MAX_URL] if online and online.startswith(("http://", "https://")) else None,
                      agenda=_clean(description, keep_newlines=True)[:MAX_AGENDA] if description else None,
                      organiser=organiser, attendees=attendees, recurring=recurring, occurrences=occurrences,
                      all_day=all_day, zone_note=note)


def _clean(value: str | None, *, keep_newlines: bool = False) -> str:
    value = strip_control_characters(value or "", multiline=True)
    if not keep_newlines:
        value = " ".join(value.split())
    return value.strip()
