"""Who may read which relationship ("who knows whom") and which contact list in the directory.

Staff (coordinators, managers, admins) read every partner's relationship to a contact and its note:
they pair doors and requests. Everyone else reads her own relationship and its note, and of the
others only how many partners know the contact ("known by 2 other partners — ask a coordinator").
A relationship note is readable by its author and by staff only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Sequence

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from outreach.contacts.models import Contact, ContactList, Organisation, Relationship
from outreach.core.db import db
from outreach.core.permissions import Capability, has_capability


@dataclass
class KnownBy:
    """What the reader may see of who knows a contact."""

    shown: Sequence[Relationship]  #: relationships she may read, notes included
    others: int  #: partners who know the contact, beyond those shown


def can_read_all_relationships(user: Any) -> bool:
    return has_capability(user, Capability.VIEW_ALL_RELATIONSHIPS)


def known_by(contact_id: int, user: Any) -> KnownBy:
    """Who knows *contact_id*, as *user* may see it (two queries at most)."""
    live = (Relationship.contact_id == contact_id, Relationship.is_archived.is_(False))
    if can_read_all_relationships(user):
        rows = db.session.scalars(select(Relationship).options(selectinload(Relationship.user)).where(*live)
                                  .order_by(Relationship.strength.desc(), Relationship.id)).all()
        return KnownBy(rows, 0)
    mine = db.session.scalars(select(Relationship).options(selectinload(Relationship.user))
                              .where(*live, Relationship.user_id == user.id)).all()
    others = db.session.scalar(select(func.count()).select_from(Relationship)
                               .where(*live, Relationship.user_id != user.id)) or 0
    return KnownBy(mine, others)


def _directory_record_or_404(model: Any, record_id: int, user: Any, need: str, options: Any = ()) -> Any:
    """A directory record the user may see (404 otherwise: those without the directory never learn what exists);
    403 when they may see it but not change it."""
    if not has_capability(user, Capability.VIEW_DIRECTORY):
        abort(404)
    record = db.session.get(model, record_id, options=list(options))
    if record is None:
        abort(404)
    if need == "edit" and not has_capability(user, Capability.EDIT_DIRECTORY):
        abort(403)
    return record


def get_contact_or_404(contact_id: int, user: Any, need: str = "view", options: Any = ()) -> Contact:
    """A contact the user may see (404 otherwise); 403 when they may see but not change it."""
    return _directory_record_or_404(Contact, contact_id, user, need, options)  # type: ignore[no-any-return]


def get_organisation_or_404(organisation_id: int, user: Any, need: str = "view") -> Organisation:
    """An organisation the user may see (404 otherwise); 403 when they may see but not change it."""
    return _directory_record_or_404(Organisation, organisation_id, user, need)  # type: ignore[no-any-return]


def get_list_or_404(list_id: int, user: Any, need: str = "view") -> ContactList:
    """A contact list the user may see (404 otherwise: activists never learn lists exist); 403 when they may see it
    but not change it (partners)."""
    return _directory_record_or_404(ContactList, list_id, user, need)  # type: ignore[no-any-return]
