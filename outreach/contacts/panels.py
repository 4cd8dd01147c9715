"""What the directory contributes to other pages: navigation, Today panels, the contact page's lists card."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.contacts import lists
from outreach.contacts.models import Contact, ContactList, Organisation, Position, Relationship
from outreach.core.audit import register_private_fields
from outreach.core.audit_text import names_from, register_action_labels, register_record_link, register_record_names
from outreach.core.db import db
from outreach.core.home import NavItem, Panel, register_nav_item, register_panel
from outreach.core.permissions import DIRECTORY_READERS, STAFF, Capability, Role, has_capability


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


def _position_names(ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Position.id, Position.title, Organisation.name)
        .join(Organisation, Organisation.id == Position.organisation_id)
        .where(Position.id.in_(ids))
    )
    return {pid: f"{title}, {org}" for pid, title, org in rows}


def _relationship_names(ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(select(Relationship.id, Contact.honorific, Contact.first_name, Contact.last_name)
                              .join(Contact, Contact.id == Relationship.contact_id).where(Relationship.id.in_(ids)))
    return {rid: " ".join(p for p in parts if p) for rid, *parts in rows}


def _lists_panel(user: Any, now: datetime, *, contact: Any = None, **_: Any) -> dict[str, Any] | None:
    """The contact page's "Lists" card: the lists the contact is on, and (for staff) a menu to add them to one."""
    if contact is None:
        return None
    on = lists.lists_of(contact.id)
    can_edit = has_capability(user, Capability.EDIT_DIRECTORY)
    if not on and not can_edit:
        return None
    member_of = {lst.id for lst in on}
    options = [(i, n) for i, n in lists.picker_lists() if i not in member_of] if can_edit else []
    return {"on": on, "options": options, "can_edit": can_edit}


ACTION_LABELS = {
    "contact.create": _l("added the contact %(record)s"),
    "contact.update": _l("edited the contact %(record)s"),
    "contact.archive": _l("archived the contact %(record)s"),
    "contact.restore": _l("restored the contact %(record)s"),
    "contact.merge": _l("merged a duplicate into the contact %(record)s"),
    "contact.move": _l("moved %(record)s to a new post"),
    "position.add": _l("added a post to %(record)s"),
    "position.end": _l("ended the post %(record)s"),
    "contact.export_vcard": _l("downloaded the contact card of %(record)s"),
    "contact.import": _l("imported contacts from a CSV file"),
    "contact.export": _l("exported contacts"),
    "organisation.create": _l("added the organisation %(record)s"),
    "organisation.update": _l("edited the organisation %(record)s"),
    "organisation.archive": _l("archived the organisation %(record)s"),
    "organisation.restore": _l("restored the organisation %(record)s"),
    "organisation.merge": _l("merged a duplicate into the organisation %(record)s"),
    "organisation.import": _l("imported organisations from a CSV file"),
    "organisation.export": _l("exported organisations"),
    "relationship.set": _l("recorded knowing %(record)s"),
    "relationship.remove": _l("removed their relationship with %(record)s"),
    "contact.bulk_tag": _l("tagged contacts in bulk"),
    "contact.bulk_untag": _l("removed a tag from contacts in bulk"),
    "contact.export_selection": _l("exported selected contacts"),
    "contact_list.create": _l("started the list %(record)s"),
    "contact_list.update": _l("edited the list %(record)s"),
    "contact_list.archive": _l("archived the list %(record)s"),
    "contact_list.restore": _l("restored the list %(record)s"),
    "contact_list.add_members": _l("added contacts to the list %(record)s"),
    "contact_list.remove_member": _l("took a contact off the list %(record)s"),
    "contact_list.export": _l("exported the list %(record)s"),
}


#: The directory's pages open from one menu of the navigation bar.
DIRECTORY = _l("Directory")


def register_contributions() -> None:
    register_private_fields("private_notes", "note")  # a contact's notes, a relationship's note
    register_action_labels(ACTION_LABELS)
    register_record_names("contacts", names_from(Contact.id, Contact.honorific, Contact.first_name, Contact.last_name))
    register_record_names("organisations", names_from(Organisation.id, Organisation.name))
    register_record_names("positions", _position_names)
    register_record_names("relationships", _relationship_names)
    register_record_names("contact_lists", names_from(ContactList.id, ContactList.name))
    register_record_link("contact_lists", "contacts.contact_list", "list_id")
    register_nav_item(NavItem("contacts.index", _l("Contacts"), DIRECTORY_READERS, 20, active_for=frozenset({
        "contacts.contact", "contacts.new_contact", "contacts.edit_contact", "contacts.new_position",
        "contacts.relationship", "contacts.people_i_know", "contacts.duplicates",
        "contacts.merge_contacts", "contacts.import_upload", "contacts.import_confirm"}), group=DIRECTORY))
    register_nav_item(NavItem("contacts.organisations", _l("Organisations"), DIRECTORY_READERS, 21,
                              active_for=frozenset({"contacts.organisation", "contacts.new_organisation",
                                                    "contacts.edit_organisation", "contacts.merge_organisations"}),
                              group=DIRECTORY))
    register_nav_item(
        NavItem(
            "contacts.lists_index",
            _l("Lists"),
            DIRECTORY_READERS,
            22,
            active_for=frozenset({"contacts.contact_list", "contacts.new_list", "contacts.edit_list"}),
            group=DIRECTORY,
        )
    )
    register_nav_item(NavItem("contacts.search", _l("Search"), DIRECTORY_READERS, 22,
                              active_for=frozenset({"contacts.search"}), group=DIRECTORY))
    register_nav_item(NavItem("contacts.public_directory", _l("Directory"), frozenset({Role.ACTIVIST}), 20))
    register_panel(Panel("directory.recent", "contacts/_panel_recent.html", _recent_targets, roles=STAFF, order=30))
    register_panel(Panel("directory.lists", "contacts/_panel_lists.html", _lists_panel, slot="contact.detail",
                         roles=DIRECTORY_READERS, order=40))
    register_panel(Panel("directory.known", "contacts/_panel_known.html", _people_i_know,
                         roles=frozenset({Role.PARTNER}), order=30))
