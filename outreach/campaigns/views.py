"""Campaign pages: the list, one campaign, creating and editing it, its objectives and their values.

Targets, the board and "My targets" are in target_views.py; dashboards and exports in report_views.py.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.campaigns import bp, queries, services
from outreach.campaigns.access import (can_manage_campaign, can_manage_targets, get_campaign_or_404,
                                       get_objective_or_404, visible_campaigns)
from outreach.campaigns.forms import (OBJECTIVE_STATUS_LABELS, PRIORITY_LABELS, SOURCE_LABELS, STAGE_LABELS,
                                      STATUS_LABELS, CampaignForm, ObjectiveForm, SourceLabels, StatusForm, ValueForm,
                                      source_choices)
from outreach.campaigns.models import PIPELINE, Campaign, CampaignStatus, Objective
from outreach.contacts.models import Organisation
from outreach.contacts.reference import split_list
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.forms import choices
from outreach.core.home import build_panels
from outreach.core.metrics import MetricParameter, ObjectiveMetric, objective_metric, objective_metrics, parse_params
from outreach.core.security import client_ip
from outreach.core.time import now_utc
from outreach.core.web import acting_user, show_error
from outreach.campaigns.services import OWNER_ROLES

LABELS = {"stages": STAGE_LABELS, "statuses": STATUS_LABELS, "priorities": PRIORITY_LABELS,
          "sources": SourceLabels(SOURCE_LABELS), "objective_statuses": OBJECTIVE_STATUS_LABELS,
          "pipeline": list(PIPELINE)}



def submit(form: Any, template: str, context: dict[str, Any], save: Callable[[], Any], done: str,
           then: Callable[[Any], str]) -> Any:
    """The POST half of a form page: validate, run the service, commit, say so and go on; or show why not (4xx)."""
    if not form.validate_on_submit():
        return render_template(template, form=form, **context), 422
    try:
        record = save()
    except services.CampaignError as exc:
        db.session.rollback()
        status = show_error(form, exc)
        return render_template(template, form=form, **context), status
    db.session.commit()
    flash(done, "success")
    return redirect(then(record))


@bp.get("/campaigns")
def index():
    """Campaigns the user may see: running ones first, then drafts, then closed."""
    shown = request.args.get("status") or ""
    stmt = select(Campaign).where(visible_campaigns(acting_user())).options(selectinload(Campaign.owner),
                                                                     selectinload(Campaign.tags))
    if shown in STATUS_LABELS:
        stmt = stmt.where(Campaign.status == shown)
    order = {CampaignStatus.ACTIVE.value: 0, CampaignStatus.PAUSED.value: 1, CampaignStatus.DRAFT.value: 2,
             CampaignStatus.CLOSED.value: 3}
    campaigns = sorted(db.session.scalars(stmt.order_by(Campaign.end_date.desc(), Campaign.id).limit(500)).all(),
                       key=lambda c: order.get(c.status, 9))
    counts = dict((c.id, n) for c, n in queries.campaigns_overview(acting_user(), [s for s in STATUS_LABELS]))
    return render_template("campaigns/list.html", campaigns=campaigns, counts=counts, shown=shown,
                           can_create=can_manage_campaign(acting_user()), **LABELS)


def _owner_choices(form: CampaignForm) -> None:
    owners = db.session.execute(select(User.id, User.name).where(
        User.role.in_(OWNER_ROLES), User.is_active_account.is_(True)).order_by(User.name).limit(500)).all()
    form.owner_id.choices = choices([(str(i), n) for i, n in owners])


def _campaign_data(form: CampaignForm) -> services.CampaignData:
    return services.CampaignData(name=form.name.data or "", goal=form.goal.data or "", start_date=form.start_date.data,
                                 end_date=form.end_date.data, status=form.status.data,
                                 owner_id=int(form.owner_id.data) if form.owner_id.data else None,
                                 tags=split_list(form.tags.data))


@bp.route("/campaigns/new", methods=["GET", "POST"])
def new():
    """Start a campaign: name, goal, dates, status, owner, tags."""
    form = CampaignForm()
    _owner_choices(form)
    if request.method == "GET":
        form.owner_id.data = str(current_user.id)
        return render_template("campaigns/form.html", form=form, campaign=None)
    return submit(
        form,
        "campaigns/form.html",
        {"campaign": None},
        lambda: services.create_campaign(_campaign_data(form), actor=acting_user(), now=now_utc(), ip=client_ip()),
        _("Campaign created. Now set its objectives and add its targets."),
        lambda campaign: url_for("campaigns.show", campaign_id=campaign.id),
    )


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit(campaign_id: int):
    """Change a campaign's name, goal, dates, status, owner or tags."""
    campaign = get_campaign_or_404(campaign_id, acting_user(), need="manage")
    form = CampaignForm(obj=campaign) if request.method == "GET" else CampaignForm()
    _owner_choices(form)
    if request.method == "GET":
        form.owner_id.data = str(campaign.owner_id or "")
        form.tags.data = ", ".join(t.name for t in campaign.tags)
        return render_template("campaigns/form.html", form=form, campaign=campaign)
    return submit(form, "campaigns/form.html", {"campaign": campaign},
                  lambda: services.update_campaign(campaign, _campaign_data(form), actor=acting_user(), now=now_utc(),
                                                   ip=client_ip()),
                  _("Campaign saved."), lambda _saved: url_for("campaigns.show", campaign_id=campaign_id))


@bp.post("/campaigns/<int:campaign_id>/status")
def set_status(campaign_id: int):
    """Activate, pause, close or reopen a campaign."""
    campaign = get_campaign_or_404(campaign_id, acting_user(), need="manage")
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Choose a status from the list."), "danger")
        return redirect(url_for("campaigns.show", campaign_id=campaign.id)), 303
    try:
        services.set_status(campaign, form.status.data, actor=acting_user(), now=now_utc(), ip=client_ip())
    except services.CampaignError as exc:
        db.session.rollback()
        flash(str(exc.message), "warning")
        return redirect(url_for("campaigns.show", campaign_id=campaign_id)), 303
    db.session.commit()
    flash(_("The campaign is now %(status)s.", status=str(STATUS_LABELS[campaign.status]).lower()), "success")
    return redirect(url_for("campaigns.show", campaign_id=campaign.id)), 303


@bp.get("/campaigns/<int:campaign_id>")
def show(campaign_id: int):
    """One campaign: goal, objectives with their trajectory, the pipeline at a glance."""
    me = acting_user()
    campaign = get_campaign_or_404(campaign_id, me)
    now = now_utc()
    progress = queries.objective_progress(campaign.objectives, today=now.date())
    counts = queries.stage_counts(campaign, me)
    return render_template("campaigns/show.html", campaign=campaign, progress=progress, counts=counts,
                           can_manage=can_manage_campaign(me), can_targets=can_manage_targets(me),
                           status_form=StatusForm(), now=now,
                           described=queries.source_descriptions(campaign.objectives),
                           calendar_panels=build_panels("scope.calendar", me, now, scope="campaign",
                                                        record_id=campaign.id), **LABELS)


# --- objectives ---------------------------------------------------------------------------------

def _organisation_choices(form: ObjectiveForm, selected: Any) -> None:
    # Top-level organisations and the chosen one: "meetings held" counts a whole subtree.
    rows = db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.is_archived.is_(False), Organisation.parent_id.is_(None)).order_by(Organisation.name)
        .limit(300)).all()
    pairs = [("", _("None"))] + [(str(i), n) for i, n in rows]
    if selected and str(selected) not in {p[0] for p in pairs}:
        org = db.session.get(Organisation, int(selected)) if str(selected).isdigit() and int(selected) < 2**31 else None
        if org is not None:
            pairs.append((str(org.id), org.name))
    form.organisation_id.choices = choices(pairs)


def _param_name(metric: ObjectiveMetric, parameter: MetricParameter) -> str:
    return f"param-{metric.key}-{parameter.name}"


def _metric_settings(objective: Objective | None) -> list[dict[str, Any]]:
    """The registered sources (core/metrics.py) with their parameters' choices and the values chosen so far."""
    chosen = parse_params(objective.source_params) if objective is not None and request.method == "GET" else {}
    out = []
    for metric in objective_metrics():
        params = []
        for parameter in metric.parameters:
            name = _param_name(metric, parameter)
            value = request.form.get(name) if request.method == "POST" else (
                chosen.get(parameter.name) if objective is not None and objective.source == metric.key else None)
            params.append({"name": name, "label": parameter.label, "choices": parameter.choices(), "value": value})
        out.append({"key": metric.key, "label": metric.label, "help": metric.help, "params": params})
    return out


def _objective_data(form: ObjectiveForm) -> services.ObjectiveData:
    metric = objective_metric(form.source.data)
    params = ({p.name: request.form.get(_param_name(metric, p)) for p in metric.parameters}
              if metric is not None else None)
    return services.ObjectiveData(metric=form.metric.data or "", unit=form.unit.data,
                                  baseline=form.baseline.data if form.baseline.data is not None else 0.0,
                                  target_value=form.target_value.data, deadline=form.deadline.data,
                                  source=form.source.data,
                                  organisation_id=int(form.organisation_id.data) if form.organisation_id.data else None,
                                  source_params=params)


@bp.route("/campaigns/<int:campaign_id>/objectives/new", methods=["GET", "POST"])
def new_objective(campaign_id: int):
    """Set a measurable objective: metric, baseline, target value, deadline, where its value comes from."""
    campaign = get_campaign_or_404(campaign_id, acting_user(), need="manage")
    form = ObjectiveForm()
    form.source.choices = source_choices()
    _organisation_choices(form, form.organisation_id.data)
    context = {"campaign": campaign, "objective": None, "metrics": _metric_settings(None)}
    if request.method == "GET":
        form.deadline.data = campaign.end_date
        return render_template("campaigns/objective_form.html", form=form, **context)
    return submit(form, "campaigns/objective_form.html", context,
                  lambda: services.add_objective(campaign, _objective_data(form), actor=acting_user(), now=now_utc(),
                                                 ip=client_ip()),
                  _("Objective set."), lambda objective: url_for("campaigns.objective", objective_id=objective.id))


@bp.route("/campaigns/objectives/<int:objective_id>/edit", methods=["GET", "POST"])
def edit_objective(objective_id: int):
    """Change an objective's metric, values or deadline."""
    objective = get_objective_or_404(objective_id, acting_user(), need="manage")
    form = ObjectiveForm(obj=objective) if request.method == "GET" else ObjectiveForm()
    if request.method == "GET":
        form.organisation_id.data = str(objective.organisation_id or "")
    form.source.choices = source_choices()
    _organisation_choices(form, form.organisation_id.data)
    context = {"campaign": objective.campaign, "objective": objective, "metrics": _metric_settings(objective)}
    if request.method == "GET":
        return render_template("campaigns/objective_form.html", form=form, **context)
    return submit(
        form,
        "campaigns/objective_form.html",
        context,
        lambda: services.update_objective(
            objective, _objective_data(form), actor=acting_user(), now=now_utc(), ip=client_ip()
        ),
        _("Objective saved."),
        lambda _saved: url_for("campaigns.objective", objective_id=objective_id),
    )


def _objective_page(objective: Objective, form: ValueForm, status: int = 200):  # type: ignore[no-untyped-def]
    from outreach.campaigns import charts

    now = now_utc()
    progress = queries.objective_progress([objective], today=now.date())[0]
    history = queries.objective_history(objective, today=now.date())
    chart = charts.trajectory_chart(objective, history, today=now.date(), start=objective.campaign.start_date)
    return render_template("campaigns/objective.html", objective=objective, campaign=objective.campaign,
                           progress=progress, history=history, chart=chart, form=form,
                           described=queries.source_descriptions([objective]),
                           can_manage=can_manage_campaign(acting_user()), **LABELS), status


@bp.get("/campaigns/objectives/<int:objective_id>")
def objective(objective_id: int):
    """One objective: where it stands, its trajectory, its history as a chart and a table."""
    obj = get_objective_or_404(objective_id, acting_user())
    form = ValueForm()
    form.as_of.data = now_utc().date()
    return _objective_page(obj, form)


@bp.post("/campaigns/objectives/<int:objective_id>/values")
def record_value(objective_id: int):
    """Enter a manual objective's current value with the date it was true and a note."""
    obj = get_objective_or_404(objective_id, acting_user(), need="manage")
    form = ValueForm()
    if not form.validate_on_submit():
        return _objective_page(obj, form, 422)
    try:
        services.record_value(obj, form.value.data, form.as_of.data, form.note.data, actor=acting_user(), now=now_utc(),
                              ip=client_ip())
    except services.CampaignError as exc:
        db.session.rollback()
        obj = get_objective_or_404(objective_id, acting_user(), need="manage")
        show_error(form, exc)
        return _objective_page(obj, form, exc.status)
    db.session.commit()
    flash(_("Value recorded."), "success")
    return redirect(url_for("campaigns.objective", objective_id=obj.id)), 303

