"""Commitment and follow-up pages: the register, scorecards, status changes, my follow-ups."""
from __future__ import annotations

from datetime import time
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from outreach.contacts.csv_io import write_csv
from outreach.core.audit import record_event
from outreach.core.db import db
from outreach.core.forms import search_text
from outreach.core.home import build_panels
from outreach.core.pagination import parse_page
from outreach.core.permissions import may_access
from outreach.core.security import client_ip, safe_next
from outreach.core.time import local_to_utc, now_utc
from outreach.core.web import acting_user, csv_response, show_error
from outreach.meetings import commitment_queries, commitments_bp, follow_ups_bp, queries, services
from outreach.meetings.access import can_change_commitment, get_commitment_or_404, get_follow_up_or_404
from outreach.meetings.forms import CommitmentFilterForm, CommitmentStatusForm, FollowUpForm, SnoozeForm
from outreach.meetings.models import FollowUp
from outreach.meetings.views import LABELS

def _register_form(formdata: Any) -> CommitmentFilterForm:
    # A register opened without filters (even on a later page) shows the defaults: "include its offices" ticked.
    blank = not any(name in formdata for name in CommitmentFilterForm.FIELDS)
    form = CommitmentFilterForm(None if blank else formdata)
    form.validate()
    return form


def _register_page(form: CommitmentFilterForm, status: int = 200, **context: Any) -> Any:
    """The register page around *form*, with the names of what the pickers hold."""
    chosen = commitment_queries.register_choices(form.contact.data, form.organisation.data, form.accountable.data)
    return render_template("meetings/commitments.html", form=form, chosen=chosen,
                           can_export=may_access(current_user, "commitments.export"), **context, **LABELS), status


@commitments_bp.get("/commitments", endpoint="index")
def commitments_register():
    """The commitments register: overdue first, filtered by status, category, target, organisation (with its
    offices), accountable partner and due range; the filters live in the URL."""
    form = _register_form(request.args)
    if form.errors:
        return _register_page(form, 400, rows=None)
    number = parse_page(request.args.get("page"))
    rows, has_next = commitment_queries.commitments_register(acting_user(), form.filters(), today=now_utc().date(),
                                                             page=number)
    return _register_page(form, rows=rows, number=number, has_next=has_next)


@commitments_bp.post("/commitments/export", endpoint="export")
def export_register():
    """Download the filtered register as CSV, formula-safe (audited)."""
    form = _register_form(request.form)
    if form.errors:
        flash(_("The filters are not valid; nothing was exported."), "danger")
        return redirect(url_for("commitments.index")), 303
    now = now_utc()
    filters = form.filters()
    record_event("commitment.export", actor=acting_user(), now=now, record_type="commitments", ip=client_ip(),
                 filters={k: str(v) for k, v in filters.items()})
    db.session.commit()
    batches = commitment_queries.register_export_batches(acting_user(), filters)
    return csv_response(write_csv(REGISTER_COLUMNS, register_rows(batches)), f"commitments-{now:%Y%m%d-%H%M}.csv")


REGISTER_COLUMNS = ["id", "promise", "target", "organisation", "category", "indicator", "target value", "due date",
                    "status", "status since", "accountable partner", "meeting", "meeting date", "evidence"]


def register_rows(batches: Any) -> Any:
    """One CSV row per commitment, in words (labels, names), as the register shows them."""
    for batch in batches:
        for c in batch:
            yield [c.id, c.description, c.contact.full_name if c.contact else "",
                   c.organisation.name if c.organisation else "", LABELS["categories"].get(c.category, c.category),
                   c.indicator, c.target_value, c.due_date.isoformat() if c.due_date else "",
                   LABELS["commitment_statuses"].get(c.status, c.status), c.status_changed_at.date().isoformat(),
                   c.accountable.name if c.accountable else "", c.meeting.title if c.meeting else "",
                   c.meeting.start_at.date().isoformat() if c.meeting else "", " ".join(c.evidence_links)]


@commitments_bp.get("/commitments/targets", endpoint="target_search")
def target_search():
    """The register's target picker (htmx): contacts found by the directory's search."""
    q = search_text(request.args.get("q"), limit=60)
    contacts = queries.search_targets(acting_user(), q) if q else []
    posts = {c.id: queries.current_post(c) for c in contacts}  # positions come loaded with the search
    return render_template("meetings/_target_results.html", contacts=contacts, posts=posts, q=q,
                           picker=request.args.get("picker") or "")


@commitments_bp.get("/commitments/<int:commitment_id>", endpoint="show")
def show_commitment(commitment_id: int):
    """One commitment with its status history."""
    item = get_commitment_or_404(commitment_id, acting_user())
    form = CommitmentStatusForm(status=item.status, seen_status=item.status)
    return _commitment_page(item, form, _follow_up_form(), can_change=can_change_commitment(acting_user(), item))


def _follow_up_form(form: FollowUpForm | None = None) -> FollowUpForm:
    form = form or FollowUpForm(assignee_id=str(current_user.id))
    form.people = queries.user_names([form.assignee_id.data])  # type: ignore[attr-defined]  # the picker's label
    return form


def _commitment_page(item: Any, form: CommitmentStatusForm, follow_up_form: FollowUpForm, *, can_change: bool,
                     status: int = 200):  # type: ignore[no-untyped-def]
    chasers = db.session.scalars(select(FollowUp).where(FollowUp.commitment_id == item.id)
                                 .order_by(FollowUp.due_at.desc()).limit(20)).all()
    now = now_utc()
    return render_template("meetings/commitment.html", c=item, form=form, follow_up_form=follow_up_form,
                           follow_ups=chasers, can_change=can_change, now=now,
                           panels=build_panels("commitment.detail", current_user._get_current_object(), now,
                                               commitment=item), **LABELS), status


@commitments_bp.post("/commitments/<int:commitment_id>/follow-ups", endpoint="add_follow_up")
def commitment_follow_up(commitment_id: int):
    """Add a follow-up to chase a commitment."""
    item = get_commitment_or_404(commitment_id, acting_user(), need="edit")
    form = _follow_up_form(FollowUpForm())
    if form.validate_on_submit():
        data = services.FollowUpData(
            task=form.task.data, assignee_id=form.assignee_id.data, contact_id=item.contact_id,
            commitment_id=item.id,
            due_at=local_to_utc(form.due_date.data, form.due_time.data or time(9, 0), current_user.timezone))
        try:
            services.add_follow_up(data, meeting=item.meeting, actor=acting_user(), now=now_utc(), ip=client_ip())
        except services.MeetingError as exc:
            db.session.rollback()
            item = get_commitment_or_404(commitment_id, acting_user(), need="edit")
            show_error(form, exc, default="task")
        else:
            db.session.commit()
            flash(_("Follow-up added."), "success")
            return redirect(url_for("commitments.show", commitment_id=item.id))
    return _commitment_page(item, CommitmentStatusForm(status=item.status), form, can_change=True, status=422)


@commitments_bp.post("/commitments/<int:commitment_id>/status", endpoint="status")
def commitment_status(commitment_id: int):
    """Record a commitment's new status (kept, broken…), dated and attributed."""
    item = get_commitment_or_404(commitment_id, acting_user(), need="edit")
    form = CommitmentStatusForm()
    if form.validate_on_submit():
        try:
            services.change_commitment_status(item, form.status.data, note=form.note.data,
                                              evidence=form.evidence.data, actor=acting_user(), now=now_utc(),
                                              ip=client_ip(), expected_status=form.seen_status.data or None)
        except services.StaleCommitment as exc:
            db.session.rollback()
            item = get_commitment_or_404(commitment_id, acting_user(), need="edit")
            form.seen_status.data = item.status
            form.form_errors.append(exc.message)
            return _commitment_page(item, form, _follow_up_form(), can_change=True, status=409)
        except services.MeetingError as exc:
            db.session.rollback()
            item = get_commitment_or_404(commitment_id, acting_user(), need="edit")
            show_error(form, exc, default="status")
        else:
            db.session.commit()
            flash(_("Status recorded."), "success")
            return redirect(url_for("commitments.show", commitment_id=item.id))
    form.form_errors.extend(str(e) for e in form.seen_status.errors)  # a hidden field: say it above the form
    return _commitment_page(item, form, _follow_up_form(), can_change=True, status=422)


@commitments_bp.get("/commitments/scorecards")
def scorecards():
    """Kept, broken and open commitments per contact, organisation and partner."""
    return render_template("meetings/scorecards.html", cards=commitment_queries.scorecards(acting_user()))


@follow_ups_bp.get("/follow-ups", endpoint="index")
def my_follow_ups():
    """My follow-ups: overdue, today, this week, later; a hundred at a time."""
    now = now_utc()
    listing = queries.my_follow_ups(acting_user(), now, page=parse_page(request.args.get("page")))
    return render_template("meetings/follow_ups.html", listing=listing, buckets=listing.buckets, now=now)


def _back(default: str) -> Any:
    return redirect(safe_next(request.form.get("next"), default))


def _close_follow_up(follow_up_id: int, close: Any, message: str) -> Any:
    item = get_follow_up_or_404(follow_up_id, acting_user(), need="edit")
    try:
        close(item, actor=acting_user(), now=now_utc(), ip=client_ip())
    except services.MeetingError as exc:
        db.session.rollback()
        flash(str(exc.message), "warning")
        return _back(url_for("follow_ups.index"))
    db.session.commit()
    flash(message % {"task": item.task}, "success")
    return _back(url_for("follow_ups.index"))


@follow_ups_bp.post("/follow-ups/<int:follow_up_id>/done", endpoint="done")
def follow_up_done(follow_up_id: int):
    """Mark a follow-up done."""
    return _close_follow_up(follow_up_id, services.complete_follow_up, _("Done: %(task)s"))


@follow_ups_bp.post("/follow-ups/<int:follow_up_id>/cancel", endpoint="cancel")
def follow_up_cancel(follow_up_id: int):
    """Cancel a follow-up that is no longer needed; its pending reminders go with it."""
    return _close_follow_up(follow_up_id, services.cancel_follow_up, _("Cancelled: %(task)s"))


@follow_ups_bp.post("/follow-ups/<int:follow_up_id>/snooze", endpoint="snooze")
def follow_up_snooze(follow_up_id: int):
    """Push a follow-up's due time back."""
    item = get_follow_up_or_404(follow_up_id, acting_user(), need="edit")
    form = SnoozeForm()
    if not form.validate_on_submit():
        flash(_("Choose how long to snooze."), "danger")
        return _back(url_for("follow_ups.index"))
    now = now_utc()
    try:
        services.snooze_follow_up(item, max(item.due_at, now) + services.SNOOZE_CHOICES[form.until.data],
                                  actor=acting_user(), now=now, ip=client_ip())
    except services.MeetingError as exc:
        db.session.rollback()
        flash(str(exc.message), "warning")
        return _back(url_for("follow_ups.index"))
    db.session.commit()
    flash(_("Snoozed: %(task)s", task=item.task), "success")
    return _back(url_for("follow_ups.index"))

