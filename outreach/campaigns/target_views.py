"""Target pages: the table, the board, adding targets from the directory, one target, moves, "My targets"."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.campaigns import bp, queries, services
from outreach.campaigns.access import can_manage_targets, can_move_target, get_campaign_or_404, get_target_or_404
from outreach.campaigns.forms import (DirectoryContactFilter, DirectoryOrganisationFilter, MoveForm, TargetFilterForm,
                                      TargetForm)
from outreach.campaigns.models import Target
from outreach.contacts.models import Contact, Organisation
from outreach.campaigns.views import LABELS
from outreach.contacts.queries import (contact_list_statement, organisation_list_statement, search_contact_ids,
                                      search_organisation_ids)
from outreach.core.db import db, parse_version_token
from outreach.core.forms import is_record_id
from outreach.core.pagination import offset_page, parse_page
from outreach.core.security import client_ip
from outreach.core.time import now_utc
from outreach.core.web import acting_user, is_htmx
from outreach.meetings.queries import user_names

PAGE_SIZE = 50
#: The directory list shows this many matches to tick; "all that match" adds up to services.MAX_BULK_TARGETS.
PICK_PAGE_SIZE = 100



def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if is_record_id(v)]


@bp.get("/campaigns/<int:campaign_id>/targets")
def targets(campaign_id: int):
    """The campaign's targets (a partner: her own) with filters, sorting and pages."""
    me = acting_user()
    campaign = get_campaign_or_404(campaign_id, me)
    form = TargetFilterForm(request.args)
    args = {"campaign": campaign, "form": form, "can_targets": can_manage_targets(me),
            "partner_name": user_names([form.partner.data]).get(form.partner.data) if form.partner.data else None}
    if not form.validate():
        return render_template("campaigns/targets.html", page=None, **args, **LABELS), 400
    stmt = queries.load_targets(queries.targets_statement(campaign, me, form.data))
    page = offset_page(stmt, number=parse_page(request.args.get("page")), size=PAGE_SIZE)
    return render_template("campaigns/targets.html", page=page, **args, **LABELS)


@bp.get("/campaigns/<int:campaign_id>/board")
def board(campaign_id: int):
    """The pipeline as columns by stage; cards move with buttons (htmx), by keyboard as well."""
    me = acting_user()
    campaign = get_campaign_or_404(campaign_id, me)
    columns = queries.board(campaign, me)
    counts = queries.stage_counts(campaign, me)
    return render_template("campaigns/board.html", campaign=campaign, columns=columns, counts=counts,
                           column_size=queries.BOARD_COLUMN, can_move=lambda t: can_move_target(me, t), **LABELS)


@bp.route("/campaigns/<int:campaign_id>/targets/add", methods=["GET", "POST"])
def add_targets(campaign_id: int):
    """Add targets from a filtered directory list: tick some, or take everything that matches."""
    me = acting_user()
    campaign = get_campaign_or_404(campaign_id, me, need="targets")
    kind = "organisation" if (request.values.get("kind") == "organisation") else "contact"
    filters = (DirectoryOrganisationFilter if kind == "organisation" else DirectoryContactFilter)(request.args)
    now = now_utc()
    if request.method == "POST":
        return _add(campaign, kind, filters, now)
    if not filters.validate():
        return _pick_page(campaign, kind, filters, None), 400
    return _pick_page(campaign, kind, filters, _matches(kind, filters, now, limit=PICK_PAGE_SIZE))


def _matches(kind: str, filters: Any, now: Any, *, limit: int) -> list[Any]:
    """Directory records matching the filters, in the directory's order (ranked when searching)."""
    data = {k: v for k, v in filters.data.items() if k != "archived"}
    if kind == "organisation":
        stmt = organisation_list_statement(data)
        model, finder = Organisation, search_organisation_ids
        order = (Organisation.name, Organisation.id)
    else:
        # The list shows each contact's current post: her positions come in one go, not one query a row.
        stmt = contact_list_statement(data, now=now).options(selectinload(Contact.positions))
        model, finder = Contact, search_contact_ids
        order = (Contact.last_name, Contact.first_name, Contact.id)
    if filters.q.data:
        found = finder(filters.q.data, user=acting_user(), limit=min(limit, 500))
        rank = {rid: i for i, rid in enumerate(found)}
        return sorted(db.session.scalars(stmt.where(model.id.in_(rank))).all(), key=lambda r: rank[r.id])
    return list(db.session.scalars(stmt.order_by(*order).limit(limit)))


def _pick_page(campaign: Any, kind: str, filters: Any, rows: list[Any] | None, *, error: Any = None):  # type: ignore[no-untyped-def]
    ids = [r.id for r in rows or []]
    column = Target.organisation_id if kind == "organisation" else Target.contact_id
    already = set(db.session.scalars(select(column).where(Target.campaign_id == campaign.id,
                                                          column.in_(ids)))) if ids else set()
    return render_template("campaigns/add_targets.html", campaign=campaign, kind=kind, filters=filters, rows=rows,
                           already=already, limit=PICK_PAGE_SIZE, max_bulk=services.MAX_BULK_TARGETS, error=error,
                           partners=queries.partner_choices(), **LABELS)


def _add(campaign: Any, kind: str, filters: Any, now: Any):  # type: ignore[no-untyped-def]
    form = request.form
    try:
        priority = int(form.get("priority") or 2)
    except ValueError:
        priority = 0
    if form.get("scope") == "all":
        # Everything the filters match (the filters travel as query arguments), up to the bulk limit.
        if not filters.validate():
            return _pick_page(campaign, kind, filters, None), 400
        ids = [r.id for r in _matches(kind, filters, now, limit=services.MAX_BULK_TARGETS + 1)]
    else:
        ids = _ids(form.getlist("ids"))
    partners = _ids(form.getlist("partners"))
    try:
        result = services.add_targets(campaign, contact_ids=ids if kind == "contact" else (),
                                      organisation_ids=ids if kind == "organisation" else (), partner_ids=partners,
                                      priority=priority, actor=acting_user(), now=now, ip=client_ip(),
                                      single=form.get("single") == "1")
    except services.CampaignError as exc:
        db.session.rollback()
        filters.validate()
        return _pick_page(campaign, kind, filters, _matches(kind, filters, now, limit=PICK_PAGE_SIZE),
                          error=exc.message), exc.status
    db.session.commit()
    message = _("%(n)d targets added.", n=len(result.added)) if len(result.added) != 1 else _("1 target added.")
    if result.already:
        message += " " + _("%(n)d were already targets and were left as they are.", n=result.already)
    flash(message, "success")
    return redirect(url_for("campaigns.add_targets", campaign_id=campaign.id, kind=kind,
                            **{k: v for k, v in request.args.items() if k != "kind"})), 303


def _target_page(target: Target, *, move_form: MoveForm | None = None, target_form: TargetForm | None = None,
                 chosen_partners: list[int] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    me = acting_user()
    move_form = move_form or MoveForm()
    if target_form is None:
        target_form = TargetForm(next_step=target.next_step, next_step_due=target.next_step_due,
                                 priority=str(target.priority))
    # Both forms carry the version shown, so a save made on it after someone else's is refused (409).
    move_form.loaded_at.data = target_form.loaded_at.data = target.version
    return render_template("campaigns/target.html", target=target, campaign=target.campaign, move_form=move_form,
                           target_form=target_form, can_move=can_move_target(me, target),
                           can_targets=can_manage_targets(me), partners=queries.partner_choices()
                           if can_manage_targets(me) else [], post=queries.current_post(target.contact),
                           chosen_partners=target.partner_ids if chosen_partners is None else chosen_partners,
                           **LABELS), status


@bp.get("/campaigns/targets/<int:target_id>")
def target(target_id: int):
    """One target: stage and its dated history, partners, next step."""
    return _target_page(get_target_or_404(target_id, acting_user()))


@bp.post("/campaigns/targets/<int:target_id>/stage")
def move_target(target_id: int):
    """Move a target to another stage (a reason when skipping, going back or dropping)."""
    me = acting_user()
    item = get_target_or_404(target_id, me, need="move")
    form = MoveForm()
    on_board = form.view.data == "board"
    from_stage = item.stage
    error = None
    if not form.validate_on_submit():
        error, status = (form.stage.errors or form.reason.errors or [_("Choose a stage from the list.")])[0], 422
    else:
        try:
            services.move_target(item, form.stage.data, reason=form.reason.data, actor=me, now=now_utc(),
                                 ip=client_ip(), expected_updated_at=parse_version_token(form.loaded_at.data))
        except services.CampaignError as exc:
            db.session.rollback()
            item = get_target_or_404(target_id, me, need="move")
            error, status = exc.message, exc.status
        else:
            db.session.commit()
            status = 200
    if on_board and is_htmx():
        # The board moves the card to its new column with both counts, or shows the refusal on the card (htmx
        # swaps only 2xx answers, so the refusal travels as content).
        return render_template("campaigns/_moved.html", t=item, error=error, moved=error is None,
                               from_stage=from_stage, counts=queries.stage_counts(item.campaign, me), **LABELS)
    if error is not None:
        form.form_errors.append(error)
        return _target_page(item, move_form=form, status=status)
    flash(_("Moved to “%(stage)s”.", stage=LABELS["stages"][item.stage]), "success")
    back = url_for("campaigns.board", campaign_id=item.campaign_id) if on_board else url_for(
        "campaigns.target", target_id=item.id)
    return redirect(back), 303


@bp.post("/campaigns/targets/<int:target_id>")
def update_target(target_id: int):
    """Set the next step (partners: their own targets); priority and partners (coordinators)."""
    me = acting_user()
    item = get_target_or_404(target_id, me, need="move")
    form = TargetForm()
    if not form.validate_on_submit():
        return _target_page(item, target_form=form, status=422)
    staff = can_manage_targets(me)
    try:
        services.update_target(item, next_step=form.next_step.data, next_step_due=form.next_step_due.data,
                               priority=int(form.priority.data) if staff and form.priority.data.isdigit() else None,
                               partner_ids=_ids(request.form.getlist("partners")) if staff else None,
                               actor=me, now=now_utc(), ip=client_ip(),
                               expected_updated_at=parse_version_token(form.loaded_at.data))
    except services.CampaignError as exc:
        db.session.rollback()
        item = get_target_or_404(target_id, me, need="move")
        target_form = TargetForm()  # what she typed stays in the form
        if exc.field is None:
            target_form.form_errors.append(exc.message)
        else:
            getattr(target_form, exc.field, target_form.next_step).errors = [exc.message]
        return _target_page(item, target_form=target_form, status=exc.status,
                            chosen_partners=_ids(request.form.getlist("partners")) if staff else None)
    db.session.commit()
    flash(_("Target saved."), "success")
    return redirect(url_for("campaigns.target", target_id=item.id)), 303


@bp.post("/campaigns/targets/<int:target_id>/step-done")
def step_done(target_id: int):
    """Mark the target's next step done (one tap from "My targets")."""
    me = acting_user()
    item = get_target_or_404(target_id, me, need="move")
    try:
        services.complete_next_step(item, actor=me, now=now_utc(), ip=client_ip())
    except services.CampaignError as exc:
        db.session.rollback()
        flash(str(exc.message), "warning")
    else:
        db.session.commit()
        flash(_("Done. What is the next step with %(name)s?", name=item.name), "success")
    back = request.form.get("back")
    if back == "mine":
        return redirect(url_for("campaigns.my_targets")), 303
    return redirect(url_for("campaigns.target", target_id=target_id)), 303


@bp.get("/my-targets")
def my_targets():
    """Every target assigned to me across active campaigns, what needs me first."""
    now = now_utc()
    rows = queries.my_targets(acting_user(), now)
    number = parse_page(request.args.get("page"))
    shown = rows[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]
    return render_template("campaigns/my_targets.html", rows=shown, total=len(rows), number=number,
                           has_next=len(rows) > number * PAGE_SIZE, now=now, **LABELS)
