"""Meeting pages: the list, the one-form log, edit with optimistic locking, the attendee typeahead.

Commitment and follow-up pages are in commitment_views.py.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from outreach.core.db import db
from outreach.core.forms import choices, search_text
from outreach.core.home import build_form_fields, build_panels, submitted_form_fields
from outreach.core.i18n import local_text
from outreach.core.ids import parse_id
from outreach.core.permissions import Capability, Role, has_capability
from outreach.core.security import client_ip
from outreach.core.i18n import format_when
from outreach.core.text import strip_control_characters
from outreach.core.time import (common_zone_choices, is_valid_zone, local_to_utc, now_utc, suggested_zones, to_zone,
                                 zones_by_country)
from outreach.core.web import acting_user, show_error
from outreach.meetings import bp, queries, services
from outreach.meetings.access import (
    attendees_seen_by,
    can_edit_meeting,
    can_find_activists,
    can_see_notes,
    can_see_outcome,
    get_meeting_or_404,
)
from outreach.meetings.attendees import attendance_token, contact_token, is_token, parse_token, user_token
from outreach.meetings.forms import (CATEGORY_LABELS, COMMITMENT_STATUS_LABELS, INITIATOR_LABELS, KIND_LABELS,
                                     STATUS_LABELS, MeetingFilterForm, MeetingForm)
from outreach.meetings.models import Meeting, MeetingStatus

LABELS = {"kinds": KIND_LABELS, "statuses": STATUS_LABELS, "categories": CATEGORY_LABELS,
          "commitment_statuses": COMMITMENT_STATUS_LABELS, "format_when": format_when}


MAX_PREFILL = 10


@bp.record_once
def _meeting_helpers(state: Any) -> None:
    # A global rather than a context processor, so that included rows and panels see it too.
    state.app.jinja_env.globals["attendees_seen"] = lambda attendees: attendees_seen_by(current_user, attendees)
    state.app.jinja_env.globals.update(contact_token=contact_token, user_token=user_token,
                                       attendee_id=lambda token: (parse_token(token) or ("", ""))[1])


@bp.get("/meetings")
def index():
    """Meetings the user may see, newest first, with filters."""
    form = MeetingFilterForm(request.args)
    if not form.validate():
        return render_template("meetings/list.html", form=form, page=None, partner_name=None, upcoming=None,
                               default_view=False, **LABELS), 400
    partner = (queries.user_names([form.partner.data]).get(form.partner.data)
               if form.partner.data and has_capability(current_user, Capability.LOG_MEETINGS) else None)
    filters = {k: v for k, v in form.data.items() if v not in (None, "")}
    # Without filters the page opens on what matters now: the next two weeks, soonest first, above
    # the past, newest first. Any filter (other than the title search) lists everything it matches.
    default_view = not (set(filters) - {"q"})
    now = now_utc()
    upcoming = (queries.upcoming_meetings(acting_user(), now, q=filters.get("q"))
                if default_view and not request.args.get("after") else None)
    page = queries.list_meetings(acting_user(), filters, after=request.args.get("after"),
                                 before=now if default_view else None)
    later_from = (to_zone(now, current_user.timezone) + timedelta(days=queries.UPCOMING_DAYS)).date()
    actions = build_panels("meetings.list.actions", acting_user(), now, filters=request.args.to_dict())
    return render_template("meetings/list.html", form=form, page=page, partner_name=partner, upcoming=upcoming,
                           default_view=default_view, later_from=later_from, actions=actions, **LABELS)


def _prepare(form: MeetingForm, meeting: Meeting | None = None) -> None:
    """Fill the pickers: attendees already chosen, who made each promise, who follows up; the fields other
    features add to the form."""
    picked = queries.attendee_choices(form.attendees.data or [])
    form.attendees.choices = choices((token, label) for token, label, _kind in picked)
    form.picked = picked  # type: ignore[attr-defined]
    targets = [(t[2:], label) for t, label, kind in picked if kind == "contact"]
    form.organisation_name = queries.shared_organisation_name(  # type: ignore[attr-defined]
        [int(t) for t, _label in targets])
    # The zones a meeting most likely happens in come first: mine, the one chosen, the attendees' countries'.
    countries = queries.contact_countries([int(t) for t, _label in targets])
    suggested = suggested_zones([current_user.timezone, form.timezone.data,
                                 *(z for code in countries for z in zones_by_country().get(code, ())[:3])])
    form.timezone.choices = {_("Suggested"): choices(suggested), _("All time zones"): choices(common_zone_choices())}
    # With one target attending, they made it; with several, the person must be chosen.
    made_by = targets if len(targets) == 1 else [("", _("Choose who made it"))] + targets
    me = current_user.id
    for row in form.commitments:
        row.form.contact_id.choices = choices(made_by)
        if len(targets) == 1 and not row.form.contact_id.data:
            row.form.contact_id.data = targets[0][0]
    for row in form.follow_ups:
        if not row.form.assignee_id.data:
            row.form.assignee_id.data = me
    # The people pickers show who is chosen by name.
    form.people = queries.user_names(  # type: ignore[attr-defined]
        [r.form.accountable_id.data for r in form.commitments] + [r.form.assignee_id.data for r in form.follow_ups])
    contact_ids = [int(t) for t, _label in targets]
    if request.method == "GET":  # not submitted yet: a link may suggest a value (?campaign_id=…)
        values = {k: v for k, v in submitted_form_fields("meeting", current_user, request.args).items() if v} or None
    else:
        values = submitted_form_fields("meeting", current_user, request.form)
    form.extensions = build_form_fields(  # type: ignore[attr-defined]
        "meeting", acting_user(), now_utc(), values, record=meeting, contact_ids=contact_ids,
        errors=getattr(form, "extension_errors", {}))


def _meeting_data(form: MeetingForm) -> services.MeetingData:
    zone = form.timezone.data
    start = local_to_utc(form.date.data, form.start_time.data, zone)
    end = local_to_utc(form.date.data, form.end_time.data, zone) if form.end_time.data else None
    return services.MeetingData(
        kind=form.kind.data,
        title=form.title.data,
        start_at=start,
        end_at=end,
        timezone=zone,
        location=form.location.data,
        online_url=form.online_url.data,
        agenda=form.agenda.data,
        notes=form.notes.data,
        outcome=form.outcome.data,
        status=form.status.data,
        initiated_by=form.initiated_by.data or None,
        attendees=list(form.attendees.data or []),
        extras=submitted_form_fields("meeting", current_user, request.form),
    )


def _rows(form: MeetingForm) -> tuple[list[services.CommitmentData], list[services.FollowUpData]]:
    commitments = [services.CommitmentData(
        description=r.description.data, contact_id=parse_id(r.contact_id.data),
        category=r.category.data, indicator=r.indicator.data, target_value=r.target_value.data,
        due_date=r.due_date.data, accountable_id=r.accountable_id.data)
        for r in (row.form for row in form.commitments) if r.description.data]
    follow_ups = [services.FollowUpData(
        task=r.task.data, due_at=local_to_utc(r.due_date.data, r.due_time.data or time(9, 0), current_user.timezone),
        assignee_id=r.assignee_id.data or current_user.id,
        reminder_offsets=[int(x) for x in r.reminders.data or []], remind_daily_when_overdue=r.daily_when_overdue.data)
        for r in (row.form for row in form.follow_ups) if r.task.data]
    return commitments, follow_ups


def _service_error(form: MeetingForm, exc: services.MeetingError) -> None:
    if exc.field and exc.field in submitted_form_fields("meeting", current_user, request.form):
        form.extension_errors = {exc.field: exc.message}  # type: ignore[attr-defined]
        return
    show_error(form, exc)


def _render_form(form: MeetingForm, meeting: Meeting | None, status: int = 200, stale: Any = None):  # type: ignore[no-untyped-def]
    _prepare(form, meeting)
    return render_template("meetings/edit.html", form=form, meeting=meeting, stale=stale, **LABELS), status


_MERGEABLE = ("kind", "title", "timezone", "location", "online_url", "agenda", "notes", "outcome", "status",
              "initiated_by")


def _local(value: str | None, zone: str) -> datetime | None:
    """A stored ISO instant from the edit history as wall-clock time in *zone*."""
    if not value:
        return None
    try:
        return to_zone(datetime.fromisoformat(value), zone)
    except (TypeError, ValueError):
        return None


def _take_their_changes(form: MeetingForm, changes: list[dict[str, Any]], zone: str) -> None:
    """After a refused save, bring in the other person's edits to the fields this editor left alone.

    Start and end are compared and merged as the date and times of the form, in the meeting's zone.
    """
    first_old: dict[str, Any] = {}
    last_new: dict[str, Any] = {}
    for change in changes:
        for name, (old, new) in change["fields"].items():
            first_old.setdefault(name, old)
            last_new[name] = new
    for name in _MERGEABLE:
        if name in last_new and (getattr(form, name).data or None) == (first_old[name] or None):
            getattr(form, name).data = last_new[name]
    if "attendees" in last_new and sorted(form.attendees.data or []) == first_old["attendees"]:
        form.attendees.data = last_new["attendees"]
    old_zone = first_old.get("timezone") or zone
    if "start_at" in last_new:
        old, new = _local(first_old["start_at"], old_zone), _local(last_new["start_at"], zone)
        if old and new and (form.date.data, form.start_time.data) == (old.date(), old.time()):
            _set(form.date, new.date())
            _set(form.start_time, new.time())
    if "end_at" in last_new:
        old, new = _local(first_old["end_at"], old_zone), _local(last_new["end_at"], zone)
        if form.end_time.data == (old.time() if old else None):
            _set(form.end_time, new.time() if new else None)


def _set(field: Any, value: Any) -> None:
    """Replace a date/time field's value (they render what was typed, raw_data, before their data)."""
    field.data, field.raw_data = value, None


_FIELD_LABELS = {
    "kind": _l("Kind"), "title": _l("Title"), "start_at": _l("Starts"), "end_at": _l("Ends"),
    "timezone": _l("Time zone"), "location": _l("Location"), "online_url": _l("Online link"),
    "agenda": _l("Agenda"), "notes": _l("Notes"), "outcome": _l("Outcome"), "status": _l("Status"),
    "attendees": _l("Attendees"), "initiated_by": _l("Who asked for it"),
}


@bp.app_template_filter("meeting_field_label")
def meeting_field_label(name: str) -> str:
    """A meeting field's name as the edit history shows it ("initiated_by" -> "who asked for it")."""
    label = _FIELD_LABELS.get(name)
    return str(label).lower() if label is not None else name.replace("_", " ")


def _readable_changes(changes: list[dict[str, Any]], zone: str) -> list[dict[str, Any]]:
    """The history rows as (label, before, after) a person can read: local times, names, labels."""
    tokens = {t for change in changes for name, pair in change["fields"].items() if name == "attendees"
              for side in pair for t in (side or [])}
    names = {token: label for token, label, _kind in queries.attendee_choices(sorted(tokens))} if tokens else {}

    def show(name: str, value: Any, other: Any) -> str:
        if value in (None, "", []):
            return "—"
        if name in ("start_at", "end_at"):
            here, there = _local(value, zone), _local(other, zone)
            if here is None:
                return str(value)
            same_day = there is not None and there.date() == here.date()
            # already in the meeting's zone: formatted as is, not converted to the reader's zone
            return local_text(here.time()) if same_day else local_text(here.replace(tzinfo=None))
        if name == "kind":
            return str(KIND_LABELS.get(value, value))
        if name == "status":
            return str(STATUS_LABELS.get(value, value))
        if name == "initiated_by":
            return str(INITIATOR_LABELS.get(value, value))
        if name == "attendees":
            return ", ".join(names.get(t, t) for t in value)
        text = str(value)
        return text if len(text) <= 120 else text[:119] + "…"

    out = []
    for change in changes:
        rows = []
        for name, (old, new) in change["fields"].items():
            suffix = f" ({zone})" if name in ("start_at", "end_at") else ""
            rows.append((str(_FIELD_LABELS.get(name, name)), show(name, old, new), show(name, new, old) + suffix))
        out.append({**change, "rows": rows})
    return out


def _wants_more_rows(form: MeetingForm) -> bool:
    if "add_commitment" in request.form:
        form.commitments.append_entry()
        return True
    if "add_follow_up" in request.form:
        form.follow_ups.append_entry()
        return True
    return False


#: Fields a link may pre-fill (an imported invitation does): name -> longest value taken.
_PREFILL_TEXT = {"title": 200, "location": 300, "online_url": 500, "agenda": 20_000}


def _prefill(form: MeetingForm) -> None:
    """Take the meeting's fields from the query string where given; anything malformed is ignored."""
    args = request.args
    for name, longest in _PREFILL_TEXT.items():
        value = strip_control_characters(args.get(name) or "", multiline=name == "agenda")
        if value:
            getattr(form, name).data = value[:longest]
    zone = args.get("timezone") or ""
    if zone and is_valid_zone(zone):
        form.timezone.data = zone
    if args.get("initiated_by") in INITIATOR_LABELS:
        form.initiated_by.data = args["initiated_by"]
    try:
        if args.get("date"):
            form.date.data = date.fromisoformat(args["date"])
        if args.get("start_time"):
            form.start_time.data = time.fromisoformat(args["start_time"])
        if args.get("end_time"):
            form.end_time.data = time.fromisoformat(args["end_time"])
    except ValueError:
        pass
    # An invitation for a meeting still to come is logged as planned: a meeting cannot be held before it starts.
    if (form.date.data and form.start_time.data and is_valid_zone(form.timezone.data or "")
            and local_to_utc(form.date.data, form.start_time.data, form.timezone.data) > now_utc()):
        form.status.data = MeetingStatus.PLANNED.value


@bp.route("/meetings/new", methods=["GET", "POST"])
def new():
    """Log a meeting with its attendees, commitments and follow-ups in one form."""
    form = MeetingForm()
    if request.method == "GET":
        form.timezone.data = current_user.timezone
        form.date.data = to_zone(now_utc(), current_user.timezone).date()
        # "Log a meeting with …" links from contact pages pre-pick the attendee.
        form.attendees.data = [t for t in request.args.getlist("attendees")[:MAX_PREFILL] if is_token(t)]
        _prefill(form)
        return _render_form(form, None)
    if _wants_more_rows(form):
        return _render_form(form, None)
    if not form.validate_on_submit():
        return _render_form(form, None, 422)
    commitments, follow_ups = _rows(form)
    try:
        meeting = services.log_meeting(_meeting_data(form), commitments=commitments, follow_ups=follow_ups,
                                       actor=acting_user(), now=now_utc(), ip=client_ip())
    except services.MeetingError as exc:
        db.session.rollback()
        _service_error(form, exc)
        return _render_form(form, None, 422)
    db.session.commit()
    flash(_("Meeting logged."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int):
    """Edit a meeting; a save based on an outdated copy is refused and the changes shown."""
    meeting = get_meeting_or_404(meeting_id, acting_user(), need="edit")
    if request.method == "GET":
        local_start = to_zone(meeting.start_at, meeting.timezone)
        # Not obj=meeting: its commitments and follow-ups must not fill the rows that add new ones.
        form = MeetingForm(data={name: getattr(meeting, name) for name in (
                               "kind", "title", "timezone", "location", "online_url", "agenda", "notes", "outcome",
                               "status")}, initiated_by=meeting.initiated_by or "",
                           date=local_start.date(), start_time=local_start.time(),
                           end_time=to_zone(meeting.end_at, meeting.timezone).time() if meeting.end_at else None,
                           revision=str(meeting.revision),
                           attendees=[attendance_token(a) for a in meeting.attendees])
        return _render_form(form, meeting)
    form = MeetingForm()
    if _wants_more_rows(form):
        return _render_form(form, meeting)
    if not form.validate_on_submit():
        return _render_form(form, meeting, 422)
    try:
        expected = int(form.revision.data or 0)
    except ValueError:
        expected = 0
    commitments, follow_ups = _rows(form)
    try:
        services.update_meeting(meeting, _meeting_data(form), expected_revision=expected, commitments=commitments,
                                follow_ups=follow_ups, actor=acting_user(), now=now_utc(), ip=client_ip())
    except services.StaleMeeting:
        db.session.rollback()
        meeting = get_meeting_or_404(meeting_id, acting_user(), need="edit")
        changes = services.changes_since(meeting, expected)
        _take_their_changes(form, changes, meeting.timezone)
        form.form_errors.append(_("This meeting was changed since you opened it; nothing was saved. "
                                  "Their changes are now in the form wherever you had not changed the same field; "
                                  "review them below, then save again."))
        form.revision.data = str(meeting.revision)
        return _render_form(form, meeting, 409, stale=_readable_changes(changes, meeting.timezone))
    except services.MeetingError as exc:
        db.session.rollback()
        _service_error(form, exc)
        return _render_form(form, meeting, 422)
    db.session.commit()
    flash(_("Meeting saved."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.get("/meetings/<int:meeting_id>")
def show(meeting_id: int):
    """One meeting: attendees, commitments, follow-ups and its edit history."""
    user = acting_user()
    meeting = get_meeting_or_404(meeting_id, user)
    now = now_utc()
    can_edit = can_edit_meeting(user, meeting)
    return render_template("meetings/show.html", meeting=meeting, commitments=meeting.commitments,
                           follow_ups=meeting.follow_ups, history=meeting.history, can_edit=can_edit,
                           show_notes=can_see_notes(user), show_outcome=can_see_outcome(user),
                           # higher features add sections (campaign, instruments, resources shared) and buttons
                           panels=build_panels("meeting.detail", user, now, meeting=meeting, can_edit=can_edit),
                           actions=build_panels("meeting.actions", user, now, meeting=meeting), now=now, **LABELS)


@bp.get("/meetings/people")
def people_search():
    """The people picker (htmx): users who can own a follow-up or a commitment, or partners only."""
    q = search_text(request.args.get("q"), limit=60)
    role = Role.PARTNER if request.args.get("role") == "partner" else None
    return render_template("meetings/_people_results.html", people=queries.search_people(q, role=role), q=q,
                           picker=request.args.get("picker") or "")


@bp.get("/meetings/attendees")
def attendee_search():
    """The attendee typeahead (htmx): contacts and users whose name starts with what was typed."""
    q = search_text(request.args.get("q"), limit=60)
    picked = set(request.args.getlist("attendees"))
    contacts, users = queries.search_attendees(acting_user(), q, with_activists=can_find_activists(acting_user()))
    posts = {c.id: queries.current_post(c) for c in contacts}  # positions come loaded with the search
    return render_template("meetings/_attendee_results.html", contacts=contacts, users=users, q=q, picked=picked,
                           posts=posts)
