"""What calendars itself puts into calendars: meetings, follow-ups and commitment deadlines.

Each is a `CalendarSource` registered in core, like the ones higher features (campaigns,
introductions, monitoring) register. Every query goes through the same permission predicates as
the pages (outreach/meetings/access.py), so a download or feed never holds a record its reader
could not open.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import ARRAY, Integer, bindparam, case, func, or_, select, true

from outreach.core.calendar import (ALL_DAY, EVENT, TODO, CalendarItem, CalendarQuery, CalendarSource,
                                    register_calendar_source)
from outreach.contacts.models import Contact, Organisation
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.permissions import Capability, Role, has_capability
from outreach.meetings import queries
from outreach.meetings.access import visible_commitments, visible_follow_ups, visible_meetings
from outreach.meetings.models import (Attendee, Commitment, CommitmentStatus, FollowUp, FollowUpStatus, Meeting,
                                      MeetingStatus)

#: Scopes of downloads that only meetings answer.
MEETING_SCOPES = frozenset(
    {"mine", "organisation", "subtree", "meeting", "meetings", "contact", "organisation_meetings"}
)
FEED_SCOPES = frozenset({"mine", "organisation", "subtree"})
UID_DOMAIN = "outreach"
FOLLOW_UP_EVENT_MINUTES = 30


def meeting_uid(meeting_id: int) -> str:
    return f"meeting-{meeting_id}@{UID_DOMAIN}"


def _link(query: CalendarQuery, path: str) -> str:
    return f"{query.base_url}{path}"


def _is_staff(user: Any) -> bool:
    return has_capability(user, Capability.VIEW_ALL_MEETINGS)


def _not_activist(user: Any) -> bool:
    """Activists' calendars hold meetings only (their follow-ups and commitments are not theirs to read)."""
    return Role(user.role) != Role.ACTIVIST


def _covered(query: CalendarQuery, key: str) -> Any:
    """The SELECT of ids a registered scope (a campaign) covers for source *key*, or None for calendars' own."""
    return query.params.get("ids", {}).get(key)


def _meeting_scope(user: Any, query: CalendarQuery) -> list[Any]:
    """WHERE conditions for the query's scope, on top of what *user* may see."""
    p = query.params
    covered = _covered(query, "meetings")
    if covered is not None:
        return [visible_meetings(user), Meeting.start_at >= query.start, Meeting.start_at < query.end,
                Meeting.id.in_(covered)]
    if query.scope == "meeting":
        return [visible_meetings(user), Meeting.id == p["meeting_id"]]
    if query.scope == "meetings":
        filters = p.get("filters", {})
        where = queries.filter_conditions(user, filters)
        if filters.get("organisation"):
            where.append(Meeting.organisation_id.in_(queries.organisation_subtree(filters["organisation"])))
        if not (filters.get("date_from") or filters.get("date_to")):  # no range chosen: the feed's window
            where += [Meeting.start_at >= query.start, Meeting.start_at < query.end]
        return where
    where = [visible_meetings(user), Meeting.start_at >= query.start, Meeting.start_at < query.end]
    if query.scope == "contact":
        where.append(Meeting.id.in_(select(Attendee.meeting_id).where(Attendee.contact_id == p["contact_id"])))
    elif query.scope in ("subtree", "organisation_meetings"):
        where.append(Meeting.organisation_id.in_(queries.organisation_subtree(p["organisation_id"])))
    elif query.scope == "mine" and _is_staff(user):
        # Staff see every meeting; "mine" is the ones they organised or attend. Partners' and activists'
        # "mine" is everything they may open.
        where.append(or_(Meeting.organiser_id == user.id,
                         Meeting.id.in_(select(Attendee.meeting_id).where(Attendee.user_id == user.id))))
    return where


def _attendee_names(meeting_ids: Any, owner_id: int | None) -> dict[int, list[str]]:
    """Who is at each meeting of *meeting_ids* (a list, or a SELECT of ids), as a feed may say it, in the order they
    were added: contacts and coalition members by name; activists never, unless it is the owner herself. One
    column query, however many meetings."""
    if isinstance(meeting_ids, list):
        # PostgreSQL: the meetings read, one index probe each (LATERAL, fenced by OFFSET 0 so that the planner keeps
        # it): given thousands of meetings it would otherwise scan every attendee. SQLite does well with the
        # sub-select, and has no LATERAL.
        wanted = (func.unnest(bindparam("meeting_ids", meeting_ids, type_=ARRAY(Integer))).table_valued("id")
                  .render_derived(name="m"))
        attendees: Any = (select(Attendee.meeting_id, Attendee.contact_id, Attendee.user_id, Attendee.id)
                          .where(Attendee.meeting_id == wanted.c.id).offset(0).lateral("a"))
        source: Any = select().select_from(wanted).join(attendees, true())
    else:
        attendees = Attendee.__table__
        source = select().select_from(attendees).where(attendees.c.meeting_id.in_(meeting_ids))
    a = attendees.c
    statement = (source.add_columns(a.meeting_id, Contact.honorific, Contact.first_name, Contact.last_name, a.user_id,
                                    User.name, User.role)
                 .outerjoin(Contact, Contact.id == a.contact_id).outerjoin(User, User.id == a.user_id)
                 .where(or_(Contact.id.is_not(None), User.id.is_not(None)))
                 .order_by(a.meeting_id, a.contact_id.is_(None), a.id))
    names: dict[int, list[str]] = {}
    activist = Role.ACTIVIST.value
    for meeting_id, honorific, first, last, user_id, name, role in db.session.execute(statement):
        if user_id is None:
            names.setdefault(meeting_id, []).append(" ".join([p for p in (honorific, first, last) if p]))
        elif role != activist or user_id == owner_id:
            names.setdefault(meeting_id, []).append(name)
    return names


_MEETING_COLUMNS = (Meeting.id, Meeting.title, Meeting.start_at, Meeting.end_at, Meeting.timezone, Meeting.location,
                    Meeting.online_url, Meeting.status, Meeting.kind, Meeting.revision, Meeting.updated_at,
                    Organisation.name)


def meeting_item(row: Any, names: list[str], query: CalendarQuery) -> CalendarItem:
    """A meeting (a row of _MEETING_COLUMNS) as a calendar event: its notes never, a link back instead."""
    (meeting_id, title, start_at, end_at, zone, location, online_url, status, kind, revision, updated_at,
     organisation) = row
    where = (f"{location}, {online_url}" if online_url else location) if location else online_url or None
    lines = []
    if organisation:
        lines.append(organisation)
    if names:
        lines.append("With: " + ", ".join(names))
    lines.append("Details (sign-in required):")
    return CalendarItem(
        uid=meeting_uid(meeting_id), kind=EVENT, summary=title, last_modified=updated_at, sequence=revision,
        start=start_at, end=end_at, timezone=zone, location=where, description="\n".join(lines),
        url=_link(query, f"/meetings/{meeting_id}"), cancelled=status == MeetingStatus.CANCELLED.value,
        categories=(kind,))


def collect_meetings(user: Any, query: CalendarQuery) -> Iterable[CalendarItem]:
    # Plain columns, not ORM objects: a feed of thousands of meetings must render in well under 250 ms.
    where = _meeting_scope(user, query)
    limit = query.params.get("limit", 20000)
    rows = db.session.execute(
        select(*_MEETING_COLUMNS).outerjoin(Organisation, Organisation.id == Meeting.organisation_id)
        .where(*where).order_by(Meeting.start_at, Meeting.id).limit(limit)).all()
    names: dict[int, list[str]] = {}
    if query.privacy == "full" and rows:
        if db.dialect == "postgresql":
            ids: Any = [r[0] for r in rows]
        elif len(rows) >= limit:
            ids = select(Meeting.id).where(*where).order_by(Meeting.start_at, Meeting.id).limit(limit).scalar_subquery()
        else:
            ids = select(Meeting.id).where(*where).scalar_subquery()
        names = _attendee_names(ids, query.owner_id)
    return [meeting_item(r, names.get(r[0], []), query) for r in rows]


def fingerprint_meetings(user: Any, query: CalendarQuery) -> tuple[Any, ...]:
    """Changes whenever collect_meetings' items would: which meetings (how many, their ids), their revisions and
    last changes, their organisations' and, when names are written, their attendees' (who, renamed, role)."""
    where = _meeting_scope(user, query)
    meetings = db.session.execute(
        select(func.count(Meeting.id), func.sum(Meeting.id), func.sum(Meeting.revision), func.max(Meeting.updated_at),
               func.sum(func.length(Meeting.title)), func.sum(Meeting.organisation_id),
               func.max(Organisation.updated_at), func.sum(func.length(Organisation.name)))
        .outerjoin(Organisation, Organisation.id == Meeting.organisation_id).where(*where)).one()
    if query.privacy != "full" or not meetings[0]:
        return tuple(meetings)
    attendees = db.session.execute(
        select(func.count(Attendee.id), func.sum(Attendee.id), func.sum(Attendee.contact_id),
               func.sum(Attendee.user_id), func.max(Contact.updated_at), func.max(User.updated_at),
               func.sum(func.length(Contact.honorific)), func.sum(func.length(Contact.first_name)),
               func.sum(func.length(Contact.last_name)), func.sum(func.length(User.name)),
               func.sum(case((User.role == Role.ACTIVIST.value, User.id), else_=0)))
        .select_from(Meeting).join(Attendee, Attendee.meeting_id == Meeting.id)
        .outerjoin(Contact, Contact.id == Attendee.contact_id).outerjoin(User, User.id == Attendee.user_id)
        .where(*where)).one()
    return tuple(meetings) + tuple(attendees)


def _follow_up_scope(user: Any, query: CalendarQuery) -> list[Any]:
    where = [visible_follow_ups(user), FollowUp.due_at >= query.start, FollowUp.due_at < query.end,
             FollowUp.status != FollowUpStatus.CANCELLED.value]
    covered = _covered(query, "follow_ups")
    if covered is not None:
        where.append(FollowUp.id.in_(covered))
    elif query.scope == "mine":
        where.append(FollowUp.assignee_id == user.id)
    elif query.scope == "subtree":
        where.append(FollowUp.meeting_id.in_(select(Meeting.id).where(
            Meeting.organisation_id.in_(queries.organisation_subtree(query.params["organisation_id"])))))
    return where


def collect_follow_ups(user: Any, query: CalendarQuery) -> Iterable[CalendarItem]:
    zone = query.params.get("zone") or "UTC"
    as_event = query.follow_ups_as == EVENT
    done = FollowUpStatus.DONE.value
    items = []
    for fid, task, due_at, status, updated_at, meeting_id in db.session.execute(
            select(FollowUp.id, FollowUp.task, FollowUp.due_at, FollowUp.status, FollowUp.updated_at,
                   FollowUp.meeting_id).where(*_follow_up_scope(user, query)).order_by(FollowUp.due_at, FollowUp.id)):
        items.append(CalendarItem(
            uid=f"follow-up-{fid}@{UID_DOMAIN}", kind=EVENT if as_event else TODO, summary=task,
            last_modified=updated_at, start=due_at,
            end=due_at + timedelta(minutes=FOLLOW_UP_EVENT_MINUTES) if as_event else None, timezone=zone,
            url=_link(query, f"/meetings/{meeting_id}") if meeting_id else _link(query, "/follow-ups"),
            done=status == done, categories=("follow-up",)))
    return items


def fingerprint_follow_ups(user: Any, query: CalendarQuery) -> tuple[Any, ...]:
    return tuple(db.session.execute(
        select(func.count(FollowUp.id), func.sum(FollowUp.id), func.max(FollowUp.updated_at),
               func.sum(func.length(FollowUp.task)), func.sum(FollowUp.meeting_id),
               func.sum(case((FollowUp.status == FollowUpStatus.DONE.value, FollowUp.id), else_=0)))
        .where(*_follow_up_scope(user, query))).one())


def _commitment_scope(user: Any, query: CalendarQuery) -> list[Any]:
    start, end = query.start.date(), query.end.date()
    covered = _covered(query, "commitments")
    if covered is None and query.scope == "mine":
        # Hers, pushed into each branch of a partner's visible set too: it stays small (otherwise PostgreSQL reads
        # every commitment to find those of the meetings she may see).
        mine = or_(Commitment.accountable_id == user.id, Commitment.created_by_id == user.id)
        where = [visible_commitments(user, mine), mine]
    else:
        where = [visible_commitments(user)]
    where += [Commitment.due_date.is_not(None), Commitment.due_date >= start, Commitment.due_date < end]
    if covered is not None:
        where.append(Commitment.id.in_(covered))
    elif query.scope == "subtree":
        where.append(Commitment.organisation_id.in_(queries.organisation_subtree(query.params["organisation_id"])))
    return where


def collect_commitments(user: Any, query: CalendarQuery) -> Iterable[CalendarItem]:
    withdrawn = CommitmentStatus.WITHDRAWN.value
    items = []
    for cid, description, due_date, status, updated_at, contact_id, honorific, first, last, acronym, organisation in (
            db.session.execute(
                select(Commitment.id, Commitment.description, Commitment.due_date, Commitment.status,
                       Commitment.updated_at, Contact.id, Contact.honorific, Contact.first_name, Contact.last_name,
                       Organisation.acronym, Organisation.name)
                .outerjoin(Contact, Contact.id == Commitment.contact_id)
                .outerjoin(Organisation, Organisation.id == Commitment.organisation_id)
                .where(*_commitment_scope(user, query)).order_by(Commitment.due_date, Commitment.id))):
        # Commitment.made_by, from columns: the contact's full name and the organisation's acronym or name.
        contact = " ".join([p for p in (honorific, first, last) if p]) if contact_id is not None else None
        made_by = " · ".join(p for p in (contact, acronym or organisation) if p)
        summary = f"Due: {description[:120]}" + (f" ({made_by})" if made_by else "")
        items.append(CalendarItem(
            uid=f"commitment-{cid}@{UID_DOMAIN}", kind=ALL_DAY, summary=summary, last_modified=updated_at,
            day=due_date, url=_link(query, f"/commitments/{cid}"), cancelled=status == withdrawn,
            categories=("commitment",)))
    return items


def fingerprint_commitments(user: Any, query: CalendarQuery) -> tuple[Any, ...]:
    return tuple(db.session.execute(
        select(func.count(Commitment.id), func.sum(Commitment.id), func.max(Commitment.updated_at),
               func.sum(func.length(Commitment.description)), func.max(Contact.updated_at),
               func.max(Organisation.updated_at), func.sum(Commitment.contact_id), func.sum(Commitment.organisation_id),
               func.sum(func.length(Contact.first_name) + func.length(Contact.last_name)),
               func.sum(func.length(Contact.honorific)), func.sum(func.length(Organisation.name)),
               func.sum(func.length(Organisation.acronym)),
               func.sum(case((Commitment.status == CommitmentStatus.WITHDRAWN.value, Commitment.id), else_=0)))
        .outerjoin(Contact, Contact.id == Commitment.contact_id)
        .outerjoin(Organisation, Organisation.id == Commitment.organisation_id)
        .where(*_commitment_scope(user, query))).one())


def register_sources() -> None:
    register_calendar_source(CalendarSource("meetings", _l("Meetings"), collect_meetings, order=10,
                                            scopes=MEETING_SCOPES, fingerprint=fingerprint_meetings))
    register_calendar_source(CalendarSource("follow_ups", _l("Follow-ups"), collect_follow_ups, order=20,
                                            scopes=FEED_SCOPES, may_use=_not_activist,
                                            fingerprint=fingerprint_follow_ups))
    register_calendar_source(CalendarSource("commitments", _l("Commitment deadlines (all-day)"),
                                            collect_commitments, order=30, scopes=FEED_SCOPES,
                                            may_use=_not_activist, fingerprint=fingerprint_commitments))


def window(now: datetime, *, past_days: int, future_days: int) -> tuple[datetime, datetime]:
    """The feed's window, on day boundaries so that a feed does not change every minute."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=past_days), today + timedelta(days=future_days + 1)
