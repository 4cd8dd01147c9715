"""Directory pages: organisations, contacts, positions, relationships, search, the public directory."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.contacts import access, badges, bp, bulk, csv_io, fields, lists, queries, reference, services
from outreach.contacts.access import get_contact_or_404
from outreach.contacts.forms import (
    CONTACT_FILTERS,
    KIND_LABELS,
    RELATIONSHIP_LABELS,
    STANCE_LABELS,
    ContactFilterForm,
    ContactForm,
    EndPositionForm,
    PositionForm,
    RelationshipForm,
)
from outreach.contacts.models import Contact, Organisation, Position, Relationship
from outreach.core.db import db, parse_version_token, version_token
from outreach.core.bulk import bulk_action, bulk_actions_for
from outreach.core.errors import ServiceError
from outreach.core.forms import has_control_characters, search_text
from outreach.core.home import build_panels
from outreach.core.pagination import OffsetPage, offset_page, parse_page
from outreach.core.permissions import Capability, has_capability
from outreach.core.security import client_ip
from outreach.core.time import now_utc, to_zone
from outreach.core.ids import parse_id
from outreach.core.web import acting_user, csv_response, is_htmx, show_error

PAGE_SIZE = 50
SEARCH_PAGE_SIZE = 50
#: Ranked matches a search hands over (the contact list shows the best SEARCH_PAGE_SIZE; bulk actions take all).
SEARCH_LIMIT = 500


@bp.record_once
def _directory_helpers(state: Any) -> None:
    # Globals rather than a context processor, so that imported macros see them too.
    state.app.jinja_env.globals.update(
        country_name=reference.country_name,
        language_name=reference.language_name,
        phone_display=reference.phone_display,
        org_kind_label=lambda value: KIND_LABELS.get(value, value),
        stance_label=lambda value: STANCE_LABELS.get(value, value),
        stance_badge=badges.stance_badge,
        influence_dots=badges.influence_dots,
        current_post_html=badges.current_post,
        relationship_label=lambda value: RELATIONSHIP_LABELS.get(value, value),
        is_web_address=fields.is_web_address,
    )


class ResultPage:
    """Ranked search results shown as one page (no pager)."""

    has_next = has_prev = False
    number = 1

    def __init__(self, items: list[Any]) -> None:
        self.items = items







# -- contacts ----------------------------------------------------------------------------------

def _contact_list_page(form: ContactFilterForm, user: Any, now: Any) -> tuple[Any, tuple[int, bool] | None, Any]:
    """The page of contacts the filters show, their total (exact up to bulk.COUNT_CAP) and the filters' statement."""
    stmt = queries.contact_list_statement(form.data, now=now)
    if form.q.data:
        # Searching: the best matches, ranked, then the filters.
        found = queries.search_contact_ids(form.q.data, user=user, limit=SEARCH_LIMIT,
                                            include_archived=bool(form.archived.data))
        stmt = stmt.where(Contact.id.in_(found))
        order = {cid: i for i, cid in enumerate(found)}
        matching = sorted(db.session.scalars(stmt.with_only_columns(Contact.id)).all(), key=order.__getitem__)
        shown = {cid: i for i, cid in enumerate(matching[:SEARCH_PAGE_SIZE])}
        rows = sorted(queries.listed_contacts(stmt.where(Contact.id.in_(list(shown)))), key=lambda c: shown[c.id])
        # The ranking hands over at most SEARCH_LIMIT matches: that many means "at least".
        return ResultPage(rows), (len(matching), len(found) >= SEARCH_LIMIT), stmt
    sort = {"updated": (Contact.updated_at.desc(), Contact.id.desc()),
            "influence": (Contact.influence.desc(), Contact.last_name, Contact.first_name, Contact.id)}.get(
        form.sort.data or "name", (Contact.last_name, Contact.first_name, Contact.id))
    number = parse_page(request.args.get("page"))
    rows = queries.listed_contacts(stmt.order_by(*sort).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    page = OffsetPage(rows[:PAGE_SIZE], number=number, has_next=len(rows) > PAGE_SIZE)
    # Counted on every page, even a short one: the page runs the same statements whatever the data.
    return page, bulk.count_matches(stmt), stmt


def _bulk_controls(user: Any) -> dict[str, Any]:
    """What the contact list offers *user* to do with a selection (nothing to partners)."""
    can_edit = has_capability(user, Capability.EDIT_DIRECTORY)
    can_export = has_capability(user, Capability.IMPORT_EXPORT_DIRECTORY)
    extra = [(a, a.choices(user)) for a in bulk_actions_for("contacts", user)] if can_edit else []
    return {"can_bulk": can_edit or can_export, "can_bulk_edit": can_edit, "can_bulk_export": can_export,
            "extra_actions": [(a, ch) for a, ch in extra if ch], "max_selection": bulk.MAX_SELECTION}


def _render_contact_list(form: ContactFilterForm, *, status: int = 200, error: Any = None):  # type: ignore[no-untyped-def]
    user, now = acting_user(), now_utc()
    page = total = None
    if not form.errors:
        page, total, _stmt = _contact_list_page(form, user, now)
    template = "contacts/_contact_rows.html" if is_htmx() else "contacts/index.html"
    organisation = db.session.get(Organisation, form.organisation.data) if form.organisation.data else None
    active = sum(1 for name in CONTACT_FILTERS if getattr(form, name).data)
    return render_template(template, form=form, page=page, total=total, searched=bool(form.q.data), now=now,
                           organisation=organisation, lists=lists.picker_lists(), active_filters=active,
                           filter_args=_filter_args(form), bulk_error=error, **_bulk_controls(user)), status


def _filter_args(form: ContactFilterForm) -> dict[str, Any]:
    """The list's filters as query arguments (no page): the bulk form's action and where it returns to."""
    return {name: request.args[name] for name in (*CONTACT_FILTERS, "q", "sort") if request.args.get(name)
            and not getattr(form, name).errors}


@bp.get("/contacts")
def index():
    """The contact directory: search, filters, sorting, pages, a total, and bulk actions on a selection."""
    form = ContactFilterForm(request.args)
    if not form.validate():
        return _render_contact_list(form, status=400)
    return _render_contact_list(form)


def _selection(form: ContactFilterForm, user: Any, now: Any) -> list[int]:
    scope = request.form.get("scope")
    if scope == "all":
        _page, _total, stmt = _contact_list_page(form, user, now)
        return bulk.selection_of_filters(stmt)
    ids = bulk.read_selection(request.form.getlist("page_ids" if scope == "page" else "ids"))
    bulk.check_exist(ids)
    return ids


def _bulk_text(name: str) -> str:
    value = request.form.get(name, "")
    if has_control_characters(value):
        raise bulk.BulkError(_("Keep this on one line, without control characters."), field=name, status=400)
    return value.strip()


def _apply_bulk(action: str, ids: list[int], user: Any, now: Any):  # type: ignore[no-untyped-def]
    """Run one bulk action on *ids*; returns a response for an export, else the message to flash."""
    controls = _bulk_controls(user)
    if action == "export":
        if not controls["can_bulk_export"]:
            abort(403)
        bulk.record_selection_export(ids, actor=user, now=now, ip=client_ip())
        db.session.commit()
        rows = csv_io.contact_rows(select(Contact).where(Contact.id.in_(ids)))
        return csv_response(csv_io.write_csv(csv_io.CONTACT_COLUMNS, rows), f"contacts-selected-{now:%Y%m%d-%H%M}.csv")
    if not controls["can_bulk_edit"]:
        abort(403)
    if action in ("tag_add", "tag_remove"):
        if action == "tag_add":
            tag, n = bulk.add_tag(ids, _bulk_text("bulk_tag"), actor=user, now=now, ip=client_ip())
            return ngettext("Tagged %(num)d contact “%(tag)s”.", "Tagged %(num)d contacts “%(tag)s”.", n, tag=tag.name)
        name, n = bulk.remove_tag(ids, _bulk_text("bulk_tag"), actor=user, now=now, ip=client_ip())
        return ngettext("Removed the tag “%(tag)s” from %(num)d contact.",
                        "Removed the tag “%(tag)s” from %(num)d contacts.", n, tag=name)
    if action == "list_add":
        lst = lists.list_for_bulk(request.form.get("bulk_list"), _bulk_text("bulk_new_list"), actor=user, now=now,
                                  ip=client_ip())
        added, already = lists.add_members(lst, ids, actor=user, now=now, ip=client_ip())
        message = ngettext("Added %(num)d contact to the list “%(name)s”.",
                           "Added %(num)d contacts to the list “%(name)s”.", added, name=lst.name)
        if already:
            message += " " + ngettext("%(num)d was already on it.", "%(num)d were already on it.", already)
        return message
    extra = bulk_action("contacts", action.removeprefix("ext:"), user) if action.startswith("ext:") else None
    if extra is None:
        raise bulk.BulkError(_("Choose what to do with the selected contacts."), field="action", status=400)
    return extra.apply(ids, parse_id(request.form.get(f"bulk_choice_{extra.key}")), actor=user, now=now,
                       ip=client_ip())


@bp.post("/contacts/bulk")
def bulk_contacts():
    """Tag, untag, add to a list, export, or a contributed action, on the selected contacts: all or nothing."""
    user, now = acting_user(), now_utc()
    form = ContactFilterForm(request.args)  # the filters travel in the form's action URL
    if not form.validate():
        return _render_contact_list(form, status=400, error=_("The filters are not valid; nothing was changed."))
    try:
        ids = _selection(form, user, now)
        result = _apply_bulk(request.form.get("action", ""), ids, user, now)
    except ServiceError as exc:
        db.session.rollback()
        return _render_contact_list(form, status=getattr(exc, "status", 422), error=exc.message)
    if not isinstance(result, str):
        return result
    db.session.commit()
    flash(result, "success")
    return redirect(url_for("contacts.index", **_filter_args(form))), 303


@bp.get("/contacts/<int:contact_id>")
def contact(contact_id: int):
    """One person: posts over time, how to reach them, who knows them."""
    user = acting_user()
    person = get_contact_or_404(contact_id, user, options=[
        selectinload(Contact.emails), selectinload(Contact.phones), selectinload(Contact.languages),
        selectinload(Contact.tags), selectinload(Contact.positions).selectinload(Position.organisation)])
    known = access.known_by(person.id, user)
    mine = next((r for r in known.shown if r.user_id == user.id), None)
    merged_into = db.session.get(Contact, person.merged_into_id) if person.merged_into_id else None
    now = now_utc()
    panels = build_panels("contact.detail", user, now, contact=person)
    actions = build_panels("contact.actions", user, now, contact=person)  # e.g. "Log a meeting", at the top
    return render_template("contacts/contact.html", contact=person, known_by=known.shown, known_others=known.others,
                           mine=mine, merged_into=merged_into, panels=panels, actions=actions, now=now,
                           today=to_zone(now, user.timezone).date(), end_form=EndPositionForm())


def _contact_form_page(form: ContactForm, contact: Contact | None, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("contacts/contact_form.html", form=form, contact=contact), status


@bp.route("/contacts/new", methods=["GET", "POST"])
def new_contact():
    """Add a person to the directory."""
    form = ContactForm()
    if request.method == "GET":
        return _contact_form_page(form, None)
    if not form.validate_on_submit():
        return _contact_form_page(form, None, 422)
    try:
        person = services.create_contact(form.data, actor=acting_user(), now=now_utc(), ip=client_ip())
    except ServiceError as exc:
        db.session.rollback()
        show_error(form, exc)
        return _contact_form_page(form, None, 422)
    db.session.commit()
    flash(_("%(name)s is in the directory. Add their current post next.", name=person.full_name), "success")
    return redirect(url_for("contacts.new_position", contact_id=person.id))


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
def edit_contact(contact_id: int):
    """Change a person's details."""
    person = get_contact_or_404(contact_id, acting_user(), need="edit")
    if request.method == "GET":
        form = ContactForm(obj=person)
        form.emails.data = "\n".join(e.email for e in person.emails)
        form.phones.data = "\n".join(p.number for p in person.phones)
        form.languages.data = ", ".join(reference.language_name(lang.code) for lang in person.languages)
        form.tags.data = ", ".join(t.name for t in person.tags)
        form.loaded_at.data = version_token(person.updated_at)
        return _contact_form_page(form, person)
    form = ContactForm()
    if not form.validate_on_submit():
        return _contact_form_page(form, person, 422)
    try:
        services.update_contact(person, form.data, actor=acting_user(), now=now_utc(), ip=client_ip(),
                                expected_updated_at=parse_version_token(form.loaded_at.data))
    except services.StaleContact as exc:
        db.session.rollback()
        person = get_contact_or_404(contact_id, acting_user(), need="edit")
        form.loaded_at.data = version_token(person.updated_at)
        show_error(form, exc)
        return _contact_form_page(form, person, 409)
    except ServiceError as exc:
        db.session.rollback()
        show_error(form, exc)
        return _contact_form_page(form, person, 422)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("contacts.contact", contact_id=person.id))


@bp.post("/contacts/<int:contact_id>/archive")
def archive_contact(contact_id: int):
    """Archive a contact: hidden from lists and pickers, restorable."""
    person = get_contact_or_404(contact_id, acting_user(), need="edit")
    services.set_contact_archived(person, True, actor=acting_user(), now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("%(name)s is archived. Restore them from their page at any time.", name=person.full_name), "success")
    return redirect(url_for("contacts.contact", contact_id=person.id))


@bp.post("/contacts/<int:contact_id>/restore")
def restore_contact(contact_id: int):
    """Bring an archived contact back."""
    person = get_contact_or_404(contact_id, acting_user(), need="edit")
    services.set_contact_archived(person, False, actor=acting_user(), now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("%(name)s is back in the directory.", name=person.full_name), "success")
    return redirect(url_for("contacts.contact", contact_id=person.id))


# -- positions ---------------------------------------------------------------------------------

@bp.route("/contacts/<int:contact_id>/positions/new", methods=["GET", "POST"])
def new_position(contact_id: int):
    """Record a post, or move the person to a new post in one step."""
    person = get_contact_or_404(contact_id, acting_user(), need="edit",
                                options=[selectinload(Contact.positions).selectinload(Position.organisation)])
    form = PositionForm()
    if request.method == "GET":
        form.move.data = request.args.get("move") == "1" and any(p.is_current for p in person.positions)
        return render_template("contacts/position_form.html", form=form, contact=person, organisation=None)
    org = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
    if not form.validate_on_submit() or org is None or org.is_archived:
        if form.organisation_id.data and (org is None or org.is_archived):
            form.organisation_id.errors = [*form.organisation_id.errors, _("Choose an organisation from the list.")]
        return render_template("contacts/position_form.html", form=form, contact=person, organisation=org), 422
    try:
        services.add_position(
            person,
            organisation=org,
            title=form.title.data,
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            move=form.move.data,
            keep_other_posts_here=form.keep_both.data,
            actor=acting_user(),
            now=now_utc(),
            ip=client_ip(),
        )
    except ServiceError as exc:
        db.session.rollback()
        show_error(form, exc)
        return render_template("contacts/position_form.html", form=form, contact=person, organisation=org), 422
    db.session.commit()
    flash(_("%(name)s moved to a new post.", name=person.full_name) if form.move.data else _("Post recorded."),
          "success")
    return redirect(url_for("contacts.contact", contact_id=person.id))


@bp.post("/positions/<int:position_id>/end")
def end_position(position_id: int):
    """Mark a post as ended."""
    position = db.session.get(Position, position_id)
    if position is None:
        abort(404)
    form = EndPositionForm()
    if not form.validate_on_submit():
        flash(_("Enter the date the post ended."), "danger")
        return redirect(url_for("contacts.contact", contact_id=position.contact_id)), 303
    try:
        services.end_position(position, form.end_date.data, actor=acting_user(), now=now_utc(), ip=client_ip())
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("contacts.contact", contact_id=position.contact_id)), 303
    db.session.commit()
    flash(_("The post is marked as ended."), "success")
    return redirect(url_for("contacts.contact", contact_id=position.contact_id))


# -- relationships -----------------------------------------------------------------------------

@bp.route("/contacts/<int:contact_id>/relationship", methods=["GET", "POST"])
def relationship(contact_id: int):
    """Record how you know this person."""
    user = acting_user()
    person = get_contact_or_404(contact_id, user)
    mine = db.session.scalar(select(Relationship).where(Relationship.user_id == user.id,
                                                        Relationship.contact_id == person.id))
    if request.method == "GET":
        active = mine if mine and not mine.is_archived else None
        form = RelationshipForm(obj=active)
        return render_template("contacts/relationship_form.html", form=form, contact=person, mine=active)
    form = RelationshipForm()
    if not form.validate_on_submit():
        return render_template("contacts/relationship_form.html", form=form, contact=person, mine=None), 422
    services.set_relationship(person, user, form.data, actor=user, now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("Saved: you know %(name)s.", name=person.full_name), "success")
    return redirect(url_for("contacts.contact", contact_id=person.id))


@bp.post("/contacts/<int:contact_id>/relationship/remove")
def remove_relationship(contact_id: int):
    """Stop listing yourself as knowing this person."""
    user = acting_user()
    person = get_contact_or_404(contact_id, user)
    mine = db.session.scalar(select(Relationship).where(Relationship.user_id == user.id,
                                                        Relationship.contact_id == person.id,
                                                        Relationship.is_archived.is_(False)))
    if mine is None:
        abort(404)
    services.remove_relationship(mine, actor=user, now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("Removed."), "success")
    return redirect(url_for("contacts.contact", contact_id=person.id))


@bp.get("/people-i-know")
def people_i_know():
    """The people the signed-in user knows."""
    return _known_by(acting_user(), own=True)


@bp.get("/partners/<int:user_id>")
def partner_network(user_id: int):
    """Whom one partner (or any colleague) knows: for coordinators pairing doors and requests."""
    from outreach.core.auth.models import User

    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    return _known_by(person, own=False)


def _known_by(user: Any, *, own: bool):  # type: ignore[no-untyped-def]
    stmt = (select(Relationship).join(Contact, Contact.id == Relationship.contact_id)
            .options(selectinload(Relationship.contact).selectinload(Contact.positions)
                     .selectinload(Position.organisation))
            .where(Relationship.user_id == user.id, Relationship.is_archived.is_(False), Contact.is_archived.is_(False))
            .order_by(Relationship.strength.desc(), Contact.last_name, Contact.id))
    page = offset_page(stmt, number=parse_page(request.args.get("page")), size=PAGE_SIZE)
    return render_template("contacts/people_i_know.html", page=page, person=user, own=own)


# -- search and the public directory -----------------------------------------------------------

@bp.get("/search")
def search():
    """One box for contacts and organisations; answers as you type (htmx) or as a page."""
    q = search_text(request.args.get("q"))
    picker = request.args.get("picker") or ""
    user = acting_user()
    if picker:
        orgs = queries.search_organisations(q, user=user, limit=12) if q else []
        return render_template("contacts/_org_picker_results.html", organisations=orgs, picker=picker, q=q)
    contacts = queries.search_contacts(q, user=user, limit=10) if q else []
    orgs = queries.search_organisations(q, user=user, limit=10) if q else []
    template = "contacts/_search_results.html" if is_htmx() else "contacts/search.html"
    return render_template(template, q=q, contacts=contacts, organisations=orgs)


@bp.get("/public")
def public_directory():
    """The directory everyone may read: name, title, organisation, country; nothing private."""
    q = search_text(request.args.get("q"))
    if q:
        rows = queries.search_contacts(q, user=acting_user(), limit=SEARCH_PAGE_SIZE)
        page = ResultPage(rows)
    else:
        stmt = (select(Contact).options(*queries.contact_loader_options())
                .where(Contact.is_archived.is_(False)).order_by(Contact.last_name, Contact.first_name, Contact.id))
        page = offset_page(stmt, number=parse_page(request.args.get("page")), size=PAGE_SIZE)
    template = "contacts/_public_rows.html" if is_htmx() else "contacts/public.html"
    return render_template(template, page=page, q=q)
