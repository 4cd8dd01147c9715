"""Read-side queries: lists, timelines, "going cold", "my follow-ups", pickers (the register and the
scorecards are in commitment_queries).

Each runs a fixed number of statements whatever the number of rows (aggregates are grouped in
the database, related rows are loaded in one go).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from typing import Any
from collections.abc import Sequence

from sqlalchemy import and_, case, func, or_, select, true, union_all
from sqlalchemy.orm import selectinload

from outreach.contacts.models import Contact, Organisation, Relationship
from outreach.contacts.services import current_posts
from outreach.contacts.queries import organisation_subtree_ids, search_contacts
from outreach.core.auth.models import User
from outreach.core.db import db, escape_like
from outreach.core.ids import is_record_id, parse_id
from outreach.core.pagination import OffsetPage, offset_page
from outreach.core.text import words_match
from outreach.core.time import day_start, local_date
from outreach.core.permissions import Role
from outreach.meetings.access import visible_commitments, visible_meetings
from outreach.meetings.attendees import contact_token, split_tokens, user_token
from outreach.meetings.models import (Attendee, Commitment, FollowUp,
                                      FollowUpStatus, Meeting, MeetingStatus)

PAGE_SIZE = 50


def organisation_subtree(organisation_id: int) -> Any:
    """A SELECT of *organisation_id* and every organisation below it (the directory's recursive CTE)."""
    return organisation_subtree_ids(organisation_id)


def newest_in_subtree(entity: Any, newest: Sequence[Any], organisation_id: int, conditions: Sequence[Any],
                      limit: int) -> Any:
    """A WHERE clause: *entity* is among the *limit* newest rows (by the columns *newest*, descending) of
    those filed under the organisation or any office below it that meet *conditions*.

    Taken plainly ("organisation in subtree, ORDER BY newest, LIMIT"), PostgreSQL walks the whole newest-first
    index until enough rows of the subtree turn up, or reads every row of the subtree to sort them, as its
    guess at the subtree's size goes: either way the cost grows with the table. So each office of the
    subtree gives its own *limit* newest (a backwards range of its (organisation_id, *newest*) index, through
    LATERAL) and only those are ranked: the cost grows with the subtree and the page. SQLite has no LATERAL;
    the plain form is kept there.
    """
    subtree = organisation_subtree(organisation_id)
    if db.dialect != "postgresql":
        return and_(entity.organisation_id.in_(subtree), *conditions)
    offices = subtree.subquery("offices")
    per_office = (select(entity.id.label("id"), *(c.label(f"k{i}") for i, c in enumerate(newest)))
                  .where(entity.organisation_id == offices.c.id, *conditions)
                  .order_by(*(c.desc() for c in newest)).limit(limit).correlate(offices).lateral("per_office"))
    keys = [per_office.c[f"k{i}"].desc() for i in range(len(newest))]
    return entity.id.in_(select(per_office.c.id).select_from(offices).join(per_office, true())
                         .order_by(*keys).limit(limit))


def _meeting_options() -> list[Any]:
    return [selectinload(Meeting.attendees).selectinload(Attendee.contact),
            selectinload(Meeting.attendees).selectinload(Attendee.user),
            selectinload(Meeting.organisation)]


@dataclass
class MeetingPage:
    items: Sequence[Meeting]
    next_cursor: str | None


def parse_meeting_cursor(value: str | None) -> tuple[datetime, int] | None:
    """"<epoch seconds>_<id>" → (start_at, id), or None for anything malformed or out of range."""
    stamp, _, ident = (value or "").partition("_")
    record_id = parse_id(ident)
    if record_id is None or not re.fullmatch(r"-?[0-9]{1,12}", stamp):
        return None
    try:
        return datetime.fromtimestamp(int(stamp), tz=UTC), record_id
    except (ValueError, OverflowError, OSError):
        return None


MAX_TITLE_QUERY = 100
UPCOMING_DAYS = 14
UPCOMING_LIMIT = 20


def _title_contains(q: str) -> Any:
    """A case-insensitive "title contains" test (the list is bounded by its keyset page)."""
    return func.lower(Meeting.title).like(f"%{escape_like(q.strip().lower()[:MAX_TITLE_QUERY])}%", escape="\\")


def upcoming_meetings(user: Any, now: datetime, *, q: str | None = None, days: int = UPCOMING_DAYS,
                      limit: int = UPCOMING_LIMIT) -> list[Meeting]:
    """Planned meetings from now to *days* ahead, soonest first (the list page's "Upcoming" section)."""
    stmt = (select(Meeting).where(visible_meetings(user), Meeting.start_at >= now,
                                  Meeting.start_at < now + timedelta(days=days),
                                  Meeting.status != MeetingStatus.CANCELLED.value)
            .options(*_meeting_options()))
    if q:
        stmt = stmt.where(_title_contains(q))
    return list(db.session.scalars(stmt.order_by(Meeting.start_at, Meeting.id).limit(limit)))


def list_meetings(user: Any, filters: dict[str, Any], *, after: str | None = None,
                  size: int = PAGE_SIZE, before: datetime | None = None) -> MeetingPage:
    """Meetings the user may see, newest first, keyset-paginated on (start_at, id).

    *before*: only meetings starting before this instant (the default view lists the past below
    the "Upcoming" section).
    """
    where = filter_conditions(user, filters)
    if before is not None:
        where.append(Meeting.start_at < before)
    cursor = parse_meeting_cursor(after)
    if cursor:
        where.append(or_(Meeting.start_at < cursor[0], and_(Meeting.start_at == cursor[0], Meeting.id < cursor[1])))
    if filters.get("organisation"):
        where = [newest_in_subtree(Meeting, (Meeting.start_at, Meeting.id), filters["organisation"], where, size + 1)]
    stmt = select(Meeting).where(*where).options(*_meeting_options())
    rows = list(db.session.scalars(stmt.order_by(Meeting.start_at.desc(), Meeting.id.desc()).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = f"{int(rows[-1].start_at.timestamp())}_{rows[-1].id}" if more and rows else None
    return MeetingPage(rows, next_cursor)


def filter_conditions(user: Any, filters: dict[str, Any]) -> list[Any]:
    """The list's filters as WHERE conditions on Meeting, visibility included (the organisation subtree
    aside: each caller reads it its own way). Calendar downloads of a filtered list use the same."""
    where = [visible_meetings(user)]
    if filters.get("q"):
        where.append(_title_contains(filters["q"]))
    if filters.get("date_from"):
        where.append(Meeting.start_at >= day_start(filters["date_from"], user.timezone))
    if filters.get("date_to"):
        where.append(Meeting.start_at < day_start(filters["date_to"] + timedelta(days=1), user.timezone))
    if filters.get("kind"):
        where.append(Meeting.kind == filters["kind"])
    if filters.get("status"):
        where.append(Meeting.status == filters["status"])
    if filters.get("contact"):
        where.append(Meeting.id.in_(select(Attendee.meeting_id).where(Attendee.contact_id == filters["contact"])))
    if filters.get("partner"):
        where.append(or_(Meeting.organiser_id == filters["partner"], Meeting.id.in_(
            select(Attendee.meeting_id).where(Attendee.user_id == filters["partner"]))))
    return where


FOLLOW_UP_BUCKETS = ("overdue", "today", "week", "later")


@dataclass
class FollowUpList:
    """One page of a person's open follow-ups, grouped, with the size of each group overall."""

    buckets: dict[str, list[FollowUp]]
    counts: dict[str, int]
    page: OffsetPage[FollowUp]


def _bucket_bounds(user: Any, now: datetime) -> tuple[datetime, datetime, datetime]:
    """Where overdue, today (in the user's zone) and this week end."""
    local_today = local_date(now, user.timezone)
    return (now, day_start(local_today + timedelta(days=1), user.timezone),
            day_start(local_today + timedelta(days=7), user.timezone))


def _open_follow_ups_of(user: Any) -> Any:
    return and_(FollowUp.assignee_id == user.id, FollowUp.status == FollowUpStatus.OPEN.value)


def follow_up_counts(user: Any, now: datetime) -> dict[str, int]:
    """How many open follow-ups the user has overdue, today, this week and later (one query)."""
    overdue_end, today_end, week_end = _bucket_bounds(user, now)
    bucket = case((FollowUp.due_at < overdue_end, "overdue"), (FollowUp.due_at < today_end, "today"),
                  (FollowUp.due_at < week_end, "week"), else_="later")
    counts = dict.fromkeys(FOLLOW_UP_BUCKETS, 0)
    counts.update({key: n for key, n in db.session.execute(
        select(bucket, func.count()).where(_open_follow_ups_of(user)).group_by(bucket))})
    return counts


def next_follow_ups(user: Any, *, limit: int) -> Sequence[FollowUp]:
    """The user's next open follow-ups, overdue first, whenever they are due, with their contact and meeting."""
    return db.session.scalars(select(FollowUp).options(selectinload(FollowUp.meeting), selectinload(FollowUp.contact))
                              .where(_open_follow_ups_of(user))
                              .order_by(FollowUp.due_at, FollowUp.id).limit(limit)).all()


def recently_logged_by(user: Any, *, limit: int) -> Sequence[Meeting]:
    """The meetings *user* logged last, newest first."""
    return db.session.scalars(select(Meeting).where(Meeting.organiser_id == user.id)
                              .order_by(Meeting.id.desc()).limit(limit)).all()


def my_follow_ups(user: Any, now: datetime, *, page: int = 1, size: int = 100) -> FollowUpList:
    """The user's open follow-ups by due time, a page at a time, grouped: overdue, today, this week, later."""
    overdue_end, today_end, week_end = _bucket_bounds(user, now)
    rows = offset_page(
        select(FollowUp).options(selectinload(FollowUp.meeting), selectinload(FollowUp.contact))
        .where(_open_follow_ups_of(user)).order_by(FollowUp.due_at, FollowUp.id), number=page, size=size)
    buckets: dict[str, list[FollowUp]] = {key: [] for key in FOLLOW_UP_BUCKETS}
    for row in rows.items:
        key = ("overdue" if row.due_at < overdue_end else "today" if row.due_at < today_end
               else "week" if row.due_at < week_end else "later")
        buckets[key].append(row)
    return FollowUpList(buckets, follow_up_counts(user, now), rows)


def _distinct_cadences() -> Any:
    """The distinct cadences in use, read by hopping along the cadence index (a loose index scan), not a scan."""
    first = select(func.min(Contact.cadence_days)).where(Contact.cadence_days.is_not(None)).scalar_subquery()
    hops = select(first.label("cadence")).cte("cadences", recursive=True)
    following = (select(func.min(Contact.cadence_days)).where(Contact.cadence_days > hops.c.cadence)
                 .scalar_subquery())
    hops = hops.union_all(select(following).where(hops.c.cadence.is_not(None)))
    return select(hops.c.cadence).where(hops.c.cadence.is_not(None))


def going_cold(user: Any, now: datetime, *, limit: int = 10) -> list[Contact]:
    """Contacts with a cadence not touched within it: the partner's own, or everyone's for staff."""
    touched = func.coalesce(Contact.last_touch_at, Contact.created_at)
    if db.dialect == "postgresql":
        cold = touched + func.make_interval(0, 0, 0, Contact.cadence_days) < now
        days_over = func.extract("epoch", now - touched) / 86400 - Contact.cadence_days
    else:
        # SQLite keeps UTC datetimes as text; julianday() reads them
        elapsed = func.julianday(now.replace(tzinfo=None).isoformat(sep=" ")) - func.julianday(touched)
        cold = elapsed > Contact.cadence_days
        days_over = elapsed - Contact.cadence_days
    stmt = select(Contact).where(Contact.is_archived.is_(False), Contact.cadence_days.is_not(None), cold)
    if Role(user.role) == Role.PARTNER:
        stmt = stmt.where(Contact.id.in_(select(Relationship.contact_id).where(
            Relationship.user_id == user.id, Relationship.is_archived.is_(False))))
    else:
        # Everyone's contacts: ordering all of them by how far past their cadence is a full scan. Within one
        # cadence that order is simply "touched longest ago", which the (cadence_days, last_touch_at,
        # created_at) index gives; so take the first *limit* per cadence (touched, and never touched by
        # creation) and rank only those.
        cadences = [c for c in db.session.scalars(_distinct_cadences())]
        branches = []
        for cadence in cadences:
            same = select(Contact.id).where(Contact.cadence_days == cadence, Contact.is_archived.is_(False))
            branches.append(select(same.where(Contact.last_touch_at.is_not(None))
                                   .order_by(Contact.last_touch_at, Contact.id).limit(limit).subquery().c.id))
            branches.append(select(same.where(Contact.last_touch_at.is_(None))
                                   .order_by(Contact.created_at, Contact.id).limit(limit).subquery().c.id))
        if not branches:
            return []
        stmt = stmt.where(Contact.id.in_(select(union_all(*branches).subquery("candidates").c.id)))
    return list(db.session.scalars(stmt.order_by(days_over.desc(), Contact.id).limit(limit)))


def contact_timeline(user: Any, contact: Contact, *, limit: int = 20) -> dict[str, Any]:
    meetings = db.session.scalars(
        select(Meeting).where(visible_meetings(user), Meeting.id.in_(
            select(Attendee.meeting_id).where(Attendee.contact_id == contact.id)))
        .options(*_meeting_options()).order_by(Meeting.start_at.desc()).limit(limit)).all()
    commitments = db.session.scalars(
        select(Commitment).where(visible_commitments(user), Commitment.contact_id == contact.id)
        .order_by(Commitment.id.desc()).limit(limit)).all()
    return {"meetings": meetings, "commitments": commitments, "last_touch_at": contact.last_touch_at}


def organisation_timeline(user: Any, organisation: Organisation, *, limit: int = 20) -> dict[str, Any]:
    meetings = db.session.scalars(
        select(Meeting).where(newest_in_subtree(Meeting, (Meeting.start_at, Meeting.id), organisation.id,
                                                [visible_meetings(user)], limit))
        .options(*_meeting_options()).order_by(Meeting.start_at.desc(), Meeting.id.desc()).limit(limit)).all()
    commitments = db.session.scalars(
        select(Commitment).where(newest_in_subtree(Commitment, (Commitment.id,), organisation.id,
                                                   [visible_commitments(user)], limit))
        .options(selectinload(Commitment.contact)).order_by(Commitment.id.desc()).limit(limit)).all()
    last_touch = max((m.start_at for m in meetings if m.status == MeetingStatus.HELD.value), default=None)
    return {"meetings": meetings, "commitments": commitments, "last_touch_at": last_touch}


def search_attendees(user: Any, q: str, *, with_activists: bool = False,
                     limit: int = 8) -> tuple[list[Contact], list[User]]:
    """Contacts through the directory's search (any part of a name, typo-tolerant) and users by name.

    Activist accounts only *with_activists* (coordinators and admins: see access.can_find_activists).
    """
    q = q.strip().lower()
    if not q:
        return [], []
    contacts = search_contacts(q, user=user, limit=limit)
    who = [] if with_activists else [User.role != Role.ACTIVIST.value]
    users = db.session.scalars(select(User).where(User.is_active_account.is_(True), _name_matches(q), *who)
                               .order_by(User.name).limit(limit)).all()
    return list(contacts), list(users)


def search_targets(user: Any, q: str, *, limit: int = 12) -> list[Contact]:
    """Contacts for a target picker: the directory's search, the pickers' one matching rule (accents and case
    ignored, any part of a name, typo-tolerant), with their current posts loaded."""
    return list(search_contacts(q, user=user, limit=limit)) if q.strip() else []


def current_post(contact: Contact) -> str | None:
    """"Director, ECOWAS": the contact's current post (positions must be loaded)."""
    post = contact.current_position
    if post is None:
        return None
    return ", ".join(x for x in (post.title, post.organisation.acronym or post.organisation.name) if x)


def contact_countries(contact_ids: Sequence[int]) -> list[str]:
    """The countries of these contacts, once each (one query)."""
    if not contact_ids:
        return []
    return list(dict.fromkeys(db.session.scalars(select(Contact.country).where(
        Contact.id.in_(contact_ids), Contact.country.is_not(None)).order_by(Contact.id))))


def shared_organisation_name(contact_ids: Sequence[int]) -> str | None:
    """The organisation every one of these contacts currently works for, if there is exactly one."""
    if not contact_ids:
        return None
    posts = current_posts(contact_ids)
    offices = {(posts[cid].organisation.id, posts[cid].organisation) if cid in posts else None for cid in contact_ids}
    if len(offices) != 1 or None in offices:
        return None
    org = next(iter(offices))[1]  # type: ignore[index]
    return f"{org.name} ({org.acronym})" if org.acronym else org.name


def _name_matches(q: str) -> Any:
    """The one matching rule of every picker (core/text.py): accents and case ignored, by word start."""
    return words_match(User.search_name, q)


def search_people(q: str, *, role: Role | None = None, limit: int = 12) -> list[User]:
    """Active users who can own a follow-up or a commitment (not activists) whose name matches, for pickers."""
    if not q.strip():
        return []
    who = User.role == role.value if role else User.role != Role.ACTIVIST.value
    return list(db.session.scalars(select(User).where(User.is_active_account.is_(True), who, _name_matches(q))
                                   .order_by(User.name, User.id).limit(limit)))


def user_names(ids: Sequence[int | str | None]) -> dict[int, str]:
    """id -> name for the users chosen in a form (one query)."""
    wanted = {parse_id(i) for i in ids if is_record_id(i)}
    if not wanted:
        return {}
    return {
        user_id: name for user_id, name in db.session.execute(select(User.id, User.name).where(User.id.in_(wanted)))
    }


def attendee_choices(tokens: Sequence[str]) -> list[tuple[str, str, str]]:
    """(token, label, kind) for already-picked attendees, to re-render the form."""
    contact_ids, user_ids = split_tokens(tokens)
    out: list[tuple[str, str, str]] = []
    if contact_ids:
        out += [(contact_token(c.id), c.full_name, "contact") for c in db.session.scalars(
            select(Contact).where(Contact.id.in_(contact_ids)))]
    if user_ids:
        out += [
            (user_token(u.id), u.name, u.role) for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))
        ]
    return out

