"""Reads for the ranking and the dashboard: grouped queries, never rows loaded to be counted in Python."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, case, func, literal, null, or_, select, union_all

from outreach.contacts.models import Contact, Organisation, Position, Relationship
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.permissions import Role
from outreach.introductions.matching import Candidate, Ranked, Target, rank
from outreach.introductions.models import (PARTNER_STATES, DoorOpener, IntroductionRequest, RequestState,
                                           RequestTransition)
from outreach.meetings.models import Attendee, Meeting, MeetingInitiator, MeetingStatus


@lru_cache(maxsize=4096)
def _split(value: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in (value or "").split(",") if part.strip())


def _offices(contact_id: int) -> tuple[set[int], set[int], Any, set[str]]:
    """The target's current offices, former offices, the offices near the current ones (a subquery: the
    parent and sister offices, and those below), and the countries of the target and her offices."""
    rows = db.session.execute(
        select(Contact.country.label("own_country"), Position.organisation_id, Position.end_date,
               Organisation.parent_id, Organisation.country)
        .outerjoin(Position, Position.contact_id == Contact.id)
        .outerjoin(Organisation, Organisation.id == Position.organisation_id)
        .where(Contact.id == contact_id)).all()
    posts = [r for r in rows if r.organisation_id is not None]
    current = {r.organisation_id for r in posts if r.end_date is None}
    former = {r.organisation_id for r in posts if r.end_date is not None} - current
    parents = {r.parent_id for r in posts if r.end_date is None and r.parent_id}
    countries = {r.country for r in posts if r.end_date is None and r.country}
    countries |= {r.own_country for r in rows if r.own_country}
    near = select(Organisation.id).where(or_(Organisation.parent_id.in_(parents), Organisation.parent_id.in_(current),
                                             Organisation.id.in_(parents)), Organisation.id.not_in(current))
    return current, former, (near if current or parents else None), countries


def _knows_in(org_ids: Any, target_id: int, kind: str) -> Any:
    return (select(Relationship.user_id.label("uid"), literal(kind).label("kind"),
                   func.count(func.distinct(Relationship.contact_id)).label("n"), null().label("last"),
                   literal(0).label("r90"), literal(0).label("r365"), literal(0).label("asked"))
            .join(Position, and_(Position.contact_id == Relationship.contact_id, Position.end_date.is_(None)))
            .where(Position.organisation_id.in_(org_ids), Relationship.contact_id != target_id,
                   Relationship.is_archived.is_(False))
            .group_by(Relationship.user_id))


def matching_facts(request: IntroductionRequest, now: datetime) -> tuple[list[Candidate], Target]:
    """Every active partner with what links her to the request's target (one aggregate query)."""
    target_id = request.contact_id
    assert target_id is not None
    current, former, near, countries = _offices(target_id)
    other = Attendee.__table__.alias("partner_attendee")
    # The target's own attendances first (a handful of rows from the contact index), then their meetings and
    # the partners in them. Materialised on PostgreSQL so that the plan starts there even when the statistics
    # are stale (after a bulk import, the planner was seen scanning every held meeting instead: 365 ms, not 1).
    attended = select(Attendee.meeting_id).where(Attendee.contact_id == target_id).cte("target_meetings")
    if db.dialect == "postgresql":
        attended = attended.prefix_with("MATERIALIZED")
    met = (select(other.c.user_id.label("uid"), literal("met").label("kind"),
                  func.count(func.distinct(Meeting.id)).label("n"), func.max(Meeting.start_at).label("last"),
                  func.sum(case((Meeting.start_at >= now - timedelta(days=90), 1), else_=0)).label("r90"),
                  func.sum(case((Meeting.start_at >= now - timedelta(days=365), 1), else_=0)).label("r365"),
                  func.sum(case((Meeting.initiated_by == MeetingInitiator.TARGET.value, 1), else_=0)).label("asked"))
           .select_from(attended)
           .join(Meeting, Meeting.id == attended.c.meeting_id)
           .join(other, and_(other.c.meeting_id == attended.c.meeting_id, other.c.user_id.is_not(None)))
           .where(Meeting.status == MeetingStatus.HELD.value)
           .group_by(other.c.user_id))
    parts = [met,
             select(Relationship.user_id, literal("rel"), Relationship.strength, null(), literal(0), literal(0),
                    literal(0))
             .where(Relationship.contact_id == target_id, Relationship.is_archived.is_(False)),
             select(IntroductionRequest.partner_id, literal("load"), func.count(), null(), literal(0), literal(0),
                    literal(0))
             .where(IntroductionRequest.state.in_(PARTNER_STATES), IntroductionRequest.partner_id.is_not(None))
             .group_by(IntroductionRequest.partner_id),
             select(RequestTransition.partner_id, literal("declined"), func.count(), null(), literal(0), literal(0),
                    literal(0))
             .where(RequestTransition.request_id == request.id,
                    RequestTransition.to_state == RequestState.DECLINED.value)
             .group_by(RequestTransition.partner_id)]
    for org_ids, kind in ((current, "office"), (former, "former"), (near, "near")):
        if org_ids is not None and (not isinstance(org_ids, set) or org_ids):
            parts.append(_knows_in(org_ids, target_id, kind))
    signals: dict[int, dict[str, Any]] = {}
    # Plain rows from the connection: the ORM's row machinery costs more than the query for 2,000 partners.
    connection = db.session.connection()
    for row in connection.execute(union_all(*parts)).all():
        signals.setdefault(row[0], {})[row[1]] = row
    partners = connection.execute(
        select(User.id, User.name, DoorOpener.languages, DoorOpener.countries)
        .outerjoin(DoorOpener, DoorOpener.user_id == User.id)
        .where(User.role == Role.PARTNER.value, User.is_active_account.is_(True))).all()
    candidates = []
    for uid, name, languages, worked_in in partners:
        s = signals.get(uid, {})
        met_row = s.get("met")
        candidates.append(Candidate(
            user_id=uid, name=name, meetings=met_row[2] if met_row else 0,
            meetings_90d=int(met_row[4] or 0) if met_row else 0, meetings_365d=int(met_row[5] or 0) if met_row else 0,
            last_met_at=_aware(met_row[3]) if met_row else None,
            met_at_their_request=int(met_row[6] or 0) if met_row else 0,
            strength=s["rel"][2] if "rel" in s else None,
            same_office=s["office"][2] if "office" in s else 0, former_office=s["former"][2] if "former" in s else 0,
            near_office=s["near"][2] if "near" in s else 0, languages=_split(languages), countries=_split(worked_in),
            open_introductions=s["load"][2] if "load" in s else 0, declined_before="declined" in s))
    languages = frozenset(request.language_list) or frozenset(request.profile.language_list)
    places = set(countries) | ({request.profile.country} if request.profile.country else set())
    return candidates, Target(countries=frozenset(places), languages=languages)


def _aware(value: Any) -> datetime | None:

    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back a union's datetime column as text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def ranked_partners(request: IntroductionRequest, now: datetime, *, limit: int = 10) -> list[Ranked]:
    """The partners best placed to open the request's door, with reasons."""
    if request.contact_id is None:
        return []
    candidates, target = matching_facts(request, now)
    return rank(candidates, target, now, limit=limit)


# --- the dashboard -----------------------------------------------------------------------------

def dashboard(now: datetime) -> dict[str, Any]:
    """Requests by state (with the oldest wait), the answers per partner, and how requests ended."""
    by_state = {row.state: (row.n, _aware(row.oldest)) for row in db.session.execute(
        select(IntroductionRequest.state, func.count().label("n"),
               func.min(IntroductionRequest.state_changed_at).label("oldest"))
        .group_by(IntroductionRequest.state)).all()}
    answers = db.session.execute(
        select(
            User.id,
            User.name,
            func.sum(case((RequestTransition.to_state == RequestState.OFFERED.value, 1), else_=0)).label("offered"),
            func.sum(case((RequestTransition.to_state == RequestState.ACCEPTED.value, 1), else_=0)).label("accepted"),
            func.sum(case((RequestTransition.to_state == RequestState.DECLINED.value, 1), else_=0)).label("declined"),
        )
        .join(User, User.id == RequestTransition.partner_id)
        .where(
            RequestTransition.to_state.in_(
                (RequestState.OFFERED.value, RequestState.ACCEPTED.value, RequestState.DECLINED.value)
            )
        )
        .group_by(User.id, User.name)
        .order_by(func.lower(User.name), User.id)
        .limit(50)
    ).all()
    with_meeting, closed = db.session.execute(
        select(func.sum(case((IntroductionRequest.meeting_id.is_not(None), 1), else_=0)), func.count())
        .where(IntroductionRequest.state == RequestState.CLOSED.value)).one()
    outcomes = {"meeting": int(with_meeting or 0), "no meeting": int(closed or 0) - int(with_meeting or 0)}
    return {"by_state": by_state, "answers": answers, "outcomes": outcomes, "now": now,
            "time_at_step": time_at_step(now)}


def _epoch(column: Any) -> Any:
    if db.dialect == "postgresql":
        return func.extract("epoch", column)
    return func.julianday(column) * 86400


def time_at_step(now: datetime, *, days: int = 365) -> dict[str, float]:
    """The average days requests spent at each step before moving on, over the last *days* (one grouped query)."""
    steps = (select(RequestTransition.to_state.label("state"), RequestTransition.at.label("entered"),
                    func.lead(RequestTransition.at).over(partition_by=RequestTransition.request_id,
                                                         order_by=RequestTransition.id).label("left"))
             .where(RequestTransition.request_id.in_(select(IntroductionRequest.id).where(
                 IntroductionRequest.created_at >= now - timedelta(days=days))))
             .subquery())
    rows = db.session.execute(
        select(steps.c.state, func.avg(_epoch(steps.c.left) - _epoch(steps.c.entered)))
        .where(steps.c.left.is_not(None)).group_by(steps.c.state)).all()
    return {state: float(seconds) / 86400 for state, seconds in rows if seconds is not None}
