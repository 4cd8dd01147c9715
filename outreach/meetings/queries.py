"""Read-side queries: lists, timelines, scorecards, "going cold", "my follow-ups".

Each runs a fixed number of statements whatever the number of rows (aggregates are grouped in
the database, related rows are loaded in one go).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, UTC
from typing import Any
from collections.abc import Iterator, Sequence

from sqlalchemy import and_, case, func, literal, or_, select, true, union_all
from sqlalchemy.orm import selectinload

from outreach.contacts.models import Contact, Organisation, Relationship
from outreach.contacts.services import current_posts, organisation_subtree_ids, search_contacts
from outreach.core.auth.models import User
from outreach.core.db import db, escape_like
from outreach.core.ids import is_record_id, parse_id
from outreach.core.pagination import OffsetPage, offset_page
from outreach.core.text import words_match
from outreach.core.time import day_start, local_date
from outreach.core.permissions import Capability, Role, has_capability
from outreach.meetings import tallies
from outreach.meetings.access import visible_commitments, visible_meetings
from outreach.meetings.attendees import contact_token, split_tokens, user_token
from outreach.meetings.models import (LIVE_COMMITMENT_STATUSES, Attendee, Commitment, CommitmentStatus,
                                      CommitmentTally, FollowUp,
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


def register_conditions(filters: dict[str, Any]) -> list[Any]:
    """The register's filters as WHERE conditions on Commitment (visibility aside): status, category, target,
    organisation (with its offices when *offices*: the directory's subtree), accountable partner, due range."""
    where: list[Any] = []
    if filters.get("status"):
        where.append(Commitment.status == filters["status"])
    if filters.get("category"):
        where.append(Commitment.category == filters["category"])
    if filters.get("contact"):
        where.append(Commitment.contact_id == filters["contact"])
    if filters.get("organisation"):
        where.append(Commitment.organisation_id.in_(organisation_subtree(filters["organisation"]))
                     if filters.get("offices") else Commitment.organisation_id == filters["organisation"])
    if filters.get("accountable"):
        where.append(Commitment.accountable_id == filters["accountable"])
    if filters.get("due_from"):
        where.append(Commitment.due_date >= filters["due_from"])
    if filters.get("due_to"):
        where.append(Commitment.due_date <= filters["due_to"])
    return where


def _register_loaders() -> list[Any]:
    return [selectinload(Commitment.contact), selectinload(Commitment.organisation),
            selectinload(Commitment.accountable), selectinload(Commitment.meeting)]


def commitments_register(user: Any, filters: dict[str, Any], *, today: date, page: int = 1,
                         size: int = PAGE_SIZE) -> tuple[list[Commitment], bool]:
    """Commitments the user may see that meet *filters* (see `register_conditions`), overdue first, then by due date.

    The filters narrow what the user may see, never widen it: a partner's visible set is built with them
    pushed into each of its branches (so it stays small), then filtered again.
    """
    where = register_conditions(filters)
    stmt = select(Commitment).where(visible_commitments(user, *where), *where).options(*_register_loaders())
    rank = case((Commitment.status == CommitmentStatus.OVERDUE.value, 0),
                (Commitment.status.in_(LIVE_COMMITMENT_STATUSES), 1), else_=2)
    if has_capability(user, Capability.VIEW_ALL_MEETINGS):
        # Sorting every visible commitment by (rank, due date) to show 50 does not scale: take, per status and
        # dated/undated, just the rows that could be on this page (the (status, due_date) index gives them in
        # order, a due range included), and sort only those. A due range leaves the undated out.
        wanted = page * size + 1
        statuses = [filters["status"]] if filters.get("status") else [s.value for s in CommitmentStatus]
        dated_only = bool(filters.get("due_from") or filters.get("due_to"))
        branches = []
        for status in statuses:
            for undated in ((False,) if dated_only else (False, True)):
                branch = stmt.with_only_columns(Commitment.id).options().where(
                    Commitment.status == status,
                    Commitment.due_date.is_(None) if undated else Commitment.due_date.is_not(None))
                branch = branch.order_by(*(() if undated else (Commitment.due_date,)), Commitment.id.desc())
                branches.append(select(branch.limit(wanted).subquery().c.id))
        candidates = union_all(*branches).subquery("candidates")
        stmt = stmt.where(Commitment.id.in_(select(candidates.c.id)))
    stmt = stmt.order_by(rank, Commitment.due_date.is_(None), Commitment.due_date, Commitment.id.desc())
    rows = list(db.session.scalars(stmt.offset((page - 1) * size).limit(size + 1)))
    return rows[:size], len(rows) > size


def register_export_batches(user: Any, filters: dict[str, Any], *, batch: int = 500) -> Iterator[list[Commitment]]:
    """The filtered register for a download, oldest first, *batch* rows at a time (keyset on id: each batch
    costs the same however far into the register it is), with their target, partner and meeting loaded."""
    where = register_conditions(filters)
    stmt = (select(Commitment).where(visible_commitments(user, *where), *where).options(*_register_loaders())
            .order_by(Commitment.id).limit(batch))
    last = 0
    while True:
        rows = list(db.session.scalars(stmt.where(Commitment.id > last)))
        if rows:
            yield rows
        if len(rows) < batch:
            return
        last = rows[-1].id


@dataclass
class Score:
    label: str
    key: int
    kept: int = 0
    partly_kept: int = 0
    broken: int = 0
    open: int = 0

    @property
    def total_closed(self) -> int:
        return self.kept + self.partly_kept + self.broken

    @property
    def total(self) -> int:
        return self.total_closed + self.open

    @property
    def kept_percent(self) -> int | None:
        """Kept as a share of the closed commitments (kept, partly kept, broken); None before any closed."""
        if not self.total_closed:
            return None
        return round(100 * self.kept / self.total_closed)


def _status_sums(status: Any) -> list[Any]:
    """kept, partly_kept, broken, open (live statuses) and the ranking total (all but withdrawn), summed in SQL."""
    def n(test: Any) -> Any:
        return func.coalesce(func.sum(case((test, 1), else_=0)), 0)
    return [n(status == CommitmentStatus.KEPT.value).label("kept"),
            n(status == CommitmentStatus.PARTLY_KEPT.value).label("partly_kept"),
            n(status == CommitmentStatus.BROKEN.value).label("broken"),
            n(status.in_(LIVE_COMMITMENT_STATUSES)).label("open"),
            n(status != CommitmentStatus.WITHDRAWN.value).label("total")]


def _top(key: Any, where: Any, limit: int) -> list[Any]:
    """(key, kept, partly_kept, broken, open) for the *limit* keys with most commitments: grouped, ordered and
    cut in the database over the (key, status) index."""
    sums = _status_sums(Commitment.status)
    stmt = (select(key.label("key"), *sums).where(where, key.is_not(None)).group_by(key)
            .order_by(sums[-1].desc(), key.desc()).limit(limit))
    return list(db.session.execute(stmt).all())


def _tallied_top(kind: str, subject: Any, limit: int) -> list[Any]:
    """The maintained counters' top *limit* subjects of *kind*: a backwards range of the (kind, total, id) index.

    Only subjects that still exist (*subject*: their id column): a deleted contact or user leaves its
    commitments pointing nowhere and its counter row behind."""
    t = CommitmentTally
    return list(db.session.execute(
        select(t.subject_id, t.kept, t.partly_kept, t.broken, t.open)
        .where(t.subject_kind == kind, select(subject).where(subject == t.subject_id).exists())
        .order_by(t.total.desc(), t.subject_id.desc()).limit(limit)).all())


def _roots_of(organisations: Any) -> Any:
    """(org, root) for each organisation id in the *organisations* subquery's "org" column, climbing the tree."""
    up = (
        select(
            organisations.c.org.label("org"),
            Organisation.id.label("node"),
            Organisation.parent_id.label("parent"),
            literal(0).label("depth"),
        )
        .join(Organisation, Organisation.id == organisations.c.org)
        .cte("roots_up", recursive=True)
    )
    up = up.union_all(select(up.c.org, Organisation.id, Organisation.parent_id, up.c.depth + 1)
                      .join(Organisation, Organisation.id == up.c.parent).where(up.c.depth < tallies.MAX_DEPTH))
    return select(up.c.org, up.c.node.label("root")).where(up.c.parent.is_(None)).subquery("roots")


def scorecards(user: Any, *, limit: int = 25) -> dict[str, list[Score]]:
    """Kept / partly kept / broken / open per contact, per top-level organisation (with its offices), per partner.

    Ranked by commitments (withdrawn ones aside), most first, ties by the newest subject. Staff read the
    maintained counters (`tallies`); partners, who see only some commitments, get the same numbers grouped,
    ranked and limited in SQL over what they may see. A fixed number of statements either way.
    """
    if has_capability(user, Capability.VIEW_ALL_MEETINGS):
        by_contact = _tallied_top("contact", Contact.id, limit)
        by_partner = _tallied_top("partner", User.id, limit)
        by_root = _tallied_top(tallies.ROOT, Organisation.id, limit)  # kept in step with moves in the tree
    else:
        visible = visible_commitments(user)
        by_contact = _top(Commitment.contact_id, visible, limit)
        by_partner = _top(Commitment.accountable_id, visible, limit)
        per_org = (select(Commitment.organisation_id.label("org"), *_status_sums(Commitment.status))
                   .where(visible, Commitment.organisation_id.is_not(None))
                   .group_by(Commitment.organisation_id).subquery("per_org"))
        # Up the tree from the organisations the partner's commitments name, not down from every root.
        roots = _roots_of(per_org)
        cols = [func.sum(per_org.c[name]) for name in ("kept", "partly_kept", "broken", "open")]
        by_root = db.session.execute(
            select(roots.c.root, *cols).join(per_org, per_org.c.org == roots.c.org).group_by(roots.c.root)
            .order_by(func.sum(per_org.c.total).desc(), roots.c.root.desc()).limit(limit)).all()
    c_ids = [r[0] for r in by_contact]
    p_ids = [r[0] for r in by_partner]
    o_ids = [r[0] for r in by_root]
    names_c = {c.id: c.full_name for c in db.session.scalars(select(Contact).where(Contact.id.in_(c_ids)))} \
        if c_ids else {}
    names_p = user_names(p_ids)
    names_o = {i: acronym or name for i, name, acronym in db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.acronym).where(Organisation.id.in_(o_ids)))} \
        if o_ids else {}

    def cards(rows: Sequence[Any], names: dict[int, str]) -> list[Score]:
        return [Score(names.get(r[0], "?"), r[0], kept=int(r[1]), partly_kept=int(r[2]), broken=int(r[3]),
                      open=int(r[4])) for r in rows]

    return {"contacts": cards(by_contact, names_c), "organisations": cards(by_root, names_o),
            "partners": cards(by_partner, names_p)}


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


@dataclass
class RegisterChoices:
    """What the register's pickers hold, for showing by name (None: nothing chosen, or nothing found)."""

    contact: Contact | None = None
    organisation: Organisation | None = None
    accountable: str | None = None  #: the partner's name


def register_choices(
    contact_id: int | None, organisation_id: int | None, accountable_id: int | None
) -> RegisterChoices:
    """The register's chosen target, organisation and partner: a primary-key read for each one chosen."""
    return RegisterChoices(db.session.get(Contact, contact_id) if contact_id else None,
                           db.session.get(Organisation, organisation_id) if organisation_id else None,
                           user_names([accountable_id]).get(accountable_id) if accountable_id else None)


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

