"""What the directory contributes to other pages: navigation and Today panels."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.contacts.models import Contact, Position, Relationship
from outreach.core.audit import register_private_fields
from outreach.core.db import db
from outreach.core.home import NavItem, Panel, register_nav_item, register_panel
from outreach.core.permissions import DIRECTORY_READERS, STAFF, Role


def _recent_targets(user: Any, now: datetime, **_: Any) -> dict[str, Any]:
    contacts = db.session.scalars(
        select(Contact).options(selectinload(Contact.positions).selectinload(Position.organisation))
        .where(Contact.is_archived.is_(False)).order_by(Contact.updated_at.desc(), Contact.id.desc()).limit(6)).all()
    return {"contacts": contacts}


def _people_i_know(user: Any, now: datetime, **_: Any) -> dict[str, Any]:
    rels = db.session.scalars(
        select(Relationship).join(Contact, Contact.id == Relationship.contact_id)
        .options(selectinload(Relationship.contact).selectinload(Contact.positions).selectinload(Position.organisation))
        .where(Relationship.user_id == user.id, Relationship.is_archived.is_(False), Contact.is_archived.is_(False))
        .order_by(Relationship.strength.desc(), Relationship.id).limit(6)).all()
    return {"relationships": rels}


def register_contributions() -> None:
    register_private_fields("private_notes", "note")  # a contact's notes, a relationship's note
    register_nav_item(NavItem("contacts.index", _l("Contacts"), DIRECTORY_READERS, 20, active_for=frozenset({
        "contacts.contact", "contacts.new_contact", "contacts.edit_contact", "contacts.new_position",
        "contacts.relationship", "contacts.people_i_know", "contacts.duplicates",
        "contacts.merge_contacts", "contacts.import_upload", "contacts.import_confirm"})))
    register_nav_item(NavItem("contacts.organisations", _l("Organisations"), DIRECTORY_READERS, 21,
                              active_for=frozenset({"contacts.organisation", "contacts.new_organisation",
                                                    "contacts.edit_organisation", "contacts.merge_organisations"})))
    register_nav_item(NavItem("contacts.search", _l("Search"), DIRECTORY_READERS, 22,
                              active_for=frozenset({"contacts.search"})))
    register_nav_item(NavItem("contacts.public_directory", _l("Directory"), frozenset({Role.ACTIVIST}), 20))
    register_panel(Panel("directory.recent", "contacts/_panel_recent.html", _recent_targets, roles=STAFF, order=30))
    register_panel(Panel("directory.known", "contacts/_panel_known.html", _people_i_know,
                         roles=frozenset({Role.PARTNER}), order=30))
