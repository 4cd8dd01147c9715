"""Monitoring pages: the watchlist, an instrument's page and the forms that change it."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from outreach.contacts import csv_io
from outreach.contacts.models import Organisation
from outreach.core.audit import record_event
from outreach.core.db import db
from outreach.core.forms import choices, shared_choices
from outreach.core.ids import is_record_id
from outreach.core.pagination import parse_page
from outreach.core.security import client_ip, safe_next
from outreach.core.time import now_utc
from outreach.core.web import acting_user, csv_response, show_error
from outreach.meetings.access import can_change_commitment, can_edit_meeting, get_commitment_or_404, get_meeting_or_404
from outreach.monitoring import bp, queries, services
from outreach.monitoring.access import can_change, get_instrument_or_404, get_version_or_404
from outreach.monitoring.forms import (DECISION_LABELS, FUNDING_LABELS, KIND_LABELS, RATING_LABELS, ActionForm,
                                       CriterionForm,
                                       FundingForm, InstrumentForm, KeyPostForm, LinkForm, PublishForm, RatingRow,
                                       VersionForm, WatchlistFilterForm)
from outreach.monitoring.models import Criterion, Funding, InstrumentLink, KeyPost

LABELS = {"kinds": KIND_LABELS, "decisions": DECISION_LABELS, "funding_kinds": FUNDING_LABELS,
          "rating_labels": RATING_LABELS}



def _filter_form() -> WatchlistFilterForm:
    form = WatchlistFilterForm(request.args)
    # Shared tuples: built and rendered once while they stay the same rather than on every request.
    form.region.choices = shared_choices([("", _("Any region"))] + [(r, r) for r in queries.regions()])
    form.criterion.choices = shared_choices([("", _("Any criterion"))] + [(str(c.id), c.name)
                                                                          for c in services.active_criteria()])
    return form


@bp.get("/monitoring")
def watchlist():
    """Every active instrument, its next decision, its latest ratings and their trend."""
    form = _filter_form()
    if not form.validate():
        return render_template("monitoring/watchlist.html", form=form, rows=None, criteria=[], can_change=False,
                               **LABELS), 400
    now = now_utc()
    filters = form.filters()
    listing, rows = queries.watchlist(filters, now=now, page=parse_page(request.args.get("page")))
    body = db.session.get(Organisation, filters["body"]) if filters["body"] else None
    # Translated once for the page rather than once per row (a kind and a decision on each of 50 rows).
    labels = {name: {key: str(label) for key, label in values.items()} for name, values in LABELS.items()}
    return render_template("monitoring/watchlist.html", form=form, listing=listing, rows=rows, body=body,
                           criteria=services.active_criteria(), can_change=can_change(acting_user()), **labels)


@bp.post("/monitoring/export")
def export():
    """The filtered watchlist as CSV, formula-safe (audited)."""
    form = _filter_form()
    form.process(request.form)
    if not form.validate():
        flash(_("The filters are not valid; nothing was exported."), "danger")
        return redirect(url_for("monitoring.watchlist")), 303
    now = now_utc()
    filters = form.filters()
    record_event("instrument.export", actor=acting_user(), now=now, record_type="instruments", ip=client_ip(),
                 filters={k: v for k, v in filters.items() if v not in (None, "")})
    db.session.commit()
    criteria = services.active_criteria()
    stmt = queries.watchlist_query(filters, today=now.date())

    def rows() -> Any:
        for start in range(0, 100_000, 500):
            batch = list(db.session.scalars(stmt.offset(start).limit(500)))
            for row in queries.watch_rows(batch, now=now):
                i = row.instrument
                yield [i.id, i.title, i.short_name, KIND_LABELS.get(i.kind, i.kind), i.body.name if i.body else "",
                       i.countries, i.region, i.next_decision_on, DECISION_LABELS.get(i.next_decision_kind, ""),
                       row.days_to_go, *[services.RATING_WORDS.get(row.ratings.get(c.id), "") for c in criteria],
                       row.last_meeting_at.date() if row.last_meeting_at else "", "yes" if row.going_cold else ""]
            if len(batch) < 500:
                return

    header = ["id", "title", "short name", "kind", "body", "countries", "region", "next decision", "decision kind",
              "days to go", *[c.name for c in criteria], "last meeting", "going cold"]
    return csv_response(csv_io.write_csv(header, rows()), f"watchlist-{now:%Y%m%d-%H%M}.csv")


def _instrument_data(form: InstrumentForm) -> dict[str, Any]:
    data = {name: getattr(form, name).data for name in services.INSTRUMENT_FIELDS}
    data["body_id"] = int(form.body_id.data) if form.body_id.data else None
    return data



def _instrument_form_page(form: InstrumentForm, instrument: Any = None, status: int = 200) -> Any:
    body = db.session.get(Organisation, int(form.body_id.data)) if is_record_id(form.body_id.data) else None
    return render_template("monitoring/instrument_form.html", form=form, instrument=instrument, body=body,
                           **LABELS), status


@bp.route("/monitoring/instruments/new", methods=["GET", "POST"])
def new_instrument():
    """Start tracking a mandate, plan, law or budget line."""
    form = InstrumentForm()
    if form.validate_on_submit():
        try:
            instrument = services.create_instrument(_instrument_data(form), actor=acting_user(), now=now_utc(),
                                                    ip=client_ip())
        except services.MonitoringError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            services.set_following(instrument, acting_user(), True, now=now_utc())
            db.session.commit()
            flash(_("Instrument added. You follow it: you will be reminded before its decisions."), "success")
            return redirect(url_for("monitoring.instrument", instrument_id=instrument.id))
    return _instrument_form_page(form, status=422 if request.method == "POST" else 200)


@bp.get("/monitoring/instruments/<int:instrument_id>")
def instrument(instrument_id: int):
    """One instrument: its versions as a timeline, ratings and evidence, money, key people, linked work."""
    return _instrument_page(get_instrument_or_404(instrument_id, acting_user()))


def _instrument_page(item: Any, *, funding_form: FundingForm | None = None, key_post_form: KeyPostForm | None = None,
                     status: int = 200) -> Any:
    """The instrument's page, with the forms of a refused submission (and their messages) when there is one."""
    user = acting_user()
    return render_template("monitoring/instrument.html", page=queries.instrument_page(item, user), i=item,
                           can_change=can_change(user), funding_form=funding_form or FundingForm(formdata=None),
                           key_post_form=key_post_form or KeyPostForm(formdata=None),
                           publish_form=PublishForm(formdata=None, public_summary=item.public_summary),
                           now=now_utc(), **LABELS), status


@bp.route("/monitoring/instruments/<int:instrument_id>/edit", methods=["GET", "POST"])
def edit_instrument(instrument_id: int):
    """Change an instrument's facts and dates."""
    item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
    form = InstrumentForm(obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.countries.data = ", ".join(item.country_codes)
        form.body_id.data = str(item.body_id or "")
        form.revision.data = str(item.revision)
    if form.validate_on_submit():
        revision = form.revision.data
        try:
            services.update_instrument(item, _instrument_data(form),
                                       expected_revision=int(revision) if str(revision or "").isdigit() else None,
                                       actor=acting_user(), now=now_utc(), ip=client_ip())
        except services.MonitoringError as exc:
            db.session.rollback()
            show_error(form, exc)
            return _instrument_form_page(form, get_instrument_or_404(instrument_id, acting_user()), status=409
                                         if exc.field is None else 422)
        db.session.commit()
        flash(_("Instrument saved."), "success")
        return redirect(url_for("monitoring.instrument", instrument_id=item.id))
    return _instrument_form_page(form, item, status=422 if request.method == "POST" else 200)


@bp.post("/monitoring/instruments/<int:instrument_id>/archive")
def archive_instrument(instrument_id: int):
    """Archive an instrument: off the watchlist, kept with its history."""
    item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
    services.set_archived(item, True, actor=acting_user(), now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("Instrument archived. It stays in the archive with its history."), "success")
    return redirect(url_for("monitoring.instrument", instrument_id=item.id)), 303


@bp.post("/monitoring/instruments/<int:instrument_id>/restore")
def restore_instrument(instrument_id: int):
    """Bring an archived instrument back to the watchlist."""
    item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
    services.set_archived(item, False, actor=acting_user(), now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("Instrument restored."), "success")
    return redirect(url_for("monitoring.instrument", instrument_id=item.id)), 303


@bp.route("/monitoring/instruments/<int:instrument_id>/versions/new", methods=["GET", "POST"])
def new_version(instrument_id: int):
    """Record a renewal or a new edition, then rate it."""
    item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
    form = VersionForm()
    if form.validate_on_submit():
        try:
            version = services.add_version(item, form.data, actor=acting_user(), now=now_utc(), ip=client_ip())
        except services.MonitoringError as exc:
            db.session.rollback()
            item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Version %(ref)s recorded. Now rate it against each criterion.", ref=version.reference),
                  "success")
            return redirect(url_for("monitoring.rate", instrument_id=item.id, version_id=version.id))
    return render_template("monitoring/version_form.html", form=form, i=item), (
        422 if request.method == "POST" else 200)


@bp.route("/monitoring/instruments/<int:instrument_id>/versions/<int:version_id>/rate", methods=["GET", "POST"])
def rate(instrument_id: int, version_id: int):
    """Rate a version against each criterion, with the evidence."""
    item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
    version = get_version_or_404(item, version_id)
    criteria = services.active_criteria()
    page = queries.instrument_page(item, acting_user())
    current = page.evidence.get(version.id, {})
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        form = ActionForm()
        rows = []
        for criterion in criteria:
            row = RatingRow(request.form, prefix=f"c{criterion.id}")
            if not row.validate():
                errors.append(_("%(name)s: %(errors)s", name=criterion.name,
                                errors=" ".join(str(e) for errs in row.errors.values() for e in errs)))
                continue
            value = row.rating.data
            rows.append(services.Rating(criterion.id, int(value) if value not in (None, "") else None,
                                        row.evidence_quote.data, row.evidence_page.data, row.evidence_url.data))
        if form.validate() and not errors:
            try:
                count = services.rate_version(version, rows, actor=acting_user(), now=now_utc(), ip=client_ip())
            except services.MonitoringError as exc:
                db.session.rollback()
                errors.append(exc.message)
            else:
                db.session.commit()
                flash(_("%(n)d ratings recorded.", n=count) if count else _("Nothing changed."), "success")
                return redirect(url_for("monitoring.instrument", instrument_id=item.id) + f"#version-{version.id}")
        errors.extend(str(e) for e in form.errors.get("csrf_token", []))
        status = 422
    forms = []
    for criterion in criteria:
        held = current.get(criterion.id)
        row = RatingRow(request.form if request.method == "POST" else None, prefix=f"c{criterion.id}",
                        rating=str(held.rating) if held else "", evidence_quote=held.evidence_quote if held else None,
                        evidence_page=held.evidence_page if held else None,
                        evidence_url=held.evidence_url if held else None)
        forms.append((criterion, row))
    return render_template("monitoring/rate.html", i=item, version=version, rows=forms, errors=errors,
                           csrf=ActionForm(formdata=None)), status


@bp.post("/monitoring/instruments/<int:instrument_id>/funding")
def add_funding(instrument_id: int):
    """Add an amount required, allocated or spent."""
    item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
    form = FundingForm()
    if form.validate_on_submit():
        try:
            services.add_funding(item, form.data, actor=acting_user(), now=now_utc(), ip=client_ip())
        except services.MonitoringError as exc:
            db.session.rollback()
            item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Amount recorded."), "success")
            return redirect(url_for("monitoring.instrument", instrument_id=item.id) + "#money"), 303
    return _instrument_page(item, funding_form=form, status=422)


@bp.post("/monitoring/instruments/<int:instrument_id>/funding/<int:funding_id>/withdraw")
def withdraw_funding(instrument_id: int, funding_id: int):
    """Hide an amount entered by mistake (kept in the database and the audit log)."""
    item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
    entry = db.session.scalar(select(Funding).where(Funding.id == funding_id, Funding.instrument_id == item.id))
    if entry is None:
        abort(404)
    services.withdraw_funding(entry, actor=acting_user(), now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("Amount withdrawn."), "success")
    return redirect(url_for("monitoring.instrument", instrument_id=item.id) + "#money"), 303


@bp.post("/monitoring/instruments/<int:instrument_id>/key-posts")
def add_key_post(instrument_id: int):
    """Name a post that matters for this instrument."""
    item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
    form = KeyPostForm()
    if form.validate_on_submit():
        try:
            services.add_key_post(item, organisation_id=int(form.organisation_id.data), title=form.title.data,
                                  actor=acting_user(), now=now_utc(), ip=client_ip())
        except services.MonitoringError as exc:
            db.session.rollback()
            item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Key post added."), "success")
            return redirect(url_for("monitoring.instrument", instrument_id=item.id) + "#people"), 303
    return _instrument_page(item, key_post_form=form, status=422)


@bp.post("/monitoring/instruments/<int:instrument_id>/key-posts/<int:post_id>/remove")
def remove_key_post(instrument_id: int, post_id: int):
    """Stop listing a key post."""
    item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
    post = db.session.scalar(select(KeyPost).where(KeyPost.id == post_id, KeyPost.instrument_id == item.id))
    if post is None:
        abort(404)
    services.remove_key_post(post, actor=acting_user(), now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("Key post removed."), "success")
    return redirect(url_for("monitoring.instrument", instrument_id=item.id) + "#people"), 303


@bp.post("/monitoring/instruments/<int:instrument_id>/follow")
def follow(instrument_id: int):
    """Follow an instrument (reminders before its decisions) or stop following it."""
    item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
    wanted = request.form.get("follow") == "1"
    services.set_following(item, acting_user(), wanted, now=now_utc())
    db.session.commit()
    flash(_("You follow this instrument.") if wanted else _("You no longer follow this instrument."), "success")
    return redirect(url_for("monitoring.instrument", instrument_id=item.id)), 303


@bp.post("/monitoring/instruments/<int:instrument_id>/publish")
def publish(instrument_id: int):
    """Publish the instrument's summary to the public directory, or withdraw it."""
    item = get_instrument_or_404(instrument_id, acting_user(), need="edit")
    form = PublishForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errs in form.errors.values() for e in errs), "danger")
        return redirect(url_for("monitoring.instrument", instrument_id=item.id)), 303
    services.publish_summary(item, form.public_summary.data, actor=acting_user(), now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("Summary published.") if item.is_public else _("Summary withdrawn from the public directory."),
          "success")
    return redirect(url_for("monitoring.instrument", instrument_id=item.id)), 303


@bp.get("/monitoring/published")
def published():
    """Instruments whose summary an admin published: what the coalition watches, for everyone."""
    return render_template("monitoring/published.html", instruments=queries.published(), **LABELS)


@bp.route("/monitoring/criteria", methods=["GET", "POST"])
def criteria():
    """The criteria every instrument is rated against; admins add new ones."""
    form = CriterionForm()
    status = 200
    if form.validate_on_submit():
        try:
            criterion = services.add_criterion(form.data, actor=acting_user(), now=now_utc(), ip=client_ip())
        except services.MonitoringError as exc:
            db.session.rollback()
            show_error(form, exc)
            status = 422
        else:
            db.session.commit()
            flash(_("Criterion “%(name)s” added.", name=criterion.name), "success")
            return redirect(url_for("monitoring.criteria")), 303
    elif request.method == "POST":
        status = 422
    rows = list(db.session.scalars(select(Criterion).order_by(Criterion.is_archived, Criterion.position,
                                                              Criterion.id)))
    return render_template("monitoring/criteria.html", form=form, criteria=rows), status


@bp.post("/monitoring/criteria/<int:criterion_id>/archive")
def archive_criterion(criterion_id: int):
    """Stop rating against a criterion (past ratings stay), or resume."""
    criterion = db.session.get(Criterion, criterion_id)
    if criterion is None:
        abort(404)
    services.set_criterion_archived(criterion, not criterion.is_archived, actor=acting_user(), now=now_utc(),
                                    ip=client_ip())
    db.session.commit()
    return redirect(url_for("monitoring.criteria")), 303


def _link_form() -> LinkForm:
    form = LinkForm()
    form.instrument_id.choices = choices([(str(i), label) for i, label in queries.instrument_choices()])
    return form


def _link(**record: int) -> Any:
    form = _link_form()
    back = safe_next(request.form.get("next"), url_for("home.today"))
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errs in form.errors.values() for e in errs), "danger")
        return redirect(back), 303
    item = get_instrument_or_404(int(form.instrument_id.data), acting_user())
    try:
        services.link_work(item, actor=acting_user(), now=now_utc(), ip=client_ip(), **record)
    except services.MonitoringError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(back), 303
    db.session.commit()
    flash(_("Linked to %(name)s.", name=item.short_name or item.title), "success")
    return redirect(back), 303


@bp.post("/meetings/<int:meeting_id>/instruments")
def link_meeting(meeting_id: int):
    """Tag a meeting with an instrument it concerns."""
    meeting = get_meeting_or_404(meeting_id, acting_user(), need="edit")
    return _link(meeting_id=meeting.id)


@bp.post("/commitments/<int:commitment_id>/instruments")
def link_commitment(commitment_id: int):
    """Tag a commitment with an instrument it concerns."""
    commitment = get_commitment_or_404(commitment_id, acting_user(), need="edit")
    return _link(commitment_id=commitment.id)


@bp.post("/monitoring/links/<int:link_id>/remove")
def unlink(link_id: int):
    """Remove a tag put on the wrong meeting or commitment."""
    user = acting_user()
    link = db.session.get(InstrumentLink, link_id)
    if link is None:
        abort(404)
    if link.meeting_id is not None:
        meeting = get_meeting_or_404(link.meeting_id, user)
        allowed = can_edit_meeting(user, meeting)
    else:
        commitment = get_commitment_or_404(link.commitment_id or 0, user)
        allowed = can_change_commitment(user, commitment)
    if not allowed:
        abort(403)
    services.unlink_work(link, actor=user, now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("Link removed."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("home.today"))), 303
