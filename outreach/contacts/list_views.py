"""Contact lists: the Lists page, a list's members, starting, editing, archiving a list, members one by one."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.contacts import bp, csv_io, lists, queries
from outreach.contacts.access import get_list_or_404
from outreach.contacts.forms import AddToListForm, ListForm
from outreach.contacts.models import Contact, ContactList
from outreach.core.audit import record_event
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.pagination import offset_page, parse_page
from outreach.core.permissions import STAFF, Capability, has_capability
from outreach.core.security import client_ip
from outreach.core.time import now_utc
from outreach.core.web import acting_user, csv_response, show_error

PAGE_SIZE = 50


def _owner_choices(current: int | None) -> list[tuple[int, str]]:
    """Staff who may look after a list (and the current owner, whoever they are now)."""
    rows = db.session.execute(select(User.id, User.name).where(
        User.role.in_([r.value for r in STAFF]), User.is_active_account.is_(True)).order_by(User.name).limit(500)).all()
    choices = [(uid, name) for uid, name in rows]
    if current and all(uid != current for uid, _n in choices):
        owner = db.session.get(User, current)
        if owner is not None:
            choices.append((owner.id, owner.name))
    return choices


def _contact_or_404(contact_id: int) -> Contact:
    person = db.session.get(Contact, contact_id)
    if person is None:
        abort(404)
    return person


@bp.get("/lists")
def lists_index():
    """Every contact list with its owner and size; archived ones on their own page."""
    archived = request.args.get("archived") == "1"
    page = offset_page(lists.lists_statement(archived=archived).options(selectinload(ContactList.owner)),
                       number=parse_page(request.args.get("page")), size=PAGE_SIZE)
    counts = lists.member_counts([lst.id for lst in page.items])
    return render_template("contacts/lists.html", page=page, counts=counts, archived=archived)


def _form_page(form: ListForm, lst: ContactList | None, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("contacts/list_form.html", form=form, contact_list=lst), status


@bp.route("/lists/new", methods=["GET", "POST"])
def new_list():
    """Start a contact list."""
    me = acting_user()
    form = ListForm()
    form.owner_id.choices = _owner_choices(me.id)
    if request.method == "GET":
        form.owner_id.data = me.id
        return _form_page(form, None)
    if not form.validate_on_submit():
        return _form_page(form, None, 422)
    try:
        lst = lists.create_list(lists.ListData(form.name.data, form.description.data, form.owner_id.data), actor=me,
                                now=now_utc(), ip=client_ip())
    except lists.ListError as exc:
        db.session.rollback()
        show_error(form, exc)
        return _form_page(form, None, exc.status)
    db.session.commit()
    flash(_("The list “%(name)s” is ready. Add contacts from the contact list: tick them, then “Add to a list”.",
            name=lst.name), "success")
    return redirect(url_for("contacts.contact_list", list_id=lst.id))


@bp.route("/lists/<int:list_id>/edit", methods=["GET", "POST"])
def edit_list(list_id: int):
    """Rename a list, change its description or owner."""
    me = acting_user()
    lst = get_list_or_404(list_id, me, need="edit")
    form = ListForm(obj=lst) if request.method == "GET" else ListForm()
    form.owner_id.choices = _owner_choices(lst.owner_id)
    if request.method == "GET":
        return _form_page(form, lst)
    if not form.validate_on_submit():
        return _form_page(form, lst, 422)
    try:
        lists.update_list(lst, lists.ListData(form.name.data, form.description.data, form.owner_id.data), actor=me,
                          now=now_utc(), ip=client_ip())
    except lists.ListError as exc:
        db.session.rollback()
        lst = get_list_or_404(list_id, me, need="edit")
        show_error(form, exc)
        return _form_page(form, lst, exc.status)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("contacts.contact_list", list_id=lst.id))


@bp.get("/lists/<int:list_id>")
def contact_list(list_id: int):
    """A list's members, by name, a page at a time."""
    lst = get_list_or_404(list_id, acting_user())
    stmt = (lists.members_statement(lst).options(*queries.contact_loader_options())
            .order_by(Contact.last_name, Contact.first_name, Contact.id))
    page = offset_page(stmt, number=parse_page(request.args.get("page")), size=PAGE_SIZE)
    total = lists.member_counts([lst.id]).get(lst.id, 0)
    return render_template("contacts/list.html", contact_list=lst, page=page, total=total)


def _set_archived(list_id: int, archived: bool):  # type: ignore[no-untyped-def]
    me = acting_user()
    lst = get_list_or_404(list_id, me, need="edit")
    try:
        lists.set_list_archived(lst, archived, actor=me, now=now_utc(), ip=client_ip())
    except lists.ListError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("contacts.contact_list", list_id=list_id)), 303
    db.session.commit()
    flash(_("The list “%(name)s” is archived: it leaves the menus and keeps its members. Restore it at any time.",
            name=lst.name) if archived else _("The list “%(name)s” is back.", name=lst.name), "success")
    return redirect(url_for("contacts.contact_list", list_id=lst.id)), 303


@bp.post("/lists/<int:list_id>/archive")
def archive_list(list_id: int):
    """Archive a list instead of deleting it."""
    return _set_archived(list_id, True)


@bp.post("/lists/<int:list_id>/restore")
def restore_list(list_id: int):
    """Bring an archived list back."""
    return _set_archived(list_id, False)


@bp.post("/lists/<int:list_id>/members/<int:contact_id>/remove")
def remove_list_member(list_id: int, contact_id: int):
    """Take one contact off a list (the audit log keeps that they were on it)."""
    me = acting_user()
    lst = get_list_or_404(list_id, me, need="edit")
    person = _contact_or_404(contact_id)
    if not lists.remove_member(lst, person, actor=me, now=now_utc(), ip=client_ip()):
        abort(404)
    db.session.commit()
    flash(_("%(name)s is off the list “%(list)s”.", name=person.full_name, list=lst.name), "success")
    back = request.form.get("back")
    if back == "contact":
        return redirect(url_for("contacts.contact", contact_id=person.id)), 303
    return redirect(url_for("contacts.contact_list", list_id=lst.id)), 303


@bp.post("/contacts/<int:contact_id>/lists")
def add_to_list(contact_id: int):
    """Put one contact on a list, from the contact's page."""
    me = acting_user()
    person = _contact_or_404(contact_id)
    form = AddToListForm()
    back = redirect(url_for("contacts.contact", contact_id=person.id)), 303
    if not form.validate_on_submit():
        flash(_("Choose a list from the menu."), "danger")
        return back
    lst = db.session.get(ContactList, form.list_id.data)
    if lst is None:
        flash(_("That list no longer exists; choose another."), "danger")
        return back
    try:
        added, _already = lists.add_members(lst, [person.id], actor=me, now=now_utc(), ip=client_ip())
    except lists.ListError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return back
    db.session.commit()
    flash(_("%(name)s is on the list “%(list)s”.", name=person.full_name, list=lst.name) if added
          else _("%(name)s was already on the list “%(list)s”.", name=person.full_name, list=lst.name), "success")
    return back


@bp.post("/lists/<int:list_id>/export")
def export_list(list_id: int):
    """Download a list's members as CSV (audited)."""
    me = acting_user()
    lst = get_list_or_404(list_id, me)
    if not has_capability(me, Capability.IMPORT_EXPORT_DIRECTORY):
        abort(403)
    now = now_utc()
    record_event("contact_list.export", actor=me, now=now, record=lst, ip=client_ip())
    db.session.commit()
    chunks = csv_io.write_csv(csv_io.CONTACT_COLUMNS, csv_io.contact_rows(lists.members_statement(lst)))
    return csv_response(chunks, f"list-{lst.id}-{now:%Y%m%d-%H%M}.csv")

