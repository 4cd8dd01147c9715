"""The hub inside Outreach: submit, review, publish, retire; collections, vocabularies, reach; suggestions;
sharing a resource in a meeting. The public pages are in hub_views.py."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.contacts.models import Organisation
from outreach.core.db import db
from outreach.core.forms import search_text
from outreach.core.pagination import keyset_by_id_desc, parse_cursor
from outreach.core.time import now_utc
from outreach.core.web import acting_user, show_error
from outreach.meetings.access import get_meeting_or_404
from outreach.resources import bp, queries, services
from outreach.resources.access import (can_curate, can_edit_resource, can_see_internal, get_resource_or_404,
                                       visible_resources)
from outreach.resources.forms import (EVIDENCE_LABELS, KIND_LABELS, LANGUAGE_NAMES, STATUS_LABELS, CollectionForm,
                                      CollectionItemsForm, ReasonForm, ResourceForm, ShareForm, SuggestionForm,
                                      TermForm)
from outreach.resources.models import Audience, Collection, CollectionItem, Resource, Topic
from outreach.resources.web import act, chosen_resource
from outreach.resources.uploads import UploadTooLarge, attach_file, read_limited, stored_path

LABELS = {"kind_labels": KIND_LABELS, "evidence_labels": EVIDENCE_LABELS, "status_labels": STATUS_LABELS,
          "language_names": LANGUAGE_NAMES}
PAGE_SIZE = 50




# --- the list and one resource ---------------------------------------------------------------

@bp.get("")
def index():
    """Resources the user may see, newest first; curators open on the review queue."""
    status = request.args.get("status") or ""
    if status not in STATUS_LABELS:
        status = ""
    stmt = select(Resource).options(selectinload(Resource.publisher)).where(visible_resources(acting_user()))
    if status:
        stmt = stmt.where(Resource.status == status)
    page = keyset_by_id_desc(stmt, Resource.id, after=parse_cursor(request.args.get("after")),
                             before=parse_cursor(request.args.get("before")), size=PAGE_SIZE)
    return render_template("resources/index.html", page=page, status=status, can_curate=can_curate(acting_user()),
                           **LABELS)


@bp.get("/<int(max=2147483647):resource_id>")
def show(resource_id: int):
    """One resource with its state, its review reason and internal notes (for those who may read them)."""
    user = acting_user()
    item = get_resource_or_404(resource_id, user)
    return render_template("resources/show.html", resource=item, can_edit=can_edit_resource(user, item),
                           can_curate=can_curate(user), internal=can_see_internal(user, item),
                           reason_form=ReasonForm(), evidence_of=queries.evidence_of(user, item), **LABELS)


@bp.get("/<int(max=2147483647):resource_id>/file")
def file(resource_id: int):
    """The uploaded file of a resource the user may see (drafts included), as an attachment."""
    item = get_resource_or_404(resource_id, acting_user())
    if item.file is None:
        abort(404)
    path = stored_path(current_app.config["INSTANCE_PATH"], item.file.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=item.file.content_type, as_attachment=True,
                         download_name=item.file.download_name)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- submitting and editing ------------------------------------------------------------------

def _resource_form(item: Resource | None = None) -> ResourceForm:
    topics, audiences = queries.vocabularies()
    if request.method == "GET" and item is not None:
        form = ResourceForm(data={
            "title": item.title, "summary": item.summary, "kind": item.kind, "publisher_id": item.publisher_id or "",
            "url": item.url, "issued_on": item.issued_on, "evidence": item.evidence or "",
            "topics": [str(t.id) for t in item.topics], "audiences": [str(a.id) for a in item.audiences],
            "languages": ", ".join(lang.code for lang in item.languages),
            "places": ", ".join(p.code for p in item.places), "internal_notes": item.internal_notes})
    else:
        form = ResourceForm()
    form.set_vocabularies(topics, audiences)
    return form


def _render_form(form: ResourceForm, item: Resource | None, status: int = 200) -> Any:
    publisher = None
    if form.publisher_id.data and str(form.publisher_id.data).isdigit() and int(form.publisher_id.data) < 2**31:
        publisher = db.session.get(Organisation, int(form.publisher_id.data))
    return render_template("resources/edit.html", form=form, resource=item, publisher=publisher,
                           max_mb=current_app.config["RESOURCE_MAX_UPLOAD"] // (1024 * 1024)), status


def _save(form: ResourceForm, item: Resource | None) -> Any:
    upload = request.files.get(form.file.name)
    try:
        content = None
        if upload and upload.filename:
            try:
                content = read_limited(upload.stream, current_app.config["RESOURCE_MAX_UPLOAD"])
            finally:
                upload.close()
        data = services.ResourceData(**form.to_data())
        now = now_utc()
        if item is None:
            item = services.create_resource(data, actor=acting_user(), now=now)
        else:
            services.update_resource(item, data, actor=acting_user(), now=now)
        if content is not None:
            attach_file(item, content, upload.filename, instance_path=current_app.config["INSTANCE_PATH"], now=now)
            db.session.flush()
    except UploadTooLarge as exc:
        db.session.rollback()
        show_error(form, exc)
        return _render_form(form, None if item is None or item.id is None else item, 413)
    except services.ResourceError as exc:
        db.session.rollback()
        show_error(form, exc)
        return _render_form(form, item if item is not None and item.id else None, 422)
    db.session.commit()
    flash(_("Resource saved."), "success")
    return redirect(url_for("resources.show", resource_id=item.id))


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Add a resource as a draft."""
    form = _resource_form()
    if request.method == "GET" or not form.validate_on_submit():
        return _render_form(form, None, 200 if request.method == "GET" else 422)
    return _save(form, None)


@bp.route("/<int(max=2147483647):resource_id>/edit", methods=["GET", "POST"])
def edit(resource_id: int):
    """Edit a draft (or, for curators, a resource in review or published)."""
    item = get_resource_or_404(resource_id, acting_user(), need="edit")
    form = _resource_form(item)
    if request.method == "GET" or not form.validate_on_submit():
        return _render_form(form, item, 200 if request.method == "GET" else 422)
    return _save(form, item)


@bp.post("/<int(max=2147483647):resource_id>/submit")
def submit(resource_id: int):
    """Send a draft to the managers for review."""
    item = get_resource_or_404(resource_id, acting_user(), need="edit")

    def step() -> None:
        services.submit_for_review(item, actor=acting_user(), now=now_utc())

    return act(step, url_for("resources.show", resource_id=resource_id),
                _("Sent for review. A manager will publish it or send it back with a reason."))


# --- review ----------------------------------------------------------------------------------

@bp.post("/<int(max=2147483647):resource_id>/review")
def review(resource_id: int):
    """Publish a resource, or send it back with a reason."""
    item = get_resource_or_404(resource_id, acting_user())
    form = ReasonForm()
    action = request.form.get("action")
    if action not in ("publish", "send_back") or not form.validate():
        flash(_("Choose to publish it or to send it back with a reason."), "danger")
        return redirect(url_for("resources.show", resource_id=resource_id)), 303

    def step() -> None:
        if action == "publish":
            services.publish(item, actor=acting_user(), now=now_utc())
        else:
            services.send_back(item, form.reason.data or "", actor=acting_user(), now=now_utc())

    return act(step, url_for("resources.show", resource_id=resource_id),
                _("Published on the hub.") if action == "publish" else _("Sent back with your reason."))


@bp.post("/<int(max=2147483647):resource_id>/retire")
def retire(resource_id: int):
    """Take a resource off the hub; it is kept, hidden, with the reason."""
    item = get_resource_or_404(resource_id, acting_user())
    form = ReasonForm()

    def step() -> None:
        if not form.validate():
            raise services.ResourceError(_("Keep the reason shorter, without control characters."))
        services.retire(item, form.reason.data or "", actor=acting_user(), now=now_utc())

    return act(step, url_for("resources.show", resource_id=resource_id), _("Retired: it is no longer on the hub."))


# --- activists' suggestions ------------------------------------------------------------------

@bp.route("/suggest", methods=["GET", "POST"])
def suggest():
    """An activist suggests a resource or a story from the ground."""
    form = SuggestionForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.suggest(
                form.title.data, form.summary.data, form.url.data or None, actor=acting_user(), now=now_utc()
            )
        except services.ResourceError as exc:
            db.session.rollback()
            show_error(form, exc)
            return render_template("resources/suggest.html", form=form), 422
        db.session.commit()
        flash(_("Thank you. The coalition will review it; you will hear in your inbox when it is published."),
              "success")
        return redirect(url_for("resources.my_suggestions"))
    return render_template("resources/suggest.html", form=form), 200 if request.method == "GET" else 422


@bp.get("/suggestions")
def my_suggestions():
    """The activist's own suggestions and where they stand (no reviewer's notes)."""
    rows = db.session.scalars(select(Resource).where(Resource.suggested_by_id == current_user.id)
                              .order_by(Resource.id.desc()).limit(100)).all()
    return render_template("resources/my_suggestions.html", suggestions=rows, **LABELS)


# --- collections -----------------------------------------------------------------------------

@bp.get("/collections")
def collections():
    """Every collection with its short link."""
    rows = db.session.scalars(select(Collection).order_by(Collection.is_archived, Collection.title).limit(500)).all()
    return render_template("resources/collections.html", collections=rows, form=CollectionForm())


@bp.post("/collections")
def new_collection():
    """Make a collection with a short, stable link."""
    form = CollectionForm()
    if form.validate_on_submit():
        try:
            made = services.create_collection(form.title.data, form.description.data or "", slug=form.slug.data,
                                              actor=acting_user(), now=now_utc())
        except services.ResourceError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Collection made. Its short link: %(link)s", link=url_for("hub.collection", slug=made.slug,
                                                                                _external=True)), "success")
            return redirect(url_for("resources.collection", collection_id=made.id))
    rows = db.session.scalars(select(Collection).order_by(Collection.title).limit(500)).all()
    return render_template("resources/collections.html", collections=rows, form=form), 422


@bp.get("/collections/<int(max=2147483647):collection_id>")
def collection(collection_id: int):
    """One collection: its link and the resources it holds, in order."""
    found = db.session.get(Collection, collection_id)
    if found is None:
        abort(404)
    items = db.session.scalars(select(CollectionItem).options(selectinload(CollectionItem.resource))
                               .where(CollectionItem.collection_id == found.id).order_by(CollectionItem.position)).all()
    form = CollectionItemsForm(data={"resource_ids": ", ".join(str(i.resource_id) for i in items)})
    return render_template("resources/collection.html", collection=found, items=items, form=form, **LABELS)


@bp.post("/collections/<int(max=2147483647):collection_id>/items")
def collection_items(collection_id: int):
    """Set what a collection holds."""
    found = db.session.get(Collection, collection_id)
    if found is None:
        abort(404)
    form = CollectionItemsForm()

    def step() -> None:
        if not form.validate_on_submit():
            raise services.ResourceError(_("Check the list of numbers."))
        try:
            ids = form.ids()
        except ValueError:
            raise services.ResourceError(_("Use the resources' numbers, separated by commas.")) from None
        services.set_collection_items(found, ids, actor=acting_user(), now=now_utc())

    return act(step, url_for("resources.collection", collection_id=collection_id), _("Collection saved."))


# --- vocabularies and reach ------------------------------------------------------------------

@bp.route("/vocabulary", methods=["GET", "POST"])
def vocabulary():
    """The topics and audiences resources are filed under: data, not code."""
    form = TermForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            model = Topic if form.kind.data == "topic" else Audience
            try:
                services.add_term(model, form.name.data, actor=acting_user(), now=now_utc())
            except services.ResourceError as exc:
                db.session.rollback()
                show_error(form, exc)
                status = 422
            else:
                db.session.commit()
                flash(_("Added."), "success")
                return redirect(url_for("resources.vocabulary"))
        else:
            status = 422
    topics, audiences = queries.vocabularies()
    return render_template("resources/vocabulary.html", form=form, topics=topics, audiences=audiences), status


@bp.get("/reach")
def reach():
    """How often resources and collections were opened, and what was shared most in meetings."""
    return render_template("resources/reach.html", reach=queries.reach(now_utc().date()))


# --- sharing in a meeting --------------------------------------------------------------------

@bp.get("/picker")
def picker():
    """The resource picker (htmx): published resources matching what was typed."""
    q = search_text(request.args.get("q"))
    return render_template("resources/_picker_results.html", resources=queries.pick_published(q),
                           picker=request.args.get("picker") or "", q=q)


@bp.post("/share/<int(max=2147483647):meeting_id>")
def share(meeting_id: int):
    """Record which attendees a resource was shared with in a meeting (and perhaps a follow-up to send it)."""
    meeting = get_meeting_or_404(meeting_id, acting_user(), need="edit")
    form = ShareForm()
    back = url_for("meetings.show", meeting_id=meeting.id) + "#shared-resources"

    def step() -> str:
        item = chosen_resource(form)
        now = now_utc()
        due = services.default_follow_up_due(now) if form.follow_up.data else None
        added = services.share(
            meeting,
            item,
            [int(c) for c in form.contact_ids.data or []],
            actor=acting_user(),
            now=now,
            follow_up_due=due,
        )
        return (_("Recorded: shared with %(n)d attendee(s).", n=len(added)) if added
                else _("Already recorded for these attendees."))

    return act(step, back, None)
