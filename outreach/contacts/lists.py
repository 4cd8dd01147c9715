"""Contact lists: static lists of contacts (CiviCRM's groups). Flush, never commit.

Members are added in bulk from the contact list or one by one from a contact's page, and removed one by one;
each change is one audit entry. A list is archived, never deleted, and can be restored.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from collections.abc import Iterable, Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, insert, select

from outreach.contacts.models import Contact, ContactList, ContactListMember
from outreach.core.audit import record_event
from outreach.core.db import db
from outreach.core.errors import ServiceError
from outreach.core.ids import parse_id

#: Lists offered in pickers (the contact list's filter, "add to a list"): the live ones, by name.
MAX_PICKER_LISTS = 300
#: Contact ids named in an audit entry; beyond this it names the count only.
MAX_AUDITED_IDS = 100


class ListError(ServiceError):
    """A list change was refused; nothing was written."""

    def __init__(self, message: Any, field: str | None = None, status: int = 422) -> None:
        super().__init__(message, field)
        self.status = status


@dataclass
class ListData:
    name: str
    description: str | None = None
    owner_id: int | None = None


def _check(data: ListData, *, exclude_id: int | None = None) -> None:
    name = (data.name or "").strip()
    if not name:
        raise ListError(_l("Give the list a name."), field="name")
    clash = select(ContactList.id).where(
        func.lower(ContactList.name) == name.lower(), ContactList.is_archived.is_(False)
    )
    if exclude_id is not None:
        clash = clash.where(ContactList.id != exclude_id)
    if db.session.scalar(clash.limit(1)) is not None:
        raise ListError(_l("A list called %(name)s already exists; choose another name or use that one.", name=name),
                        field="name", status=409)


def create_list(data: ListData, *, actor: Any, now: datetime, ip: str | None = None) -> ContactList:
    """Start a list; its owner is *data.owner_id*, or the actor."""
    _check(data)
    lst = ContactList(name=data.name.strip(), description=(data.description or "").strip() or None,
                      owner_id=data.owner_id or getattr(actor, "id", None), is_archived=False,
                      created_at=now, updated_at=now)
    db.session.add(lst)
    db.session.flush()
    record_event("contact_list.create", actor=actor, now=now, record=lst, ip=ip)
    return lst


def update_list(lst: ContactList, data: ListData, *, actor: Any, now: datetime, ip: str | None = None) -> ContactList:
    """Rename a list, change its description or owner; the audit entry names the changed fields."""
    _check(data, exclude_id=lst.id)
    new = {"name": data.name.strip(), "description": (data.description or "").strip() or None,
           "owner_id": data.owner_id or lst.owner_id}
    changed = [k for k, v in new.items() if getattr(lst, k) != v]
    for key, value in new.items():
        setattr(lst, key, value)
    lst.updated_at = now
    db.session.flush()
    record_event("contact_list.update", actor=actor, now=now, record=lst, ip=ip, changed=changed)
    return lst


def set_list_archived(lst: ContactList, archived: bool, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    """Archive a list (its members are kept; it leaves the pickers) or restore it."""
    if not archived:
        _check(ListData(name=lst.name), exclude_id=lst.id)
    lst.is_archived, lst.archived_at, lst.updated_at = archived, (now if archived else None), now
    db.session.flush()
    record_event("contact_list.archive" if archived else "contact_list.restore", actor=actor, now=now, record=lst,
                 ip=ip)


def add_members(lst: ContactList, contact_ids: Iterable[int], *, actor: Any, now: datetime,
                ip: str | None = None) -> tuple[int, int]:
    """Put existing contacts on an open list; returns (added, already on it). One statement, one audit entry."""
    if lst.is_archived:
        raise ListError(_l("The list %(name)s is archived; restore it before adding to it.", name=lst.name),
                        field="list_id", status=409)
    ids = list(dict.fromkeys(contact_ids))
    have = set(db.session.scalars(select(ContactListMember.contact_id).where(
        ContactListMember.list_id == lst.id, ContactListMember.contact_id.in_(ids)))) if ids else set()
    new = [i for i in ids if i not in have]
    if new:
        db.session.execute(insert(ContactListMember), [
            {"list_id": lst.id, "contact_id": cid, "added_at": now, "added_by_id": getattr(actor, "id", None)}
            for cid in new])
        lst.updated_at = now
        db.session.flush()
        details: dict[str, Any] = {"count": len(new)}
        if len(new) <= MAX_AUDITED_IDS:
            details["contact_ids"] = new
        record_event("contact_list.add_members", actor=actor, now=now, record=lst, ip=ip, **details)
    return len(new), len(have)


def list_for_bulk(chosen: Any, new_name: str, *, actor: Any, now: datetime, ip: str | None = None) -> ContactList:
    """The list a bulk "add to a list" names: a chosen live list, or a new one named *new_name*."""
    if new_name:
        if len(new_name) > 120:
            raise ListError(_l("A list's name has at most 120 characters."), field="bulk_new_list")
        return create_list(ListData(name=new_name), actor=actor, now=now, ip=ip)
    list_id = parse_id(chosen)
    lst = db.session.get(ContactList, list_id) if list_id else None
    if lst is None:
        raise ListError(_l("Choose a list, or type the name of a new one."), field="bulk_list",
                        status=422 if not chosen else 400)
    return lst


def remove_member(lst: ContactList, contact: Contact, *, actor: Any, now: datetime, ip: str | None = None) -> bool:
    """Take a contact off a list (the audit log keeps that it was on it); False if it was not on it."""
    row = db.session.get(ContactListMember, (lst.id, contact.id))
    if row is None:
        return False
    db.session.delete(row)
    lst.updated_at = now
    db.session.flush()
    record_event("contact_list.remove_member", actor=actor, now=now, record=lst, ip=ip, contact_id=contact.id)
    return True


# -- reading -----------------------------------------------------------------------------------

def lists_statement(*, archived: bool = False) -> Select[Any]:
    """Lists by name (archived ones apart), with their owner, for the Lists page."""
    return select(ContactList).where(ContactList.is_archived.is_(archived)).order_by(ContactList.name, ContactList.id)


def member_counts(list_ids: Sequence[int]) -> dict[int, int]:
    """How many contacts each list holds (one grouped query; archived contacts included, as on the list page)."""
    if not list_ids:
        return {}
    return dict(db.session.execute(select(ContactListMember.list_id, func.count()).where(
        ContactListMember.list_id.in_(list_ids)).group_by(ContactListMember.list_id)).all())


def members_statement(lst: ContactList) -> Select[Any]:
    """The contacts on *lst*, by name."""
    return (select(Contact).join(ContactListMember, ContactListMember.contact_id == Contact.id)
            .where(ContactListMember.list_id == lst.id))


def picker_lists() -> list[tuple[int, str]]:
    """(id, name) of the live lists, by name: the contact list's filter and "add to a list"."""
    return [(i, name) for i, name in db.session.execute(select(ContactList.id, ContactList.name).where(
        ContactList.is_archived.is_(False)).order_by(ContactList.name, ContactList.id).limit(MAX_PICKER_LISTS))]


def lists_of(contact_id: int) -> list[ContactList]:
    """The lists a contact is on (archived lists included, marked in the page), by name."""
    return list(db.session.scalars(select(ContactList).join(
        ContactListMember, ContactListMember.list_id == ContactList.id).where(
        ContactListMember.contact_id == contact_id).order_by(ContactList.is_archived, ContactList.name)))


def member_filter(list_id: int) -> Any:
    """The contact list's filter by list: a clause on Contact.id (the members table's primary key answers it)."""
    return Contact.id.in_(select(ContactListMember.contact_id).where(ContactListMember.list_id == list_id))
