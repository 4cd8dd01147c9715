"""Organisation pages: list and tree, one organisation, create, edit, archive, restore."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from outreach.contacts import bp, queries, services
from outreach.contacts.forms import OrganisationFilterForm, OrganisationForm
from outreach.contacts.models import Contact, Organisation, Position
from outreach.contacts.access import get_organisation_or_404
from outreach.contacts.views import PAGE_SIZE, SEARCH_PAGE_SIZE, ResultPage
from outreach.core.db import db
from outreach.core.errors import ServiceError
from outreach.core.ids import parse_id
from outreach.core.home import build_panels
from outreach.core.pagination import offset_page, parse_page
from outreach.core.security import client_ip
from outreach.core.time import now_utc
from outreach.core.web import acting_user, is_htmx, show_error


@bp.get("/organisations")
def organisations():
    """Organisations as a filtered list or as an expandable tree."""
    form = OrganisationFilterForm(request.args)
    if not form.validate():
        return render_template("contacts/organisations.html", form=form, page=None, tree=False), 400
    tree = request.args.get("view") == "tree"
    stmt = queries.organisation_list_statement(form.data).options(selectinload(Organisation.parent))
    if form.q.data:
        found = queries.search_organisation_ids(form.q.data, user=acting_user(), limit=500,
                                                 include_archived=bool(form.archived.data))
        order = {oid: i for i, oid in enumerate(found)}
        rows = sorted(db.session.scalars(stmt.where(Organisation.id.in_(order))).all(), key=lambda o: order[o.id])
        page: Any = ResultPage(rows[:SEARCH_PAGE_SIZE])
        tree = False
    else:
        if tree:
            stmt = stmt.where(Organisation.parent_id.is_(None))
        order = ((Organisation.updated_at.desc(), Organisation.id.desc()) if form.sort.data == "updated"
                 else (func.lower(Organisation.name), Organisation.id))
        page = offset_page(stmt.order_by(*order), number=parse_page(request.args.get("page")), size=PAGE_SIZE)
    child_counts = _child_counts([o.id for o in page.items]) if tree else {}
    template = "contacts/_organisation_rows.html" if is_htmx() else "contacts/organisations.html"
    return render_template(template, form=form, page=page, tree=tree, child_counts=child_counts)


def _child_counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Organisation.parent_id, func.count()).where(Organisation.parent_id.in_(ids),
                                                           Organisation.is_archived.is_(False))
        .group_by(Organisation.parent_id)).all())


@bp.get("/organisations/<int:organisation_id>/children")
def organisation_children(organisation_id: int):
    """One level of the tree under an organisation (loaded when a branch opens)."""
    org = get_organisation_or_404(organisation_id, acting_user())
    children = db.session.scalars(select(Organisation).where(Organisation.parent_id == org.id,
                                                             Organisation.is_archived.is_(False))
                                  .order_by(func.lower(Organisation.name)).limit(500)).all()
    return render_template("contacts/_org_tree.html", organisations=children,
                           child_counts=_child_counts([c.id for c in children]))


@bp.get("/organisations/<int:organisation_id>")
def organisation(organisation_id: int):
    """One organisation: where it sits, what is under it, its people now and before."""
    user = acting_user()
    org = get_organisation_or_404(organisation_id, user)
    ancestors = services.organisation_ancestors(org)
    children = db.session.scalars(select(Organisation).where(Organisation.parent_id == org.id)
                                  .order_by(Organisation.is_archived, func.lower(Organisation.name)).limit(200)).all()
    posts = db.session.scalars(
        select(Position).join(Contact, Contact.id == Position.contact_id)
        .options(selectinload(Position.contact))
        .where(Position.organisation_id == org.id, Contact.is_archived.is_(False))
        .order_by(Position.end_date.is_(None).desc(), Position.end_date.desc(), Contact.last_name).limit(400)).all()
    current = [p for p in posts if p.end_date is None]
    former = [p for p in posts if p.end_date is not None]
    merged_into = db.session.get(Organisation, org.merged_into_id) if org.merged_into_id else None
    now = now_utc()
    panels = build_panels("organisation.detail", user, now, organisation=org)
    return render_template("contacts/organisation.html", organisation=org, ancestors=ancestors, children=children,
                           current=current, former=former, merged_into=merged_into, panels=panels, now=now)


def _org_form_page(form: OrganisationForm, org: Organisation | None, status: int = 200):  # type: ignore[no-untyped-def]
    parent = db.session.get(Organisation, form.parent_id.data) if form.parent_id.data else None
    return render_template("contacts/organisation_form.html", form=form, organisation=org, parent=parent), status


@bp.route("/organisations/new", methods=["GET", "POST"])
def new_organisation():
    """Add an organisation."""
    form = OrganisationForm()
    if request.method == "GET":
        if parse_id(request.args.get("parent")):
            form.parent_id.data = parse_id(request.args.get("parent"))
        return _org_form_page(form, None)
    if not form.validate_on_submit():
        return _org_form_page(form, None, 422)
    try:
        org = services.create_organisation(form.data, actor=acting_user(), now=now_utc(), ip=client_ip())
    except ServiceError as exc:
        db.session.rollback()
        show_error(form, exc)
        return _org_form_page(form, None, 422)
    db.session.commit()
    flash(_("%(name)s is in the directory.", name=org.name), "success")
    return redirect(url_for("contacts.organisation", organisation_id=org.id))


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
def edit_organisation(organisation_id: int):
    """Change an organisation."""
    org = get_organisation_or_404(organisation_id, acting_user(), need="edit")
    if request.method == "GET":
        form = OrganisationForm(obj=org)
        form.tags.data = ", ".join(t.name for t in org.tags)
        return _org_form_page(form, org)
    form = OrganisationForm()
    if not form.validate_on_submit():
        return _org_form_page(form, org, 422)
    try:
        services.update_organisation(org, form.data, actor=acting_user(), now=now_utc(), ip=client_ip())
    except ServiceError as exc:
        db.session.rollback()
        show_error(form, exc)
        return _org_form_page(form, org, 422)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("contacts.organisation", organisation_id=org.id))


@bp.post("/organisations/<int:organisation_id>/archive")
def archive_organisation(organisation_id: int):
    """Archive an organisation (its people and sub-organisations stay)."""
    org = get_organisation_or_404(organisation_id, acting_user(), need="edit")
    services.set_organisation_archived(org, True, actor=acting_user(), now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("%(name)s is archived.", name=org.name), "success")
    return redirect(url_for("contacts.organisation", organisation_id=org.id))


@bp.post("/organisations/<int:organisation_id>/restore")
def restore_organisation(organisation_id: int):
    """Bring an archived organisation back."""
    org = get_organisation_or_404(organisation_id, acting_user(), need="edit")
    services.set_organisation_archived(org, False, actor=acting_user(), now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("%(name)s is back in the directory.", name=org.name), "success")
    return redirect(url_for("contacts.organisation", organisation_id=org.id))
