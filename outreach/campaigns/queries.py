"""Reading campaigns: objectives' current values and trajectories, the board, the targets table, "My targets"
and the dashboards' aggregates. Every page runs a fixed number of grouped queries, whatever its size.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from collections.abc import Mapping, Sequence

from sqlalchemy import Select, any_, case, func, literal, or_, select, union, union_all
from sqlalchemy.orm import aliased, selectinload

from outreach.campaigns.access import visible_campaigns, visible_targets
from outreach.campaigns.models import (PIPELINE, Campaign, CampaignStatus, Objective, ObjectiveSource, ObjectiveValue,
                                       Stage, StageChange, Target, TargetAssignment, campaign_meetings)
from outreach.contacts import search
from outreach.contacts.models import Contact, Organisation
from outreach.contacts.queries import organisation_subtree_ids
from outreach.core.auth.models import User
from outreach.core.db import db, version_token
from outreach.core.metrics import MetricRequest, objective_metric, parse_params
from outreach.core.time import day_start
from outreach.meetings.models import (LIVE_COMMITMENT_STATUSES, Attendee, Commitment, CommitmentStatus, FollowUp,
                                      FollowUpStatus, Meeting, MeetingStatus)

#: Cards shown per board column; the rest are a click away in the table, filtered by stage.
BOARD_COLUMN = 20
#: Contacts not touched for this long are "going cold" when they have no cadence of their own.
DEFAULT_COLD_DAYS = 60


def month_of(column: Any) -> Any:
    """'YYYY-MM' of an instant column, in UTC, on either database."""
    if db.dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def months_between(start: date, end: date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month) and len(out) < 120:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# --- objectives ------------------------------------------------------------------------------

@dataclass
class Progress:
    objective: Objective
    current: float
    as_of: date | None
    status: str  #: on_track, at_risk, off_track
    achieved: bool
    fraction: float  #: share of the way from baseline to target, 0..1
    expected: float  #: where the straight line from baseline to target stands today


def trajectory(objective: Objective, current: float, *, start: date, today: date) -> tuple[str, bool, float, float]:
    """On track / at risk / off track from how far the value has come against the straight line from the
    baseline (at the campaign's start) to the target (at the deadline)."""
    span = objective.target_value - objective.baseline
    fraction = (current - objective.baseline) / span if span else 1.0
    days = max((objective.deadline - start).days, 1)
    elapsed = min(max((today - start).days / days, 0.0), 1.0)
    expected = objective.baseline + span * elapsed
    if fraction >= 1:
        return "on_track", True, 1.0, expected
    if today > objective.deadline:
        status = "off_track"
    elif fraction >= elapsed - 0.10:
        status = "on_track"
    elif fraction >= elapsed - 0.25:
        status = "at_risk"
    else:
        status = "off_track"
    return status, False, max(fraction, 0.0), expected


def _target_contacts(campaign_ids: Any) -> Select[Any]:
    return select(Target.campaign_id, Target.contact_id).where(Target.campaign_id.in_(campaign_ids),
                                                               Target.contact_id.is_not(None))


def _campaign_commitments(campaign_ids: Sequence[int], *conditions: Any) -> Any:
    """(campaign_id, commitment_id) of commitments made by a campaign's targets (people or offices) since it began."""
    by_contact = (
        select(Target.campaign_id, Commitment.id.label("commitment_id"))
        .join(Commitment, Commitment.contact_id == Target.contact_id)
        .join(Campaign, Campaign.id == Target.campaign_id)
        .where(Target.campaign_id.in_(campaign_ids), Commitment.created_at >= Campaign.start_date, *conditions)
    )
    by_office = (
        select(Target.campaign_id, Commitment.id.label("commitment_id"))
        .join(Commitment, Commitment.organisation_id == Target.organisation_id)
        .join(Campaign, Campaign.id == Target.campaign_id)
        .where(Target.campaign_id.in_(campaign_ids), Commitment.created_at >= Campaign.start_date, *conditions)
    )
    if db.dialect == "postgresql":
        # Redundant with the joins, but it has PostgreSQL look up each target's commitments in the index rather
        # than hash every commitment of the status asked for (60,000 kept ones at the large size).
        of_these = Target.campaign_id.in_(campaign_ids)
        by_contact = by_contact.where(_one_of(Commitment.contact_id, select(Target.contact_id).where(
            of_these, Target.contact_id.is_not(None))))
        by_office = by_office.where(_one_of(Commitment.organisation_id, select(Target.organisation_id).where(
            of_these, Target.organisation_id.is_not(None))))
    return union(by_contact, by_office).subquery()


def objective_progress(objectives: Sequence[Objective], *, today: date,
                       kept: Mapping[int, int] | None = None) -> list[Progress]:
    """Current value and trajectory of each objective: one query per kind of source, not per objective
    (except "meetings held", one per such objective: each reads its own organisation subtree).

    *kept*: the commitments kept since each campaign began, by campaign id, when the caller has counted them
    already (the report counts every commitment by outcome): not counted a second time.
    """
    objectives = [o for o in objectives if not o.is_archived]
    current: dict[int, tuple[float, date | None]] = {}
    manual = [o.id for o in objectives if o.source == ObjectiveSource.MANUAL.value]
    if manual:
        ranked = select(ObjectiveValue.objective_id, ObjectiveValue.value, ObjectiveValue.as_of, func.row_number().over(
            partition_by=ObjectiveValue.objective_id, order_by=(ObjectiveValue.as_of.desc(), ObjectiveValue.id.desc())
        ).label("n")).where(ObjectiveValue.objective_id.in_(manual)).subquery()
        for oid, value, as_of in db.session.execute(select(ranked.c.objective_id, ranked.c.value, ranked.c.as_of)
                                                    .where(ranked.c.n == 1)):
            current[oid] = (value, as_of)
    campaigns = {o.campaign_id for o in objectives}
    by_source: dict[str, dict[int, int]] = {}
    if any(o.source == ObjectiveSource.TARGETS_COMMITTED.value for o in objectives):
        by_source["targets"] = dict(db.session.execute(
            select(Target.campaign_id, func.count()).where(
                Target.campaign_id.in_(campaigns),
                Target.stage.in_((Stage.COMMITTED.value, Stage.DELIVERED.value))).group_by(Target.campaign_id)).all())
    by_source["kept"] = dict(kept or {})
    uncounted = sorted({o.campaign_id for o in objectives if o.source == ObjectiveSource.COMMITMENTS_KEPT.value}
                       - by_source["kept"].keys())
    if uncounted:
        made = _campaign_commitments(uncounted, Commitment.status == CommitmentStatus.KEPT.value)
        by_source["kept"].update(db.session.execute(
            select(made.c.campaign_id, func.count()).group_by(made.c.campaign_id)).all())
    for o in objectives:
        if o.source == ObjectiveSource.TARGETS_COMMITTED.value:
            current[o.id] = (o.baseline + by_source["targets"].get(o.campaign_id, 0), today)
        elif o.source == ObjectiveSource.COMMITMENTS_KEPT.value:
            current[o.id] = (o.baseline + by_source["kept"].get(o.campaign_id, 0), today)
        elif o.source == ObjectiveSource.MEETINGS_HELD.value:
            current[o.id] = (o.baseline + _meetings_held(o), today)
    for oid, value in registered_metric_values(objectives).items():
        current[oid] = (value, today)
    out = []
    for o in objectives:
        value, as_of = current.get(o.id, (o.baseline, None))
        status, achieved, fraction, expected = trajectory(o, value, start=o.campaign.start_date, today=today)
        out.append(Progress(o, value, as_of, status, achieved, fraction, expected))
    return out


def registered_metric_values(objectives: Sequence[Objective]) -> dict[int, float]:
    """The values of objectives read through another feature's metric (core/metrics.py): one call per metric.
    Such a value is a state (a rating met or not), not a count since the start, so no baseline is added."""
    wanted: dict[str, list[MetricRequest]] = {}
    for o in objectives:
        if objective_metric(o.source) is not None:
            wanted.setdefault(o.source, []).append(MetricRequest(o.id, o.campaign_id, parse_params(o.source_params),
                                                                 since=o.campaign.start_date))
    values: dict[int, float] = {}
    for key, requests in wanted.items():
        answered = objective_metric(key).current(requests)  # type: ignore[union-attr]
        values.update({r.objective_id: float(answered.get(r.objective_id, 0)) for r in requests})
    return values


def source_descriptions(objectives: Sequence[Objective]) -> dict[int, str]:
    """Registered sources' settings in words, per objective ("participation rated adequate or better in ..."):
    one call per metric, whatever the number of objectives."""
    wanted: dict[str, list[Objective]] = {}
    for o in objectives:
        if o.source_params and objective_metric(o.source) is not None:
            wanted.setdefault(o.source, []).append(o)
    out: dict[int, str] = {}
    for key, group in wanted.items():
        words = objective_metric(key).describe([parse_params(o.source_params) for o in group])  # type: ignore[union-attr]
        out.update({o.id: text for o, text in zip(group, words, strict=False)})
    return out


def _meetings_held_statement(objective: Objective) -> Select[Any]:
    campaign = objective.campaign
    start = day_start(campaign.start_date)
    end = day_start(campaign.end_date + timedelta(days=1))
    return select(Meeting.start_at).where(
        Meeting.organisation_id.in_(organisation_subtree_ids(objective.organisation_id or 0)),
        Meeting.status == MeetingStatus.HELD.value, Meeting.start_at >= start, Meeting.start_at < end)


def _meetings_held(objective: Objective) -> int:
    stmt = _meetings_held_statement(objective)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def objective_history(objective: Objective, *, today: date) -> list[tuple[date, float]]:
    """The objective's values over time: the entered values, or the derived count at the end of each month."""
    if not objective.is_derived:
        return [(v.as_of, v.value) for v in objective.values]
    campaign = objective.campaign
    if objective_metric(objective.source) is not None:  # a state read now: no monthly history to rebuild
        return [(min(today, campaign.end_date), registered_metric_values([objective]).get(objective.id, 0.0))]
    if objective.source == ObjectiveSource.TARGETS_COMMITTED.value:
        first = (select(StageChange.target_id, func.min(StageChange.changed_at).label("at"))
                 .where(StageChange.campaign_id == campaign.id,
                        StageChange.to_stage.in_((Stage.COMMITTED.value, Stage.DELIVERED.value)))
                 .group_by(StageChange.target_id)).subquery()
        still = select(Target.id).where(Target.campaign_id == campaign.id,
                                        Target.stage.in_((Stage.COMMITTED.value, Stage.DELIVERED.value)))
        month = month_of(first.c.at)
        stmt = select(month, func.count()).where(first.c.target_id.in_(still)).group_by(month)
    elif objective.source == ObjectiveSource.COMMITMENTS_KEPT.value:
        kept = _campaign_commitments([campaign.id], Commitment.status == CommitmentStatus.KEPT.value)
        month = month_of(Commitment.status_changed_at)
        stmt = (select(month, func.count(func.distinct(Commitment.id)))
                .where(Commitment.id.in_(select(kept.c.commitment_id))).group_by(month))
    else:
        inner = _meetings_held_statement(objective).subquery()
        month = month_of(inner.c.start_at)
        stmt = select(month, func.count()).group_by(month)
    per_month = dict(db.session.execute(stmt).all())
    out, total = [], objective.baseline
    last = min(today, campaign.end_date)
    for key in months_between(campaign.start_date, last):
        total += per_month.get(key, 0)
        y, m = int(key[:4]), int(key[5:])
        end = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1))
        out.append((min(end, last), total))
    return out


# --- targets -----------------------------------------------------------------------------------

def _target_options() -> list[Any]:
    return [selectinload(Target.contact).selectinload(Contact.positions), selectinload(Target.organisation),
            selectinload(Target.assignments).selectinload(TargetAssignment.user)]


def stage_counts(campaign: Campaign, user: Any) -> dict[str, int]:
    rows = db.session.execute(select(Target.stage, func.count()).where(
        Target.campaign_id == campaign.id, visible_targets(user)).group_by(Target.stage)).all()
    counts = {stage.value: 0 for stage in Stage}
    counts.update(dict(rows))
    return counts


@dataclass(frozen=True, slots=True)
class BoardCard:
    """What a card on the board shows of a target, read as plain columns: a board of a few hundred cards left
    as many ORM objects (and their back-references) to the garbage collector on every view."""

    id: int
    stage: str
    priority: int
    next_step: str | None
    version: str
    name: str
    partner_ids: tuple[int, ...]
    partner_names: tuple[str, ...]
    campaign: Campaign


def board(campaign: Campaign, user: Any) -> dict[str, list[BoardCard]]:
    """The first cards of each stage column (highest priority first), in one statement for all columns: each
    column reads its own stretch of the (campaign, stage, priority, id) index, whatever the campaign's size;
    their partners in a second."""
    columns_ids = [select(Target.id).where(Target.campaign_id == campaign.id, Target.stage == stage.value,
                                           visible_targets(user))
                   .order_by(Target.priority, Target.id).limit(BOARD_COLUMN).subquery() for stage in Stage]
    ids = union_all(*(select(column.c.id) for column in columns_ids)).subquery()
    rows = db.session.execute(
        select(Target.id, Target.stage, Target.priority, Target.next_step, Target.updated_at, Contact.honorific,
               Contact.first_name, Contact.last_name, Organisation.name)
        .outerjoin(Contact, Contact.id == Target.contact_id)
        .outerjoin(Organisation, Organisation.id == Target.organisation_id)
        .where(Target.id.in_(select(ids.c.id))).order_by(Target.priority, Target.id)).all()
    partners: dict[int, list[tuple[int, str]]] = {}
    if rows:
        for target_id, user_id, name in db.session.execute(
                select(TargetAssignment.target_id, User.id, User.name).join(User, User.id == TargetAssignment.user_id)
                .where(TargetAssignment.target_id.in_([r[0] for r in rows]))
                .order_by(TargetAssignment.target_id, TargetAssignment.assigned_at)):
            partners.setdefault(target_id, []).append((user_id, name))
    columns: dict[str, list[BoardCard]] = {stage.value: [] for stage in Stage}
    for target_id, stage, priority, next_step, updated_at, honorific, first, last, office in rows:
        person = " ".join(part for part in (honorific, first, last) if part)
        people = partners.get(target_id, [])
        columns[stage].append(BoardCard(
            target_id, stage, priority, next_step, version_token(updated_at), person or office or "?",
            tuple(uid for uid, _ in people), tuple(name for _, name in people), campaign))
    return columns


TARGET_SORTS = {
    "priority": lambda: (Target.priority, Target.id),
    "stage": lambda: (case({s: i for i, s in enumerate((*PIPELINE, Stage.DROPPED.value))}, value=Target.stage),
                      Target.priority, Target.id),
    "changed": lambda: (Target.stage_changed_at.desc(), Target.id.desc()),
    "next_step": lambda: (Target.next_step_due.is_(None), Target.next_step_due, Target.id),
    "name": lambda: _name_order(),
}


def _name_order() -> tuple[Any, ...]:
    """Last name (an office: its name), first name: each target's read by its key. Joining the directory instead
    had PostgreSQL scan all its contacts to sort a few hundred targets."""
    person, office = aliased(Contact), aliased(Organisation)
    last = select(person.last_name).where(person.id == Target.contact_id).correlate(Target).scalar_subquery()
    first = select(person.first_name).where(person.id == Target.contact_id).correlate(Target).scalar_subquery()
    name = select(office.name).where(office.id == Target.organisation_id).correlate(Target).scalar_subquery()
    return func.coalesce(last, name), first, Target.id


def targets_statement(campaign: Campaign, user: Any, filters: dict[str, Any]) -> Select[Any]:
    """The campaign's targets the user may see, filtered and sorted (the table and its CSV export)."""
    stmt = select(Target).where(Target.campaign_id == campaign.id, visible_targets(user))
    if filters.get("stage"):
        stmt = stmt.where(Target.stage == filters["stage"])
    if filters.get("priority"):
        stmt = stmt.where(Target.priority == int(filters["priority"]))
    if filters.get("kind") == "contact":
        stmt = stmt.where(Target.contact_id.is_not(None))
    elif filters.get("kind") == "organisation":
        stmt = stmt.where(Target.organisation_id.is_not(None))
    if filters.get("partner"):
        stmt = stmt.where(Target.id.in_(select(TargetAssignment.target_id).where(
            TargetAssignment.user_id == int(filters["partner"]))))
    if filters.get("unassigned"):
        stmt = stmt.where(~Target.id.in_(select(TargetAssignment.target_id)))
    if filters.get("q"):
        # Within one campaign (a few thousand rows at most, read through its index): a plain match on the
        # normalised names the directory keeps.
        needle = "%" + search.normalise(filters["q"]).replace("\\", "").replace("%", "").replace("_", "") + "%"
        stmt = (stmt.outerjoin(Contact, Contact.id == Target.contact_id)
                .outerjoin(Organisation, Organisation.id == Target.organisation_id)
                .where(or_(Contact.search_text.like(needle), Organisation.search_text.like(needle))))
    return stmt.order_by(*TARGET_SORTS.get(filters.get("sort") or "priority", TARGET_SORTS["priority"])())


def load_targets(stmt: Select[Any]) -> Select[Any]:
    return stmt.options(*_target_options())


def current_post(contact: Contact | None) -> str | None:
    if contact is None:
        return None
    posts = contact.current_positions
    return posts[0].title if posts else None


def partner_choices() -> list[tuple[int, str]]:
    return list(db.session.execute(select(User.id, User.name).where(
        User.role == "partner", User.is_active_account.is_(True)).order_by(User.name).limit(500)).all())


# --- My targets ----------------------------------------------------------------------------------

@dataclass
class MyTarget:
    """One row of "My targets": plain values read in one joined query (a partner may hold hundreds)."""
    id: int
    stage: str
    priority: int
    next_step: str | None
    next_step_due: date | None
    contact_id: int | None
    organisation_id: int | None
    campaign_id: int
    campaign_name: str
    name: str
    last_touch: datetime | None = None
    next_follow_up: datetime | None = None
    open_commitments: int = 0
    going_cold: bool = False
    overdue: bool = False  #: the next step or a follow-up is past due
    urgency: tuple[Any, ...] = field(default=())


def my_targets(user: Any, now: datetime) -> list[MyTarget]:
    """Every target assigned to *user* in active campaigns, what needs her first: overdue next steps and
    follow-ups, then going cold, then priority, then the soonest next step. Four queries, whatever the number."""
    rows = db.session.execute(
        select(Target.id, Target.stage, Target.priority, Target.next_step, Target.next_step_due, Target.contact_id,
               Target.organisation_id, Campaign.id, Campaign.name, Contact.honorific, Contact.first_name,
               Contact.last_name, Contact.last_touch_at, Contact.cadence_days, Organisation.name)
        .join(TargetAssignment, TargetAssignment.target_id == Target.id)
        .join(Campaign, Campaign.id == Target.campaign_id)
        .outerjoin(Contact, Contact.id == Target.contact_id)
        .outerjoin(Organisation, Organisation.id == Target.organisation_id)
        .where(TargetAssignment.user_id == user.id, Campaign.status == CampaignStatus.ACTIVE.value,
               Target.stage.not_in((Stage.DROPPED.value, Stage.DELIVERED.value)))).all()
    contact_ids = sorted({r[5] for r in rows if r[5]})
    organisation_ids = sorted({r[6] for r in rows if r[6]})
    follow_ups: dict[int, datetime] = {}
    commitments: dict[tuple[str, int], int] = {}
    office_touch: dict[int, datetime] = {}
    if contact_ids:
        follow_ups = dict(db.session.execute(
            select(FollowUp.contact_id, func.min(FollowUp.due_at)).where(
                FollowUp.assignee_id == user.id, FollowUp.status == FollowUpStatus.OPEN.value,
                FollowUp.contact_id.in_(contact_ids)).group_by(FollowUp.contact_id)).all())
        commitments.update({("c", cid): n for cid, n in db.session.execute(
            select(Commitment.contact_id, func.count()).where(
                Commitment.contact_id.in_(contact_ids), Commitment.status.in_(LIVE_COMMITMENT_STATUSES))
            .group_by(Commitment.contact_id))})
    if organisation_ids:
        commitments.update({("o", oid): n for oid, n in db.session.execute(
            select(Commitment.organisation_id, func.count()).where(
                Commitment.organisation_id.in_(organisation_ids), Commitment.status.in_(LIVE_COMMITMENT_STATUSES))
            .group_by(Commitment.organisation_id))})
        office_touch = dict(db.session.execute(
            select(Meeting.organisation_id, func.max(Meeting.start_at)).where(
                Meeting.organisation_id.in_(organisation_ids), Meeting.status == MeetingStatus.HELD.value)
            .group_by(Meeting.organisation_id)).all())
    today = now.date()
    out = []
    for (tid, stage, priority, step, due, contact_id, organisation_id, campaign_id, campaign_name, honorific, first,
         last, touch, cadence, office) in rows:
        if contact_id:
            name = " ".join(part for part in (honorific, first, last) if part)
            open_n = commitments.get(("c", contact_id), 0)
        else:
            name, touch, cadence = office or "?", office_touch.get(organisation_id), None
            open_n = commitments.get(("o", organisation_id), 0)
        follow = follow_ups.get(contact_id) if contact_id else None
        cold = touch is None or touch < now - timedelta(days=cadence or DEFAULT_COLD_DAYS)
        overdue = bool((due and due < today) or (follow and follow < now))
        out.append(MyTarget(tid, stage, priority, step, due, contact_id, organisation_id, campaign_id, campaign_name,
                            name, touch, follow, open_n, cold, overdue,
                            (not overdue, not cold, priority, due or date.max, tid)))
    out.sort(key=lambda i: i.urgency)
    return out


# --- dashboards ----------------------------------------------------------------------------------

def campaigns_overview(user: Any, statuses: Sequence[str]) -> list[tuple[Campaign, dict[str, int]]]:
    """Campaigns in *statuses* with their targets per stage (one grouped query)."""
    campaigns = db.session.scalars(select(Campaign).where(Campaign.status.in_(statuses), visible_campaigns(user))
                                   .options(selectinload(Campaign.objectives).selectinload(Objective.campaign),
                                            selectinload(Campaign.owner))
                                   .order_by(Campaign.end_date, Campaign.id).limit(100)).all()
    ids = [c.id for c in campaigns]
    counts: dict[int, dict[str, int]] = {cid: {s.value: 0 for s in Stage} for cid in ids}
    if ids:
        for cid, stage, n in db.session.execute(select(Target.campaign_id, Target.stage, func.count())
                                                .where(Target.campaign_id.in_(ids))
                                                .group_by(Target.campaign_id, Target.stage)):
            counts[cid][stage] = n
    return [(c, counts[c.id]) for c in campaigns]


def moves_since(campaign_ids: Sequence[int], since: datetime) -> dict[int, int]:
    if not campaign_ids:
        return {}
    return dict(db.session.execute(select(StageChange.campaign_id, func.count()).where(
        StageChange.campaign_id.in_(campaign_ids), StageChange.changed_at >= since,
        StageChange.source != "step").group_by(StageChange.campaign_id)).all())


def _bounds(campaign: Campaign) -> tuple[datetime, datetime]:
    start = day_start(campaign.start_date)
    end = day_start(campaign.end_date + timedelta(days=1))
    return start, end


def meetings_per_month(campaign: Campaign, *, today: date) -> list[tuple[str, int]]:
    """Held meetings with the campaign's targets (or linked to it) per month of the campaign so far."""
    start, end = _bounds(campaign)
    with_targets = (select(Attendee.meeting_id).join(Target, Target.contact_id == Attendee.contact_id)
                    .where(Target.campaign_id == campaign.id))
    linked = select(campaign_meetings.c.meeting_id).where(campaign_meetings.c.campaign_id == campaign.id)
    month = month_of(Meeting.start_at)
    # Two plain look-up sets, no UNION: the held meetings of the period (read from their index) are kept when
    # either holds them, so a meeting several targets attended counts once without sorting the ids to merge them.
    counts = dict(db.session.execute(select(month, func.count()).where(
        Meeting.status == MeetingStatus.HELD.value, Meeting.start_at >= start, Meeting.start_at < end,
        or_(Meeting.id.in_(with_targets), Meeting.id.in_(linked))).group_by(month)).all())
    return [(m, counts.get(m, 0)) for m in months_between(campaign.start_date, min(today, campaign.end_date))]


COMMITMENT_BUCKETS = ("kept", "partly_kept", "broken", "open")


def _one_of(column: Any, values: Select[Any]) -> Any:
    """*column* is one of the values *values* selects, read as index look-ups of each value: on PostgreSQL
    ``= ANY(ARRAY(...))`` (an IN there hashes the values and scans the whole table), elsewhere IN."""
    if db.dialect == "postgresql":
        return column == any_(func.array(values.scalar_subquery()))
    return column.in_(values)


def commitment_outcomes(campaign: Campaign) -> dict[str, int]:
    """Commitments by the campaign's targets since it began: kept, partly kept, broken, still open."""
    since = day_start(campaign.start_date)
    # Each commitment once (a target may be a person and her office): made by one of the campaign's people or
    # offices, each read from the (person or office, status, made) indexes.
    people = select(Target.contact_id).where(Target.campaign_id == campaign.id, Target.contact_id.is_not(None))
    offices = select(Target.organisation_id).where(Target.campaign_id == campaign.id,
                                                   Target.organisation_id.is_not(None))
    bucket = case((Commitment.status.in_(LIVE_COMMITMENT_STATUSES), literal("open")), else_=Commitment.status)
    rows = dict(db.session.execute(select(bucket, func.count()).where(
        Commitment.created_at >= since,
        or_(_one_of(Commitment.contact_id, people), _one_of(Commitment.organisation_id, offices)))
        .group_by(bucket)).all())
    return {k: rows.get(k, 0) for k in COMMITMENT_BUCKETS}


@dataclass
class PartnerActivity:
    user_id: int
    name: str
    targets: int
    advanced: int  #: targets at "met" or beyond
    moves: int  #: stage moves she made in the last 30 days


def partner_activity(campaign: Campaign, now: datetime) -> list[PartnerActivity]:
    rows = db.session.execute(
        select(User.id, User.name, func.count(Target.id),
               func.sum(case((Target.stage.in_((Stage.MET.value, Stage.COMMITTED.value, Stage.DELIVERED.value)), 1),
                             else_=0)))
        .join(TargetAssignment, TargetAssignment.user_id == User.id)
        .join(Target, Target.id == TargetAssignment.target_id)
        .where(Target.campaign_id == campaign.id).group_by(User.id, User.name).order_by(User.name).limit(200)).all()
    moves = dict(db.session.execute(select(StageChange.changed_by_id, func.count()).where(
        StageChange.campaign_id == campaign.id, StageChange.changed_at >= now - timedelta(days=30),
        StageChange.changed_by_id.in_([r[0] for r in rows] or [0])).group_by(StageChange.changed_by_id)).all())
    return [PartnerActivity(uid, name, n, int(advanced or 0), moves.get(uid, 0)) for uid, name, n, advanced in rows]
