"""Calendar pages: feeds (manage, serve), .ics downloads, and importing an invitation."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta, UTC
from typing import Any
from urllib.parse import urlencode

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.http import is_resource_modified

from outreach.calendars import bp, guard, services
from outreach.calendars.forms import (FOLLOW_UPS_AS_LABELS, PRIVACY_SHORT, SCOPE_LABELS, ActionForm, ExportForm,
                                      FeedForm, ImportForm, RenameForm, SeriesForm)
from outreach.calendars.importer import MAX_BYTES, ImportRefused, Invitation, read_invitation
from outreach.calendars.models import FeedScope
from outreach.contacts.models import Contact, Organisation
from outreach.core.audit import record_event
from outreach.core.calendar import CalendarQuery, calendar_scope, calendar_scopes, sources_for
from outreach.core.db import db
from outreach.core.forms import choices, is_record_id
from outreach.core.ids import parse_id
from outreach.core.i18n import format_when
from outreach.core.permissions import Capability, has_capability
from outreach.core.security import client_ip
from outreach.core.time import day_start, now_utc, to_zone
from outreach.core.web import acting_user, show_error
from outreach.meetings.access import get_meeting_or_404
from outreach.meetings.forms import MeetingFilterForm
from outreach.meetings.models import MeetingInitiator

ICS_TYPE = "text/calendar; charset=utf-8"
MAX_ORGANISATION_CHOICES = 300



def _window(now: datetime) -> tuple[datetime, datetime]:
    cfg = current_app.config
    past, future = cfg.get("CALENDAR_PAST_DAYS", 90), cfg.get("CALENDAR_FUTURE_DAYS", 548)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=past), today + timedelta(days=future + 1)


def _base_url() -> str:
    return current_app.config.get("BASE_URL", "").rstrip("/")


def _ics_response(body: bytes, filename: str | None, *, feed: bool = False, etag: str | None = None) -> Response:
    """The calendar with an ETag (its data's fingerprint, else its bytes' hash); 304 when the client holds it."""
    if etag is None:
        etag = hashlib.sha256(body).hexdigest()[:32]
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS_TYPE
    response.set_etag(etag)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-cache" if feed else "private, no-store"
    return response.make_conditional(request)


# -- feeds: the page -------------------------------------------------------------------------------

def _organisation_choices(selected: str | None) -> list[tuple[str, str]]:
    rows = list(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.parent_id.is_(None), Organisation.is_archived.is_(False))
        .order_by(Organisation.name, Organisation.id).limit(MAX_ORGANISATION_CHOICES)))
    if selected and is_record_id(selected) and all(str(i) != selected for i, _n in rows):
        extra = db.session.execute(select(Organisation.id, Organisation.name).where(
            Organisation.id == int(selected))).first()
        if extra:
            rows.insert(0, extra)
    return [("", _("Choose an organisation"))] + [(str(i), n) for i, n in rows]


def _scope_records(user: Any) -> list[tuple[str, Any, list[tuple[int, str]]]]:
    """The registered scopes (a campaign) *user* may choose, each with the records it offers her."""
    return [(s.key, s.record_label, s.choices(user)) for s in calendar_scopes() if s.may_use(user)]


def _feed_form(form: FeedForm | None = None) -> FeedForm:
    if form is None:
        form = FeedForm(formdata=None, data={"name": _("My Outreach calendar"),
                                             "organisation": request.args.get("organisation") or ""})
        wanted = calendar_scope(request.args.get("scope", ""))
        record = parse_id(request.args.get("record", ""))
        if wanted is not None and record is not None and services.may_use_scope(acting_user(), wanted.key):
            form.scope.data, form.scope_record.data = wanted.key, record
    user = acting_user()
    form.scope.choices = choices([(k, v) for k, v in SCOPE_LABELS.items() if services.may_use_scope(user, k)]
                                 + [(s.key, s.label) for s in calendar_scopes() if s.may_use(user)])
    if request.args.get("organisation") and services.may_use_scope(user, FeedScope.SUBTREE.value) \
            and request.method == "GET":
        form.scope.data = FeedScope.SUBTREE.value
    form.organisation.choices = choices(_organisation_choices(form.organisation.data))
    form.includes.choices = choices((s.key, s.label) for s in sources_for(user))
    return form


def _feed_urls(token: str) -> dict[str, str]:
    https = url_for("calendars.feed", feed_token=token, _external=True)
    base = _base_url()
    if base:
        https = base + url_for("calendars.feed", feed_token=token)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def _render_index(form: FeedForm | None = None, *, status: int = 200, new_token: str | None = None,
                  new_feed: Any = None) -> Any:
    user = acting_user()
    response = render_template(
        "calendars/index.html", form=_feed_form(form), feeds=services.my_feeds(user), rename=RenameForm(),
        scope_records=_scope_records(user), source_labels={s.key: s.label for s in sources_for(user)},
        action=ActionForm(), new_feed=new_feed, urls=_feed_urls(new_token) if new_token else None,
        scope_labels={**SCOPE_LABELS, **{s.key: s.label for s in calendar_scopes()}}, privacy_labels=PRIVACY_SHORT,
        follow_ups_as_labels=FOLLOW_UPS_AS_LABELS,
        can_export_all=has_capability(user, Capability.VIEW_AUDIT), export=ExportForm(formdata=None),
        can_import=has_capability(user, Capability.LOG_MEETINGS))
    return response, status, {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@bp.get("/calendars")
def index():
    """My calendar feeds, a form to add one, and the downloads."""
    return _render_index()


@bp.post("/calendars/feeds")
def create_feed():
    """Create a feed; its secret address is shown on this page, once."""
    form = _feed_form(FeedForm())
    if not form.validate_on_submit():
        return _render_index(form, status=422)
    settings = services.FeedSettings(
        name=form.name.data, scope=form.scope.data,
        organisation_id=int(form.organisation.data) if form.organisation.data else None,
        includes=tuple(form.includes.data or ()), follow_ups_as=form.follow_ups_as.data, privacy=form.privacy.data,
        scope_record_id=form.scope_record.data)
    if settings.organisation_id and db.session.get(Organisation, settings.organisation_id) is None:
        form.organisation.errors = [_("Choose an organisation from the list.")]
        return _render_index(form, status=422)
    try:
        feed, token = services.create_feed(settings, actor=acting_user(), now=now_utc())
    except services.FeedError as exc:
        db.session.rollback()
        return _render_index(form, status=show_error(form, exc))
    db.session.commit()
    return _render_index(status=201, new_token=token, new_feed=feed)


def _own_feed_or_404(feed_id: int) -> Any:
    feed = services.get_own_feed(feed_id, acting_user())
    if feed is None:
        abort(404)
    return feed


@bp.post("/calendars/feeds/<int:feed_id>/rename")
def rename_feed(feed_id: int):
    """Rename one of my feeds."""
    feed = _own_feed_or_404(feed_id)
    form = RenameForm()
    if not form.validate_on_submit():
        flash(_("Give the feed a name of at most 120 characters."), "danger")
        return redirect(url_for("calendars.index")), 303
    services.rename_feed(feed, form.name.data, actor=acting_user(), now=now_utc())
    db.session.commit()
    flash(_("Feed renamed."), "success")
    return redirect(url_for("calendars.index"))


@bp.post("/calendars/feeds/<int:feed_id>/regenerate")
def regenerate_feed(feed_id: int):
    """Give a feed a new secret address; the old one stops working at once."""
    feed = _own_feed_or_404(feed_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    token = services.regenerate_feed(feed, actor=acting_user(), now=now_utc())
    db.session.commit()
    return _render_index(new_token=token, new_feed=feed)


@bp.post("/calendars/feeds/<int:feed_id>/revoke")
def revoke_feed(feed_id: int):
    """Revoke a feed: its address stops working."""
    feed = _own_feed_or_404(feed_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.revoke_feed(feed, actor=acting_user(), now=now_utc())
    db.session.commit()
    flash(_("Feed revoked: calendars subscribed to it will stop updating."), "success")
    return redirect(url_for("calendars.index"))


# -- feeds: served to calendar clients ------------------------------------------------------------

@bp.get("/calendars/feed/<feed_token>.ics")
def feed(feed_token: str):
    """A subscription feed, opened by its secret token alone (no session)."""
    digest = hashlib.sha256(feed_token.encode("utf-8", "replace")).hexdigest()
    found = services.feed_for_token(feed_token)
    if found is None:
        wait = guard.per_address_misses.hit(client_ip())
        if wait:
            return _too_many(wait)
        abort(404)
    wait = guard.per_feed.hit(digest, limit=current_app.config.get("CALENDAR_FEED_LIMIT", guard.LIMIT))
    if wait:
        return _too_many(wait)
    feed_row, owner = found
    records = services.feed_records(feed_row, owner)
    if records is None:  # the owner may no longer see the feed's campaign: as good as revoked
        abort(404)
    cfg = current_app.config
    query = services.feed_query(feed_row, owner, now=now_utc(), base_url=_base_url(),
                                past_days=cfg.get("CALENDAR_PAST_DAYS", 90),
                                future_days=cfg.get("CALENDAR_FUTURE_DAYS", 548),
                                records=records if records is not True else None)
    # An unchanged feed answers 304 from its fingerprint, without reading or rendering its items.
    etag = services.feed_etag(feed_row, owner, query)
    if etag is not None and not is_resource_modified(request.environ, etag=etag):
        return _ics_response(b"", None, feed=True, etag=etag)
    return _ics_response(services.render_feed(feed_row, owner, query), None, feed=True, etag=etag)


def _too_many(wait: float) -> Response:
    response = Response(_("Too many requests for this calendar; try again later.") + "\n", status=429,
                        mimetype="text/plain")
    response.headers["Retry-After"] = str(int(wait))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# -- downloads ------------------------------------------------------------------------------------

def _download(query: CalendarQuery, *, name: str, filename: str) -> Response:
    body, _count = services.render_download(acting_user(), query, name=name)
    return _ics_response(body, filename)


def _query(scope: str, **params: Any) -> CalendarQuery:
    start, end = _window(now_utc())
    return CalendarQuery(scope=scope, start=start, end=end, params=params, owner_id=current_user.id,
                         base_url=_base_url())


@bp.get("/meetings/<int:meeting_id>/calendar.ics")
def meeting(meeting_id: int):
    """One meeting as an .ics file ("Add to calendar")."""
    row = get_meeting_or_404(meeting_id, acting_user())
    return _download(_query("meeting", meeting_id=row.id), name=row.title, filename=f"meeting-{row.id}.ics")


@bp.get("/calendars/meetings.ics")
def meetings():
    """The meetings list, with the same filters, as an .ics file."""
    form = MeetingFilterForm(request.args)
    if not form.validate():
        return Response(_("The filters are not valid; nothing was exported.") + "\n", status=400,
                        mimetype="text/plain")
    filters = {k: v for k, v in form.data.items() if v not in (None, "")}
    return _download(_query("meetings", filters=filters, limit=current_app.config.get("CALENDAR_MAX_DOWNLOAD", 5000)),
                     name=_("Meetings"), filename="meetings.ics")


@bp.get("/calendars/contacts/<int:contact_id>.ics")
def contact(contact_id: int):
    """A contact's meetings (the window around today) as an .ics file."""
    person = db.session.get(Contact, contact_id)
    if person is None:
        abort(404)
    return _download(_query("contact", contact_id=person.id), name=person.full_name,
                     filename=f"contact-{person.id}.ics")


@bp.get("/calendars/organisations/<int:organisation_id>.ics")
def organisation(organisation_id: int):
    """An organisation's meetings, its offices' included, as an .ics file."""
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        abort(404)
    return _download(_query("organisation_meetings", organisation_id=org.id), name=org.name,
                     filename=f"organisation-{org.id}.ics")


@bp.get("/calendars/scopes/<scope_key>/<int:record_id>.ics")
def scope_download(scope_key: str, record_id: int):
    """A record of a scope another feature registered (a campaign: its meetings, follow-ups and commitment
    deadlines) as an .ics file."""
    user = acting_user()
    records = services.resolve_scope(user, scope_key, record_id)
    if records is None:  # unknown scope, or a record she may not see
        abort(404)
    query = _query(scope_key, ids=records.ids, zone=user.timezone)
    query = replace(query, includes=frozenset(services.include_keys(user, records.ids)))
    return _download(query, name=records.name, filename=f"{scope_key}-{record_id}.ics")


@bp.route("/calendars/organisation-wide", methods=["GET", "POST"])
def organisation_wide():
    """Managers: every meeting, follow-up and commitment deadline in a date range (audited)."""
    form = ExportForm()
    if request.method == "GET" or not form.validate_on_submit():
        if request.method == "GET":
            today = now_utc().date()
            form = ExportForm(formdata=None, date_from=today - timedelta(days=30), date_to=today + timedelta(days=90))
        return render_template("calendars/organisation_wide.html", form=form), 200 if request.method == "GET" else 422
    start = day_start(form.date_from.data)
    end = day_start(form.date_to.data + timedelta(days=1))
    query = CalendarQuery(scope="organisation", start=start, end=end,
                          includes=frozenset({"meetings", "follow_ups", "commitments"}), owner_id=current_user.id,
                          params={"zone": current_user.timezone}, base_url=_base_url())
    body, count = services.render_download(acting_user(), query, name=_("Outreach: the whole organisation"))
    record_event("calendar.export", actor=acting_user(), now=now_utc(), ip=client_ip(), record_type="calendar",
                 date_from=form.date_from.data.isoformat(), date_to=form.date_to.data.isoformat(), items=count)
    db.session.commit()
    return _ics_response(body, f"outreach-{form.date_from.data}-{form.date_to.data}.ics")


# -- import ---------------------------------------------------------------------------------------

#: How long the series read from an uploaded invitation may be imported.
SERIES_MAX_AGE = 3600


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="calendar-import")


def _prefill_url(inv: Invitation, start_at: datetime) -> str:
    local = to_zone(start_at, inv.timezone)
    args: list[tuple[str, str]] = [("title", inv.title), ("date", local.date().isoformat()),
                                   ("start_time", local.strftime("%H:%M")), ("timezone", inv.timezone)]
    if inv.duration:
        args.append(("end_time", (local + inv.duration).strftime("%H:%M")))
    for key, value in (("location", inv.location), ("online_url", inv.online_url), ("agenda", inv.agenda)):
        if value:
            args.append((key, value[:2000]))
    args += [("attendees", p.token) for p in inv.matched if p.token]
    if inv.initiated_by:
        args.append(("initiated_by", inv.initiated_by))
    return url_for("meetings.new") + "?" + urlencode(args)


@bp.route("/calendars/import", methods=["GET", "POST"])
def import_upload():
    """Upload an invitation (.ics) to pre-fill a new meeting, or import a series."""
    form = ImportForm()
    if request.method == "GET":
        return render_template("calendars/import.html", form=form, max_kb=MAX_BYTES // 1024)
    if not form.validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        form.file.errors = [_("Choose the .ics file of an invitation.")]
        return render_template("calendars/import.html", form=form, max_kb=MAX_BYTES // 1024), 400
    try:
        raw = upload.stream.read(MAX_BYTES + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file
    try:
        inv = read_invitation(raw, reader=acting_user(), now=now_utc())
    except ImportRefused as exc:
        form.file.errors = [str(exc.message)]
        return render_template("calendars/import.html", form=form, max_kb=MAX_BYTES // 1024), exc.status
    payload = _signer().dumps(
        {
            "user": current_user.id,
            "title": inv.title,
            "timezone": inv.timezone,
            "location": inv.location,
            "online_url": inv.online_url,
            "agenda": inv.agenda,
            "minutes": int(inv.duration.total_seconds() // 60) if inv.duration else None,
            "starts": [int(o.timestamp()) for o in inv.occurrences],
            "attendees": [p.token for p in inv.matched if p.token],
            "initiated_by": inv.initiated_by,
        }
    )
    return render_template("calendars/import_preview.html", inv=inv, prefill=_prefill_url(inv, inv.start_at),
                           series=SeriesForm(formdata=None, payload=payload), format_when=format_when)


@bp.post("/calendars/import/series")
def import_series():
    """Create one planned meeting per occurrence of an imported series, all or none."""
    from outreach.calendars.importer import MAX_SERIES
    from outreach.meetings import services as meeting_services

    form = SeriesForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = _signer().loads(form.payload.data, max_age=SERIES_MAX_AGE)
        if data.get("user") != current_user.id:
            abort(400)
        starts = [datetime.fromtimestamp(int(s), tz=UTC) for s in data["starts"]][:MAX_SERIES]
        minutes = data.get("minutes")
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError, OSError):
        abort(400)
    if not starts:
        abort(400)
    now = now_utc()
    created = []
    try:
        for start in starts:
            created.append(
                meeting_services.log_meeting(
                    meeting_services.MeetingData(
                        title=data["title"],
                        start_at=start,
                        end_at=start + timedelta(minutes=int(minutes)) if minutes else None,
                        timezone=data["timezone"],
                        location=data.get("location"),
                        online_url=data.get("online_url"),
                        agenda=data.get("agenda"),
                        attendees=list(data.get("attendees") or []),
                        initiated_by=data.get("initiated_by")
                        if data.get("initiated_by") in {i.value for i in MeetingInitiator}
                        else None,
                    ),
                    commitments=[],
                    follow_ups=[],
                    actor=acting_user(),
                    now=now,
                    ip=client_ip(),
                )
            )
    except meeting_services.MeetingError as exc:
        db.session.rollback()
        flash(_("Nothing was imported: %(why)s", why=str(exc.message)), "danger")
        return redirect(url_for("calendars.import_upload")), 303
    db.session.commit()
    flash(_("%(n)d meetings imported from the series.", n=len(created)), "success")
    return redirect(url_for("meetings.index", q=data["title"][:100]))
