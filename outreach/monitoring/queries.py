"""What the monitoring pages read: the watchlist and an instrument's page, in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload

from outreach.contacts.models import Contact, Position, Relationship
from outreach.core.auth.models import User
from outreach.core.db import db, escape_like
from outreach.core.pagination import OffsetPage, offset_page
from outreach.core.permissions import STAFF, Role
from outreach.meetings.access import visible_commitments, visible_meetings
from outreach.meetings.models import LIVE_COMMITMENT_STATUSES, Commitment, Meeting, MeetingStatus
from outreach.monitoring.models import (Assessment, Criterion, Funding, Instrument, InstrumentFollower, InstrumentLink,
                                        InstrumentVersion, KeyPost)
from outreach.monitoring.services import active_criteria, compare, money_table

#: No meeting on an instrument for this long, with its decision this close: it is going cold.
COLD_AFTER = timedelta(days=60)
COLD_WHEN_DECISION_WITHIN = timedelta(days=120)

#: Soonest decision first, undated last, then entry order. Written as NULLS LAST (not "IS NULL" first) so both
#: databases read it straight off ix_instruments_watchlist: a sort of every instrument otherwise (6-9 ms at 2,000).
DECISION_ORDER = (Instrument.next_decision_on.asc().nulls_last(), Instrument.id)


@dataclass
class WatchRow:
    instrument: Instrument
    days_to_go: int | None
    ratings: dict[int, int]  #: criterion id -> latest version's rating
    trends: dict[int, str]  #: criterion id -> "up", "down", "same" against the previous version
    last_meeting_at: datetime | None
    going_cold: bool


def watchlist_query(filters: dict[str, Any], *, today: date) -> Select[Any]:
    """Active instruments matching the watchlist's filters, soonest decision first."""
    stmt = select(Instrument).where(Instrument.is_archived.is_(bool(filters.get("archived"))))
    if filters.get("kind"):
        stmt = stmt.where(Instrument.kind == filters["kind"])
    if filters.get("region"):
        stmt = stmt.where(Instrument.region == filters["region"])
    if filters.get("body"):
        stmt = stmt.where(Instrument.body_id == filters["body"])
    if filters.get("country"):
        code = filters["country"]
        stmt = stmt.where(or_(Instrument.countries == code, Instrument.countries.like(f"{code},%"),
                              Instrument.countries.like(f"%,{code}"), Instrument.countries.like(f"%,{code},%")))
    if filters.get("q"):
        pattern = f"%{escape_like(filters['q'].lower())}%"
        stmt = stmt.where(or_(func.lower(Instrument.title).like(pattern, escape="\\"),
                              func.lower(Instrument.short_name).like(pattern, escape="\\")))
    if filters.get("within") is not None:
        stmt = stmt.where(Instrument.next_decision_on >= today,
                          Instrument.next_decision_on <= today + timedelta(days=filters["within"]))
    if filters.get("criterion"):
        at_most = filters.get("at_most")
        rated = select(Assessment.id).where(Assessment.version_id == Instrument.latest_version_id,
                                            Assessment.criterion_id == filters["criterion"],
                                            Assessment.is_current.is_(True))
        if at_most is not None:
            stmt = stmt.where(exists(rated.where(Assessment.rating <= at_most)))
        else:
            stmt = stmt.where(exists(rated))
    return stmt.order_by(*DECISION_ORDER)


def current_ratings(version_ids: set[int]) -> dict[int, dict[int, int]]:
    """version id -> {criterion id: rating} of the current assessments (one query)."""
    found: dict[int, dict[int, int]] = {}
    if not version_ids:
        return found
    for version_id, criterion_id, rating in db.session.execute(
            select(Assessment.version_id, Assessment.criterion_id, Assessment.rating)
            .where(Assessment.version_id.in_(version_ids), Assessment.is_current.is_(True))):
        found.setdefault(version_id, {})[criterion_id] = rating
    return found


def last_meetings(instrument_ids: list[int]) -> dict[int, datetime]:
    """instrument id -> when the latest held meeting linked to it took place (one grouped query)."""
    if not instrument_ids:
        return {}
    rows = db.session.execute(
        select(InstrumentLink.instrument_id, func.max(Meeting.start_at))
        .join(Meeting, Meeting.id == InstrumentLink.meeting_id)
        .where(InstrumentLink.instrument_id.in_(instrument_ids), Meeting.status == MeetingStatus.HELD.value)
        .group_by(InstrumentLink.instrument_id))
    return {instrument_id: at for instrument_id, at in rows}


def watch_rows(instruments: list[Instrument], *, now: datetime) -> list[WatchRow]:
    today = now.date()
    versions = {i.latest_version_id for i in instruments if i.latest_version_id} | {
        i.previous_version_id for i in instruments if i.previous_version_id}
    ratings = current_ratings(versions)
    touched = last_meetings([i.id for i in instruments])
    rows = []
    for instrument in instruments:
        latest = ratings.get(instrument.latest_version_id or 0, {})
        previous = ratings.get(instrument.previous_version_id or 0, {})
        trends = {cid: ("up" if r > previous[cid] else "down" if r < previous[cid] else "same")
                  for cid, r in latest.items() if cid in previous}
        decision = instrument.next_decision_on
        days = (decision - today).days if decision else None
        last = touched.get(instrument.id)
        cold = (days is not None and 0 <= days <= COLD_WHEN_DECISION_WITHIN.days
                and (last is None or now - last > COLD_AFTER))
        rows.append(WatchRow(instrument, days, latest, trends, last, cold))
    return rows


def watchlist(filters: dict[str, Any], *, now: datetime, page: int) -> tuple[OffsetPage[Any], list[WatchRow]]:
    stmt = watchlist_query(filters, today=now.date()).options(joinedload(Instrument.body))
    listing = offset_page(stmt, number=page)
    return listing, watch_rows(list(listing.items), now=now)


def decisions_coming_up(now: datetime, *, within_days: int = 90, limit: int = 6) -> list[Instrument]:
    today = now.date()
    return list(db.session.scalars(
        select(Instrument).where(Instrument.is_archived.is_(False), Instrument.next_decision_on >= today,
                                 Instrument.next_decision_on <= today + timedelta(days=within_days))
        .order_by(Instrument.next_decision_on, Instrument.id).limit(limit)))


@dataclass
class KeyPerson:
    post: KeyPost
    holder: Contact | None
    since: date | None
    open_commitments: int = 0
    known_by: list[str] = field(default_factory=list)  #: partners' names (staff only)
    known_by_count: int = 0
    known_by_me: bool = False


def key_people(instrument: Instrument, user: Any) -> list[KeyPerson]:
    """Each key post with who holds it now (from positions), open commitments and who knows them."""
    posts = list(db.session.scalars(select(KeyPost).where(KeyPost.instrument_id == instrument.id)
                                    .options(joinedload(KeyPost.organisation)).order_by(KeyPost.id)))
    if not posts:
        return []
    holders = db.session.execute(
        select(KeyPost.id, Contact, Position.start_date)
        .join(Position, and_(Position.organisation_id == KeyPost.organisation_id,
                             func.lower(Position.title) == func.lower(KeyPost.title), Position.end_date.is_(None)))
        .join(Contact, and_(Contact.id == Position.contact_id, Contact.is_archived.is_(False)))
        .where(KeyPost.instrument_id == instrument.id)
        .order_by(Position.start_date.desc().nulls_last(), Position.id.desc())).all()
    by_post: dict[int, tuple[Contact, date | None]] = {}
    for post_id, contact, since in holders:
        by_post.setdefault(post_id, (contact, since))
    contact_ids = {c.id for c, _ in by_post.values()}
    open_counts: dict[int, int] = {}
    knowers: dict[int, list[tuple[int, str]]] = {}
    if contact_ids:
        open_counts = {contact_id: count for contact_id, count in db.session.execute(
            select(Commitment.contact_id, func.count()).where(Commitment.contact_id.in_(contact_ids),
                                                              Commitment.status.in_(LIVE_COMMITMENT_STATUSES))
            .group_by(Commitment.contact_id))}
        for contact_id, user_id, name in db.session.execute(
                select(Relationship.contact_id, User.id, User.name).join(User, User.id == Relationship.user_id)
                .where(Relationship.contact_id.in_(contact_ids), Relationship.is_archived.is_(False),
                       User.is_active_account.is_(True), User.role == Role.PARTNER.value)
                .order_by(User.name)):
            knowers.setdefault(contact_id, []).append((user_id, name))
    staff = Role(user.role) in STAFF
    people = []
    for post in posts:
        contact, since = by_post.get(post.id, (None, None))
        known = knowers.get(contact.id, []) if contact else []
        people.append(KeyPerson(
            post, contact, since, open_counts.get(contact.id, 0) if contact else 0,
            known_by=[name for _uid, name in known] if staff else [],
            known_by_count=len([uid for uid, _n in known if uid != user.id]),
            known_by_me=any(uid == user.id for uid, _n in known)))
    return people


def linked_work(instrument: Instrument, user: Any, *, limit: int = 50) -> tuple[list[Meeting], list[Commitment]]:
    """The meetings and commitments linked to *instrument* that *user* may open, newest first."""
    meetings = list(db.session.scalars(
        select(Meeting).join(InstrumentLink, InstrumentLink.meeting_id == Meeting.id)
        .where(InstrumentLink.instrument_id == instrument.id, visible_meetings(user))
        .order_by(Meeting.start_at.desc(), Meeting.id.desc()).limit(limit)))
    commitments = list(db.session.scalars(
        select(Commitment).join(InstrumentLink, InstrumentLink.commitment_id == Commitment.id)
        .where(InstrumentLink.instrument_id == instrument.id, visible_commitments(user))
        .options(joinedload(Commitment.contact), joinedload(Commitment.organisation))
        .order_by(Commitment.id.desc()).limit(limit)))
    return meetings, commitments


@dataclass
class InstrumentPage:
    instrument: Instrument
    criteria: list[Criterion]
    versions: list[InstrumentVersion]
    ratings: dict[int, dict[int, int]]  #: version id -> criterion id -> rating
    evidence: dict[int, dict[int, Assessment]]  #: version id -> criterion id -> current assessment
    comparison: list[tuple[str, str]]
    money_by_year: list[Any]
    money_totals: list[Any]
    funding: list[Funding]
    people: list[KeyPerson]
    meetings: list[Meeting]
    commitments: list[Commitment]
    followers: list[str]
    following: bool


def instrument_page(instrument: Instrument, user: Any) -> InstrumentPage:
    criteria = active_criteria()
    versions = list(db.session.scalars(
        select(InstrumentVersion).where(InstrumentVersion.instrument_id == instrument.id)
        .order_by(InstrumentVersion.effective_on.desc(), InstrumentVersion.id.desc())))
    evidence: dict[int, dict[int, Assessment]] = {}
    if versions:
        for assessment in db.session.scalars(
                select(Assessment).where(Assessment.version_id.in_([v.id for v in versions]),
                                         Assessment.is_current.is_(True))
                .options(joinedload(Assessment.assessed_by))):
            evidence.setdefault(assessment.version_id, {})[assessment.criterion_id] = assessment
    ratings = {vid: {cid: a.rating for cid, a in items.items()} for vid, items in evidence.items()}
    comparison = []
    if len(versions) > 1:
        comparison = compare(ratings.get(versions[1].id, {}), ratings.get(versions[0].id, {}), criteria)
    funding = list(db.session.scalars(select(Funding).where(Funding.instrument_id == instrument.id,
                                                            Funding.is_archived.is_(False))
                                      .order_by(Funding.year.desc(), Funding.currency, Funding.kind)))
    by_year, totals = money_table(funding)
    meetings, commitments = linked_work(instrument, user)
    follower_rows = db.session.execute(
        select(User.id, User.name).join(InstrumentFollower, InstrumentFollower.user_id == User.id)
        .where(InstrumentFollower.instrument_id == instrument.id).order_by(User.name)).all()
    return InstrumentPage(instrument, criteria, versions, ratings, evidence, comparison, by_year, totals, funding,
                          key_people(instrument, user), meetings, commitments,
                          [name for _id, name in follower_rows], any(uid == user.id for uid, _n in follower_rows))


def instruments_linked_to(*, meeting_id: int | None = None, commitment_id: int | None = None) -> list[InstrumentLink]:
    column = InstrumentLink.meeting_id if meeting_id is not None else InstrumentLink.commitment_id
    return list(db.session.scalars(select(InstrumentLink).where(column == (meeting_id or commitment_id))
                                   .options(joinedload(InstrumentLink.instrument)).order_by(InstrumentLink.id)))


def instrument_choices() -> list[tuple[int, str]]:
    """(id, label) of every active instrument, for the tagging select on meetings and commitments."""
    return [(i, short or title) for i, short, title in db.session.execute(
        select(Instrument.id, Instrument.short_name, Instrument.title).where(Instrument.is_archived.is_(False))
        .order_by(func.coalesce(Instrument.short_name, Instrument.title), Instrument.id))]


def published() -> list[Instrument]:
    return list(db.session.scalars(select(Instrument).where(Instrument.is_public.is_(True),
                                                            Instrument.is_archived.is_(False))
                                   .options(joinedload(Instrument.body))
                                   .order_by(*DECISION_ORDER)))


def regions() -> list[str]:
    return list(db.session.scalars(select(Instrument.region).where(Instrument.region.is_not(None)).distinct()
                                   .order_by(Instrument.region)))
