"""Directory pages for coordinators: duplicates and merge, CSV import and export, vCard."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from outreach.contacts import bp, csv_import, csv_io, merge, queries, services
from outreach.contacts.forms import ContactFilterForm, ImportForm, OrganisationFilterForm
from outreach.contacts.models import Contact, Organisation, Position
from outreach.contacts.access import get_contact_or_404, get_organisation_or_404
from outreach.contacts.vcard import contact_vcard
from outreach.core.audit import record_event
from outreach.core.db import db
from outreach.core.errors import ServiceError
from outreach.core.forms import search_text
from outreach.core.ids import parse_id
from outreach.core.security import client_ip
from outreach.core.time import now_utc
from outreach.core.web import acting_user, csv_response

PREVIEW_ROWS = 300


# -- duplicates and merge ----------------------------------------------------------------------

@bp.get("/duplicates")
def duplicates():
    """Contacts that are probably the same person."""
    return render_template("contacts/duplicates.html", pairs=merge.find_duplicate_contacts(limit=50))


def _merge_choices(fields: tuple[str, ...]) -> dict[str, str]:
    chosen = {f: request.form.get(f"choice_{f}", "target") for f in fields}
    if request.form.get("keep_both_posts"):
        chosen["posts"] = "both"
    return chosen


@bp.route("/contacts/<int:contact_id>/merge", methods=["GET", "POST"])
def merge_contacts(contact_id: int):
    """Merge another contact into this one, choosing field by field."""
    user = acting_user()
    loaders = [selectinload(Contact.emails), selectinload(Contact.phones), selectinload(Contact.tags),
               selectinload(Contact.positions).selectinload(Position.organisation)]
    target = get_contact_or_404(contact_id, user, need="edit", options=loaders)
    other_id = parse_id(request.values.get("with"))
    if not other_id:
        # Start from the people named like this one: the likely duplicates.
        q = search_text(request.args.get("q", f"{target.first_name} {target.last_name}"))
        found = [c for c in queries.search_contacts(q, user=user, limit=20) if c.id != target.id] if q else []
        return render_template("contacts/merge_pick.html", target=target, q=q, found=found, kind="contact")
    source = get_contact_or_404(other_id, user, need="edit", options=loaders)
    if request.method == "GET":
        return render_template("contacts/merge_contacts.html", target=target, source=source,
                               fields=services.CONTACT_FIELDS)
    try:
        merge.merge_contacts(target, source, _merge_choices(services.CONTACT_FIELDS), actor=user, now=now_utc(),
                             ip=client_ip())
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return render_template("contacts/merge_contacts.html", target=target, source=source,
                               fields=services.CONTACT_FIELDS), 409
    db.session.commit()
    flash(_("%(source)s is merged into %(target)s. The merged record stays archived for the trail.",
            source=source.full_name, target=target.full_name), "success")
    return redirect(url_for("contacts.contact", contact_id=target.id))


@bp.route("/organisations/<int:organisation_id>/merge", methods=["GET", "POST"])
def merge_organisations(organisation_id: int):
    """Merge another organisation into this one, choosing field by field."""
    user = acting_user()
    target = get_organisation_or_404(organisation_id, user, need="edit")
    other_id = parse_id(request.values.get("with"))
    if not other_id:
        q = search_text(request.args.get("q"))
        found = [o for o in queries.search_organisations(q, user=user, limit=20) if o.id != target.id] if q else []
        return render_template("contacts/merge_pick.html", target=target, q=q, found=found, kind="organisation")
    source = get_organisation_or_404(other_id, user, need="edit")
    if request.method == "GET":
        return render_template("contacts/merge_organisations.html", target=target, source=source,
                               fields=services.ORGANISATION_FIELDS)
    try:
        merge.merge_organisations(target, source, _merge_choices(services.ORGANISATION_FIELDS), actor=user,
                                  now=now_utc(), ip=client_ip())
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return render_template("contacts/merge_organisations.html", target=target, source=source,
                               fields=services.ORGANISATION_FIELDS), 409
    db.session.commit()
    flash(_("%(source)s is merged into %(target)s.", source=source.name, target=target.name), "success")
    return redirect(url_for("contacts.organisation", organisation_id=target.id))


# -- export ------------------------------------------------------------------------------------


@bp.post("/contacts/export")
def export_contacts():
    """Download the filtered contact list as CSV (audited)."""
    form = ContactFilterForm(request.form)
    if not form.validate():
        flash(_("The filters are not valid; nothing was exported."), "danger")
        return redirect(url_for("contacts.index")), 303
    now = now_utc()
    stmt = queries.contact_list_statement(form.data, now=now)
    if form.q.data:
        ids = queries.search_contact_ids(form.q.data, user=acting_user(), limit=500,
                                          include_archived=bool(form.archived.data))
        stmt = stmt.where(Contact.id.in_(ids))
    csv_io.record_export("contacts", actor=acting_user(), now=now, filters=form.data, ip=client_ip())
    db.session.commit()
    chunks = csv_io.write_csv(csv_io.CONTACT_COLUMNS, csv_io.contact_rows(stmt))
    return csv_response(chunks, f"contacts-{now:%Y%m%d-%H%M}.csv")


@bp.post("/organisations/export")
def export_organisations():
    """Download the filtered organisation list as CSV (audited)."""
    form = OrganisationFilterForm(request.form)
    if not form.validate():
        flash(_("The filters are not valid; nothing was exported."), "danger")
        return redirect(url_for("contacts.organisations")), 303
    now = now_utc()
    stmt = queries.organisation_list_statement(form.data)
    if form.q.data:
        ids = queries.search_organisation_ids(form.q.data, user=acting_user(), limit=500,
                                               include_archived=bool(form.archived.data))
        stmt = stmt.where(Organisation.id.in_(ids))
    csv_io.record_export("organisations", actor=acting_user(), now=now, filters=form.data, ip=client_ip())
    db.session.commit()
    chunks = csv_io.write_csv(csv_io.ORGANISATION_COLUMNS, csv_io.organisation_rows(stmt))
    return csv_response(chunks, f"organisations-{now:%Y%m%d-%H%M}.csv")


@bp.post("/contacts/<int:contact_id>/vcard")
def vcard(contact_id: int):
    """Download a contact as a vCard (audited)."""
    person = get_contact_or_404(contact_id, acting_user(), options=[
        selectinload(Contact.emails), selectinload(Contact.phones),
        selectinload(Contact.positions).selectinload(Position.organisation)])
    now = now_utc()
    record_event("contact.export_vcard", actor=acting_user(), now=now, record=person, ip=client_ip())
    db.session.commit()
    response = Response(contact_vcard(person), content_type="text/vcard; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="contact-{person.id}.vcf"'
    return response


# -- import ------------------------------------------------------------------------------------

def _upload_folder() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "imports"


def _preview(token: str, meta: dict[str, Any], header: list[str], rows: list[list[str]], mapping: list[str],
             status: int = 200, message: str | None = None):  # type: ignore[no-untyped-def]
    plan = csv_import.plan_import(meta["kind"], header, rows, mapping)
    shown = [r for r in plan.rows if r.action == "reject"][:PREVIEW_ROWS]
    shown += [r for r in plan.rows if r.action != "reject"][:max(PREVIEW_ROWS - len(shown), 50)]
    shown.sort(key=lambda r: r.line)
    return render_template("contacts/import_preview.html", token=token, meta=meta, header=header, mapping=mapping,
                           columns=csv_io.COLUMNS[meta["kind"]], plan=plan, shown=shown, message=message), status


@bp.route("/import", methods=["GET", "POST"])
def import_upload():
    """Upload a CSV of contacts or organisations; see a dry run before anything is written."""
    form = ImportForm()
    if request.method == "GET":
        if request.args.get("kind") in csv_io.COLUMNS:
            form.kind.data = request.args["kind"]
        return render_template("contacts/import.html", form=form, limits=csv_io)
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        if upload is None or not upload.filename:
            form.file.errors = [_("Choose a CSV file.")]
        return render_template("contacts/import.html", form=form, limits=csv_io), 422
    data = upload.read(csv_io.MAX_IMPORT_BYTES + 1)
    upload.close()
    try:
        header, rows = csv_io.read_csv(data)
    except csv_io.CsvError as exc:
        form.file.errors = [str(exc)]
        return render_template("contacts/import.html", form=form, limits=csv_io), 422
    token = csv_import.store_upload(_upload_folder(), data=data, kind=form.kind.data, filename=upload.filename[:200],
                                user_id=acting_user().id, now=now_utc())
    meta = {"kind": form.kind.data, "filename": upload.filename[:200]}
    return _preview(token, meta, header, rows, csv_io.guess_mapping(header, form.kind.data))


@bp.post("/import/<upload_token>")
def import_confirm(upload_token: str):
    """Re-run the dry run with another column mapping, or import for real."""
    stored = csv_import.load_upload(_upload_folder(), upload_token, user_id=acting_user().id, now=now_utc())
    if stored is None:
        abort(404)
    data, meta = stored
    header, rows = csv_io.read_csv(data)
    columns = set(csv_io.COLUMNS[meta["kind"]])
    mapping = [request.form.get(f"map_{i}", "") for i in range(len(header))]
    mapping = [m if m in columns else "" for m in mapping]
    used = [m for m in mapping if m]
    if len(used) != len(set(used)):
        return _preview(upload_token, meta, header, rows, mapping, 422,
                        _("Two columns are mapped to the same field; map each field once."))
    if request.form.get("action") != "confirm":
        return _preview(upload_token, meta, header, rows, mapping)
    plan = csv_import.plan_import(meta["kind"], header, rows, mapping)
    rejected = plan.count("reject")
    if rejected and not request.form.get("skip_rejected"):
        return _preview(upload_token, meta, header, rows, mapping, 422, ngettext(
            "%(num)d row has problems. Nothing was imported: fix the file, or tick “Skip the rejected row” and "
            "import again.",
            "%(num)d rows have problems. Nothing was imported: fix the file, or tick “Skip the rejected rows” and "
            "import again.", rejected))
    if rejected == len(plan.rows):
        return _preview(upload_token, meta, header, rows, mapping, 422,
                        _("No row can be imported. Fix the file and upload it again."))
    result = csv_import.apply_import(plan, actor=acting_user(), now=now_utc(), filename=meta["filename"],
                                     ip=client_ip())
    db.session.commit()
    csv_import.discard_upload(_upload_folder(), upload_token)
    flash(_("Imported: %(c)d created, %(u)d updated, %(r)d rejected rows skipped.", c=result["created"],
            u=result["updated"], r=rejected), "success")
    return redirect(url_for("contacts.index" if meta["kind"] == "contacts" else "contacts.organisations"))
