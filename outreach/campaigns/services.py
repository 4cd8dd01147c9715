"""Campaigns, objectives and targets: the rules.

Every service takes the acting user and `now`, flushes, and leaves the commit to the caller. A broken
rule raises CampaignError with a message written for the person who typed it (and the form field it
concerns); the caller rolls back, so nothing is half-saved.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from outreach.campaigns.models import (STAGE_RANK, Campaign, CampaignStatus, Objective, ObjectiveSource,
                                       ObjectiveValue, Stage, StageChange, Target, TargetAssignment)
from outreach.contacts.models import Contact, Organisation
from outreach.contacts.reference import tags_for
from outreach.core.audit import record_event
from outreach.core.auth.models import User
from outreach.core.db import compare_and_set, db
from outreach.core.errors import ServiceError
from outreach.core.metrics import clean_params, format_params, objective_metric
from outreach.core.permissions import Capability, Role, has_capability

MAX_NAME = 200
MAX_GOAL = 5_000
MAX_REASON = 500
MAX_NEXT_STEP = 300
MAX_NOTE = 2_000
#: Targets added in one go: a filtered list of a few hundred is the use; thousands is a mistake.
MAX_BULK_TARGETS = 2_000
#: Dates before 2000 or more than 20 years ahead are typing mistakes (0001-01-01, 9999-12-31).
EARLIEST = date(2000, 1, 1)
LATEST_YEARS = 20
#: Objective values: finite, and within what any metric can mean.
MAX_MAGNITUDE = 1e12
PRIORITIES = (1, 2, 3)
#: Users who may own a campaign.
OWNER_ROLES = (Role.ADMIN.value, Role.MANAGER.value, Role.COORDINATOR.value)


class CampaignError(ServiceError):
    """A rule of campaigns was broken; *field* names the form field, *status* the HTTP answer (422 by default)."""


class StaleTarget(CampaignError):
    """Someone changed the target after this page was opened; nothing was saved."""

    def __init__(self) -> None:
        super().__init__(_l("This target was changed since you opened it; nothing was saved. Your entries are "
                            "still in the form and the page shows its latest stage and history: check them, then "
                            "save again."), status=409)


def _claim(target: Target, expected_updated_at: datetime | None, now: datetime) -> None:
    """Refuse a save made on a copy older than the stored target (*expected_updated_at*: the version the page
    was opened on). The compare-and-set holds even when two saves race: the second one matches no row."""
    if expected_updated_at is not None and not compare_and_set(
            Target, target.id, Target.updated_at, expected_updated_at, updated_at=now):
        raise StaleTarget()


@dataclass
class CampaignData:
    name: str
    goal: str
    start_date: date
    end_date: date
    status: str = CampaignStatus.DRAFT.value
    owner_id: int | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class ObjectiveData:
    metric: str
    target_value: float
    deadline: date
    baseline: float = 0.0
    unit: str | None = None
    source: str = ObjectiveSource.MANUAL.value
    organisation_id: int | None = None
    #: For a source another feature registers (core/metrics.py): its parameters, by name.
    source_params: dict[str, Any] | None = None


def _check_text(value: str | None, name: str, limit: int) -> None:
    if value and len(value) > limit:
        raise CampaignError(_l("Keep this under %(max)d characters (it has %(n)d).", max=limit, n=len(value)),
                            field=name)
    if value and "\x00" in value:
        raise CampaignError(_l("Remove the control characters from this field."), field=name)


def check_date(value: date | None, name: str, *, today: date) -> None:
    if value is None:
        return
    latest = today + timedelta(days=365 * LATEST_YEARS + 5)
    if value < EARLIEST or value > latest:
        raise CampaignError(_l("Enter a date between 2000 and %(year)d.", year=latest.year), field=name)


def _check_number(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise CampaignError(_l("Enter a number."), field=name) from None
    if not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
        raise CampaignError(_l("Enter a number between -10¹² and 10¹²."), field=name)
    return number


# --- campaigns -------------------------------------------------------------------------------

def _validate_campaign(data: CampaignData, *, today: date) -> None:
    if not (data.name or "").strip():
        raise CampaignError(_l("Give the campaign a name."), field="name")
    if not (data.goal or "").strip():
        raise CampaignError(_l("State the campaign's goal: what will be different when it succeeds."), field="goal")
    _check_text(data.name, "name", MAX_NAME)
    _check_text(data.goal, "goal", MAX_GOAL)
    if data.start_date is None or data.end_date is None:
        raise CampaignError(_l("Give the campaign a start and an end date."), field="start_date")
    check_date(data.start_date, "start_date", today=today)
    check_date(data.end_date, "end_date", today=today)
    if data.end_date < data.start_date:
        raise CampaignError(_l("The campaign ends (%(end)s) before it starts (%(start)s); check the dates.",
                               end=data.end_date.isoformat(), start=data.start_date.isoformat()), field="end_date")
    if data.status not in {s.value for s in CampaignStatus}:
        raise CampaignError(_l("Choose a status from the list."), field="status")
    if data.owner_id is not None:
        owner = db.session.get(User, data.owner_id)
        if owner is None or not owner.is_active_account or owner.role not in OWNER_ROLES:
            raise CampaignError(_l("Choose an active manager or coordinator as the owner."), field="owner_id")
    if len(data.tags) > 20:
        raise CampaignError(_l("Use at most 20 tags."), field="tags")


def create_campaign(data: CampaignData, *, actor: Any, now: datetime, ip: str | None = None) -> Campaign:
    """Start a campaign (usually as a draft)."""
    _validate_campaign(data, today=now.date())
    campaign = Campaign(name=data.name.strip(), goal=data.goal.strip(), start_date=data.start_date,
                        end_date=data.end_date, status=data.status, owner_id=data.owner_id or actor.id,
                        created_by_id=actor.id, created_at=now, updated_at=now)
    campaign.tags = tags_for(data.tags)
    db.session.add(campaign)
    db.session.flush()
    record_event("campaign.create", actor=actor, now=now, record=campaign, ip=ip, status=campaign.status)
    return campaign


def update_campaign(campaign: Campaign, data: CampaignData, *, actor: Any, now: datetime,
                    ip: str | None = None) -> Campaign:
    """Change a campaign's name, goal, dates, status, owner or tags."""
    _validate_campaign(data, today=now.date())
    late = db.session.scalar(select(Objective.deadline).where(
        Objective.campaign_id == campaign.id, Objective.is_archived.is_(False),
        (Objective.deadline < data.start_date) | (Objective.deadline > data.end_date)).limit(1))
    if late is not None:
        raise CampaignError(_l("An objective's deadline (%(day)s) falls outside these dates; move it first.",
                               day=late.isoformat()), field="end_date")
    changed = []
    for name in ("name", "goal", "start_date", "end_date", "status", "owner_id"):
        value = getattr(data, name)
        value = value.strip() if isinstance(value, str) and name in ("name", "goal") else value
        if name == "owner_id" and value is None:
            continue
        if getattr(campaign, name) != value:
            setattr(campaign, name, value)
            changed.append(name)
    campaign.tags = tags_for(data.tags)
    campaign.updated_at = now
    db.session.flush()
    record_event("campaign.update", actor=actor, now=now, record=campaign, ip=ip, fields=changed)
    return campaign


def set_status(campaign: Campaign, status: str, *, actor: Any, now: datetime, ip: str | None = None) -> Campaign:
    """Activate, pause, close or reopen a campaign."""
    if status not in {s.value for s in CampaignStatus}:
        raise CampaignError(_l("Choose a status from the list."), field="status")
    if status == campaign.status:
        raise CampaignError(_l("The campaign is already in this status."), field="status", status=409)
    old, campaign.status, campaign.updated_at = campaign.status, status, now
    db.session.flush()
    record_event("campaign.status", actor=actor, now=now, record=campaign, ip=ip, from_status=old, to_status=status)
    return campaign


# --- objectives ------------------------------------------------------------------------------

def _validate_objective(campaign: Campaign, data: ObjectiveData, *, today: date) -> tuple[float, float]:
    if not (data.metric or "").strip():
        raise CampaignError(_l("Say what is measured, for example “Mandates with gender-provision language”."),
                            field="metric")
    _check_text(data.metric, "metric", MAX_NAME)
    _check_text(data.unit, "unit", 30)
    baseline = _check_number(data.baseline if data.baseline is not None else 0, "baseline")
    target = _check_number(data.target_value, "target_value")
    if target == baseline:
        raise CampaignError(_l("The target value equals the baseline: there is nothing to achieve."),
                            field="target_value")
    if data.deadline is None:
        raise CampaignError(_l("Give the objective a deadline."), field="deadline")
    check_date(data.deadline, "deadline", today=today)
    if data.deadline < campaign.start_date:
        raise CampaignError(_l("The deadline (%(day)s) is before the campaign starts (%(start)s).",
                               day=data.deadline.isoformat(), start=campaign.start_date.isoformat()), field="deadline")
    if data.deadline > campaign.end_date:
        raise CampaignError(_l("The deadline (%(day)s) is after the campaign ends (%(end)s).",
                               day=data.deadline.isoformat(), end=campaign.end_date.isoformat()), field="deadline")
    metric = objective_metric(data.source)
    if data.source not in {s.value for s in ObjectiveSource} and metric is None:
        raise CampaignError(_l("Choose where the current value comes from."), field="source")
    if metric is not None and clean_params(metric, data.source_params or {}) is None:
        raise CampaignError(_l("Choose each of “%(source)s”'s settings from its list.", source=metric.label),
                            field="source_params")
    if data.source == ObjectiveSource.MEETINGS_HELD.value and (
            data.organisation_id is None or db.session.get(Organisation, data.organisation_id) is None):
        raise CampaignError(_l("Choose the organisation whose meetings count."), field="organisation_id")
    return baseline, target


def _stored_params(data: ObjectiveData) -> str | None:
    metric = objective_metric(data.source)
    params = clean_params(metric, data.source_params or {}) if metric is not None else None
    return format_params(params) if params else None


def add_objective(campaign: Campaign, data: ObjectiveData, *, actor: Any, now: datetime,
                  ip: str | None = None) -> Objective:
    """Set a measurable objective: a metric from a baseline to a target value by a deadline."""
    baseline, target = _validate_objective(campaign, data, today=now.date())
    objective = Objective(campaign_id=campaign.id, metric=data.metric.strip(), unit=(data.unit or "").strip() or None,
                          baseline=baseline, target_value=target, deadline=data.deadline, source=data.source,
                          organisation_id=data.organisation_id if data.source == ObjectiveSource.MEETINGS_HELD.value
                          else None, source_params=_stored_params(data), created_at=now, updated_at=now)
    db.session.add(objective)
    db.session.flush()
    record_event("campaign_objective.create", actor=actor, now=now, record=objective, ip=ip,
                 campaign_id=campaign.id)
    return objective


def update_objective(objective: Objective, data: ObjectiveData, *, actor: Any, now: datetime,
                     ip: str | None = None) -> Objective:
    baseline, target = _validate_objective(objective.campaign, data, today=now.date())
    objective.metric, objective.unit = data.metric.strip(), (data.unit or "").strip() or None
    objective.baseline, objective.target_value, objective.deadline = baseline, target, data.deadline
    objective.source = data.source
    objective.organisation_id = data.organisation_id if data.source == ObjectiveSource.MEETINGS_HELD.value else None
    objective.source_params = _stored_params(data)
    objective.updated_at = now
    db.session.flush()
    record_event("campaign_objective.update", actor=actor, now=now, record=objective, ip=ip)
    return objective


def record_value(objective: Objective, value: Any, as_of: date | None, note: str | None, *, actor: Any,
                 now: datetime, ip: str | None = None) -> ObjectiveValue:
    """Enter a manual objective's current value, dated, with a note saying where it comes from."""
    if objective.is_derived:
        raise CampaignError(_l("This objective's value comes from the data; it cannot be typed in."), field="value",
                            status=409)
    number = _check_number(value, "value")
    if as_of is None:
        raise CampaignError(_l("Give the date the value was true."), field="as_of")
    check_date(as_of, "as_of", today=now.date())
    if as_of > now.date():
        raise CampaignError(_l("The value's date is in the future; enter what is true today or earlier."),
                            field="as_of")
    _check_text(note, "note", MAX_NOTE)
    row = ObjectiveValue(objective_id=objective.id, value=number, as_of=as_of, note=(note or "").strip() or None,
                         recorded_by_id=actor.id, recorded_at=now)
    db.session.add(row)
    objective.updated_at = now
    db.session.flush()
    record_event("campaign_objective.value", actor=actor, now=now, record=objective, ip=ip, as_of=as_of)
    return row


# --- targets ---------------------------------------------------------------------------------

def _partners(user_ids: Iterable[int]) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in user_ids))
    if not ids:
        return []
    found = set(db.session.scalars(select(User.id).where(User.id.in_(ids), User.is_active_account.is_(True),
                                                          User.role == Role.PARTNER.value)))
    if len(found) != len(ids):
        raise CampaignError(_l("Assign targets to active partners only; pick them from the list."), field="partners")
    return ids


def _open_for_work(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.CLOSED.value:
        raise CampaignError(_l("This campaign is closed; reopen it to change its targets."), status=409)


@dataclass
class AddResult:
    added: list[Target]
    already: int  #: asked for, but already targets of this campaign


def add_targets(campaign: Campaign, *, contact_ids: Iterable[int] = (), organisation_ids: Iterable[int] = (),
                partner_ids: Iterable[int] = (), priority: int = 2, actor: Any, now: datetime,
                ip: str | None = None, single: bool = False) -> AddResult:
    """Add contacts and organisations as targets at stage "identified", optionally assigned to partners.

    Those already targets of this campaign are left as they are (counted in the result); with *single*
    (adding one by hand) that is refused instead, with a message.
    """
    _open_for_work(campaign)
    contact_ids = list(dict.fromkeys(int(i) for i in contact_ids))
    organisation_ids = list(dict.fromkeys(int(i) for i in organisation_ids))
    if not contact_ids and not organisation_ids:
        raise CampaignError(_l("Tick at least one contact or organisation to add."), field="ids")
    if len(contact_ids) + len(organisation_ids) > MAX_BULK_TARGETS:
        raise CampaignError(_l("Add at most %(n)d targets at once; narrow the filters.", n=MAX_BULK_TARGETS),
                            field="ids")
    if priority not in PRIORITIES:
        raise CampaignError(_l("Choose a priority from the list."), field="priority")
    partners = _partners(partner_ids)
    found_contacts = set(db.session.scalars(select(Contact.id).where(
        Contact.id.in_(contact_ids), Contact.is_archived.is_(False)))) if contact_ids else set()
    found_orgs = set(db.session.scalars(select(Organisation.id).where(
        Organisation.id.in_(organisation_ids), Organisation.is_archived.is_(False)))) if organisation_ids else set()
    missing = len(contact_ids) - len(found_contacts) + len(organisation_ids) - len(found_orgs)
    if missing:
        raise CampaignError(_l("%(n)d of those no longer exist or are archived; reload the list and try again.",
                               n=missing), field="ids")
    have_contacts = set(db.session.scalars(select(Target.contact_id).where(
        Target.campaign_id == campaign.id, Target.contact_id.in_(contact_ids)))) if contact_ids else set()
    have_orgs = (
        set(
            db.session.scalars(
                select(Target.organisation_id).where(
                    Target.campaign_id == campaign.id, Target.organisation_id.in_(organisation_ids)
                )
            )
        )
        if organisation_ids
        else set()
    )
    already = len(have_contacts) + len(have_orgs)
    if single and already:
        raise CampaignError(_l("This is already a target of the campaign."), field="ids", status=409)
    targets = ([Target(campaign_id=campaign.id, contact_id=cid) for cid in contact_ids if cid not in have_contacts]
               + [Target(campaign_id=campaign.id, organisation_id=oid) for oid in organisation_ids
                  if oid not in have_orgs])
    for target in targets:
        target.stage, target.priority, target.stage_changed_at = Stage.IDENTIFIED.value, priority, now
        target.created_by_id, target.created_at, target.updated_at = actor.id, now, now
    db.session.add_all(targets)
    db.session.flush()
    if targets:
        db.session.execute(insert(StageChange), [
            {"target_id": t.id, "campaign_id": campaign.id, "from_stage": None, "to_stage": Stage.IDENTIFIED.value,
             "source": "manual", "changed_at": now, "changed_by_id": actor.id} for t in targets])
        if partners:
            db.session.execute(insert(TargetAssignment), [
                {"target_id": t.id, "user_id": uid, "assigned_at": now, "assigned_by_id": actor.id}
                for t in targets for uid in partners])
    record_event("campaign_target.add", actor=actor, now=now, record=campaign, ip=ip, added=len(targets),
                 already=already, partners=len(partners))
    return AddResult(targets, already)


def reason_needed(from_stage: str, to_stage: str) -> bool:
    """A move needs a reason unless it is the next step forward along the pipeline."""
    if to_stage == Stage.DROPPED.value or from_stage == Stage.DROPPED.value:
        return True
    return STAGE_RANK[to_stage] != STAGE_RANK[from_stage] + 1


def move_target(target: Target, to_stage: str, *, reason: str | None = None, actor: Any, now: datetime,
                ip: str | None = None, expected_updated_at: datetime | None = None) -> StageChange:
    """Set a target's stage by hand; skipping ahead, going back, dropping and reviving need a reason.

    With *expected_updated_at* (the version the page was opened on), a move someone else's change came
    before is refused with StaleTarget.
    """
    _open_for_work(target.campaign)
    _claim(target, expected_updated_at, now)
    if to_stage not in {s.value for s in Stage}:
        raise CampaignError(_l("Choose a stage from the list."), field="stage")
    if to_stage == target.stage:
        raise CampaignError(_l("The target is already at this stage."), field="stage", status=409)
    reason = (reason or "").strip() or None
    _check_text(reason, "reason", MAX_REASON)
    if reason is None and reason_needed(target.stage, to_stage):
        message = (_l("Say why this target is dropped.") if to_stage == Stage.DROPPED.value else
                   _l("Moving from “%(from)s” to “%(to)s” skips or reverses the pipeline: give a reason.",
                      **{"from": target.stage, "to": to_stage}))
        raise CampaignError(message, field="reason")
    return _record_move(target, to_stage, reason=reason, source="manual", source_id=None, actor=actor, now=now, ip=ip)


def _record_move(target: Target, to_stage: str, *, reason: str | None, source: str, source_id: int | None,
                 actor: Any, now: datetime, ip: str | None = None) -> StageChange:
    change = StageChange(target_id=target.id, campaign_id=target.campaign_id, from_stage=target.stage,
                         to_stage=to_stage, reason=reason, source=source, source_id=source_id, changed_at=now,
                         changed_by_id=getattr(actor, "id", None))
    target.stage, target.stage_changed_at, target.updated_at = to_stage, now, now
    target.drop_reason = reason if to_stage == Stage.DROPPED.value else None
    db.session.add(change)
    db.session.flush()
    record_event("campaign_target.stage", actor=actor, now=now, record=target, ip=ip, from_stage=change.from_stage,
                 to_stage=to_stage, source=source)
    return change


def advance_from_data(targets: Iterable[Target], to_stage: str, *, source: str, source_id: int, reason: str,
                      actor: Any, now: datetime) -> list[StageChange]:
    """Move targets forward to *to_stage* because of a meeting or a commitment; never back, never a dropped one."""
    moved = []
    for target in targets:
        if target.stage == Stage.DROPPED.value or STAGE_RANK[target.stage] >= STAGE_RANK[to_stage]:
            continue
        moved.append(_record_move(target, to_stage, reason=reason, source=source, source_id=source_id, actor=actor,
                                  now=now))
    return moved


def update_target(target: Target, *, next_step: str | None, next_step_due: date | None,
                  priority: int | None = None, partner_ids: Iterable[int] | None = None, actor: Any,
                  now: datetime, ip: str | None = None, expected_updated_at: datetime | None = None) -> Target:
    """Set a target's next step (partners, for their own targets), and its priority and partners (staff).

    With *expected_updated_at*, a save someone else's change came before is refused with StaleTarget; the
    audit entry names the fields that changed.
    """
    _open_for_work(target.campaign)
    _claim(target, expected_updated_at, now)
    before = (target.next_step, target.next_step_due, target.priority, sorted(target.partner_ids))
    _check_text(next_step, "next_step", MAX_NEXT_STEP)
    check_date(next_step_due, "next_step_due", today=now.date())
    target.next_step = (next_step or "").strip() or None
    target.next_step_due = next_step_due if target.next_step else None
    staff = has_capability(actor, Capability.MANAGE_CAMPAIGN_TARGETS)
    if priority is not None and staff:
        if priority not in PRIORITIES:
            raise CampaignError(_l("Choose a priority from the list."), field="priority")
        target.priority = priority
    if partner_ids is not None and staff:
        wanted = _partners(partner_ids)
        current = {a.user_id: a for a in target.assignments}
        target.assignments = [current.get(uid) or TargetAssignment(user_id=uid, assigned_at=now,
                                                                   assigned_by_id=actor.id) for uid in wanted]
    target.updated_at = now
    db.session.flush()
    after = (target.next_step, target.next_step_due, target.priority, sorted(a.user_id for a in target.assignments))
    fields = ("next_step", "next_step_due", "priority", "partners")
    changed = [name for name, old, new in zip(fields, before, after, strict=True)
               if old != new]
    record_event("campaign_target.update", actor=actor, now=now, record=target, ip=ip, changed=changed)
    return target


def complete_next_step(target: Target, *, actor: Any, now: datetime, ip: str | None = None) -> Target:
    """Mark the target's next step done: it goes into the history, and the field is cleared for the next one."""
    _open_for_work(target.campaign)
    if not target.next_step:
        raise CampaignError(_l("This target has no next step to mark done."), status=409)
    record_event("campaign_target.step_done", actor=actor, now=now, record=target, ip=ip)
    db.session.add(StageChange(target_id=target.id, campaign_id=target.campaign_id, from_stage=target.stage,
                               to_stage=target.stage, reason=f"Done: {target.next_step}"[:MAX_REASON], source="step",
                               changed_at=now, changed_by_id=actor.id))
    target.next_step, target.next_step_due, target.updated_at = None, None, now
    db.session.flush()
    return target

