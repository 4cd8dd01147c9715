"""Dashboards for managers (one campaign, printable; all campaigns) and the CSV exports."""
from __future__ import annotations

from datetime import timedelta
from typing import Any
from collections.abc import Iterator

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.campaigns import bp, charts, queries
from outreach.campaigns.access import get_campaign_or_404
from outreach.campaigns.forms import TargetFilterForm
from outreach.campaigns.models import PIPELINE, CampaignStatus, Stage, Target, TargetAssignment
from outreach.campaigns.views import LABELS
from outreach.contacts.csv_io import write_csv
from outreach.contacts.models import Contact
from outreach.core.audit import record_event
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.security import client_ip
from outreach.core.time import now_utc
from outreach.core.web import acting_user, csv_response

OUTCOME_LABELS = {
    "kept": _l("Kept"),
    "partly_kept": _l("Partly kept"),
    "broken": _l("Broken"),
    "open": _l("Still open"),
}


def _funnel(counts: dict[str, int]) -> list[tuple[str, int, str]]:
    return [(str(LABELS["stages"][s]), counts.get(s, 0), charts.STAGE_COLOURS[s])
            for s in (*PIPELINE, Stage.DROPPED.value)]


@bp.get("/campaigns/<int:campaign_id>/report")
def report(campaign_id: int):
    """One campaign's dashboard: objectives, funnel, meetings per month, commitments, partners. Prints well."""
    me = acting_user()
    campaign = get_campaign_or_404(campaign_id, me)
    now = now_utc()
    outcomes = queries.commitment_outcomes(campaign)
    # The kept ones are the "commitments kept" objectives' count: the campaign's commitments are read once.
    progress = queries.objective_progress(campaign.objectives, today=now.date(), kept={campaign.id: outcomes["kept"]})
    counts = queries.stage_counts(campaign, me)
    months = queries.meetings_per_month(campaign, today=now.date())
    outcome_parts = [
        (str(OUTCOME_LABELS[k]), outcomes[k], charts.OUTCOME_COLOURS[k]) for k in queries.COMMITMENT_BUCKETS
    ]
    return render_template(
        "campaigns/report.html", campaign=campaign, progress=progress, counts=counts, months=months,
        outcomes=outcomes, outcome_labels=OUTCOME_LABELS, activity=queries.partner_activity(campaign, now), now=now,
        funnel_chart=charts.bars(_funnel(counts), title=_("Targets by stage")),
        months_chart=charts.columns([(m[2:], n) for m, n in months], title=_("Meetings held per month")),
        outcomes_chart=charts.stacked(outcome_parts, title=_("Commitments by outcome")), **LABELS)


@bp.get("/campaigns/dashboard")
def dashboard():
    """Every running campaign side by side: pipeline, objectives' states, recent movement."""
    me = acting_user()
    now = now_utc()
    rows = queries.campaigns_overview(me, (CampaignStatus.ACTIVE.value, CampaignStatus.PAUSED.value))
    objectives = [o for c, _counts in rows for o in c.objectives]
    progress = queries.objective_progress(objectives, today=now.date())
    states: dict[int, dict[str, int]] = {c.id: {"on_track": 0, "at_risk": 0, "off_track": 0} for c, _n in rows}
    for p in progress:
        states[p.objective.campaign_id][p.status] += 1
    moves = queries.moves_since([c.id for c, _n in rows], now - timedelta(days=30))
    totals = {s.value: sum(n[s.value] for _c, n in rows) for s in Stage}
    pipelines = {c.id: charts.stacked(_funnel(n), title=_("%(name)s: targets by stage", name=c.name), height=14)
                 for c, n in rows}
    return render_template(
        "campaigns/dashboard.html",
        rows=rows,
        states=states,
        moves=moves,
        totals=totals,
        pipelines=pipelines,
        funnel_chart=charts.bars(_funnel(totals), title=_("All targets by stage")),
        progress=progress,
        now=now,
        **LABELS,
    )



TARGET_COLUMNS = ["target", "kind", "title", "country", "stage", "since", "priority", "partners", "next_step",
                  "next_step_due", "drop_reason", "last_touch"]


def _target_rows(campaign: Any, stmt: Any) -> Iterator[list[Any]]:
    partners: dict[int, list[str]] = {}
    for target_id, name in db.session.execute(
            select(TargetAssignment.target_id, User.name).join(User, User.id == TargetAssignment.user_id)
            .join(Target, Target.id == TargetAssignment.target_id).where(Target.campaign_id == campaign.id)
            .order_by(User.name)):
        partners.setdefault(target_id, []).append(name)
    stmt = stmt.options(selectinload(Target.contact).selectinload(Contact.positions), selectinload(Target.organisation))
    for t in db.session.scalars(stmt.execution_options(yield_per=500)):
        yield [t.name, "contact" if t.contact_id else "organisation", queries.current_post(t.contact) or "",
               (t.contact.country if t.contact else t.organisation.country) or "", t.stage,
               t.stage_changed_at.date().isoformat(), {1: "high", 2: "medium", 3: "low"}[t.priority],
               "; ".join(partners.get(t.id, [])), t.next_step or "",
               t.next_step_due.isoformat() if t.next_step_due else "", t.drop_reason or "",
               t.contact.last_touch_at.date().isoformat() if t.contact and t.contact.last_touch_at else ""]


@bp.post("/campaigns/<int:campaign_id>/targets.csv")
def export_targets(campaign_id: int):
    """Download the campaign's targets (as filtered) as CSV; audited."""
    me = acting_user()
    campaign = get_campaign_or_404(campaign_id, me)
    form = TargetFilterForm(request.form)
    if not form.validate():
        flash(_("The filters are not valid; nothing was exported."), "danger")
        return redirect(url_for("campaigns.targets", campaign_id=campaign.id)), 303
    now = now_utc()
    stmt = queries.targets_statement(campaign, me, form.data)
    record_event("campaign.export_targets", actor=me, now=now, record=campaign, ip=client_ip(),
                 filters={k: v for k, v in form.data.items() if v})
    db.session.commit()
    return csv_response(write_csv(TARGET_COLUMNS, _target_rows(campaign, stmt)),
                         f"campaign-{campaign.id}-targets-{now:%Y%m%d-%H%M}.csv")


OBJECTIVE_COLUMNS = ["metric", "unit", "baseline", "target", "deadline", "source", "current", "as_of", "status",
                     "achieved", "expected_today"]


@bp.post("/campaigns/<int:campaign_id>/objectives.csv")
def export_objectives(campaign_id: int):
    """Download the campaign's objectives with their current values and states as CSV; audited."""
    me = acting_user()
    campaign = get_campaign_or_404(campaign_id, me)
    now = now_utc()
    progress = queries.objective_progress(campaign.objectives, today=now.date())
    record_event("campaign.export_objectives", actor=me, now=now, record=campaign, ip=client_ip())
    db.session.commit()
    rows = ([p.objective.metric, p.objective.unit or "", p.objective.baseline, p.objective.target_value,
             p.objective.deadline.isoformat(), p.objective.source, round(p.current, 2),
             p.as_of.isoformat() if p.as_of else "", p.status, "yes" if p.achieved else "no", round(p.expected, 2)]
            for p in progress)
    return csv_response(write_csv(OBJECTIVE_COLUMNS, rows), f"campaign-{campaign.id}-objectives-{now:%Y%m%d}.csv")
