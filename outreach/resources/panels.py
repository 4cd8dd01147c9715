"""What the practice hub contributes to other pages: navigation, a meeting's shared resources, a contact's
"already shared with them", and the curators' review queue on Today."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from outreach.core.audit_text import names_from, register_action_labels, register_record_link, register_record_names
from outreach.core.db import db
from outreach.core.forms import choices
from outreach.core.home import NavItem, Panel, register_nav_item, register_panel
from outreach.core.permissions import CURATORS, LOGGERS, Role
from outreach.meetings.access import can_change_commitment
from outreach.resources import queries
from outreach.resources.forms import EvidenceForm, ShareForm
from outreach.resources.models import Resource, ResourceStatus


def build_meeting_shares(user: Any, now: datetime, *, meeting: Any = None, can_edit: bool = False,
                         **_: Any) -> dict[str, Any] | None:
    if meeting is None:
        return None
    shares = queries.shares_for_meeting(meeting)
    contacts = [a.contact for a in meeting.attendees if a.contact_id]
    if not shares and not (can_edit and contacts):
        return None
    names = {c.id: f"{c.first_name} {c.last_name}" for c in contacts}
    grouped: dict[int, dict[str, Any]] = {}
    for share in shares:
        entry = grouped.setdefault(share.resource_id,
                                   {"resource": share.resource, "contacts": [], "on": share.shared_on})
        entry["contacts"].append(names.get(share.contact_id, "—"))
    form = None
    if can_edit and contacts:
        form = ShareForm(formdata=None)
        form.contact_ids.choices = choices((str(c.id), names[c.id]) for c in contacts)
    return {"shared": list(grouped.values()), "form": form, "meeting": meeting}


def build_contact_shares(user: Any, now: datetime, *, contact: Any = None, **_: Any) -> dict[str, Any] | None:
    if contact is None:
        return None
    rows = queries.shares_for_contact(user, contact, limit=20)
    return {"rows": rows} if rows else None


def build_commitment_evidence(user: Any, now: datetime, *, commitment: Any = None,
                              **_: Any) -> dict[str, Any] | None:
    if commitment is None:
        return None
    cited = queries.evidence_for_commitment(commitment)
    editable = can_change_commitment(user, commitment)
    if not cited and not editable:
        return None
    return {"cited": cited, "commitment": commitment, "form": EvidenceForm(formdata=None) if editable else None}


def build_review_queue(user: Any, now: datetime, **_: Any) -> dict[str, Any] | None:
    waiting = db.session.scalar(select(func.count()).select_from(Resource)
                                .where(Resource.status == ResourceStatus.IN_REVIEW.value)) or 0
    return {"waiting": waiting} if waiting else None


def register_contributions() -> None:
    register_nav_item(NavItem("resources.index", _l("Hub"), LOGGERS, 60))  # short: the bar is full at 1366px
    register_nav_item(NavItem("resources.my_suggestions", _l("Suggest a resource"), frozenset({Role.ACTIVIST}), 60,
                              active_for=frozenset({"resources.my_suggestions", "resources.suggest"})))
    register_panel(Panel("resources.shared", "resources/_panel_meeting.html", build_meeting_shares,
                         slot="meeting.detail", roles=LOGGERS, order=40))
    register_panel(Panel("resources.shared", "resources/_panel_contact.html", build_contact_shares,
                         slot="contact.detail", roles=LOGGERS, order=40))
    register_panel(Panel("resources.evidence", "resources/_panel_commitment.html", build_commitment_evidence,
                         slot="commitment.detail", roles=LOGGERS, order=45))
    register_panel(Panel("resources.review", "resources/_panel_review.html", build_review_queue, roles=CURATORS,
                         order=35))
    register_record_link("resources", "resources.show", "resource_id")
    register_record_names("resources", names_from(Resource.id, Resource.title))
    register_action_labels({
        "resource.create": _l("added the resource %(record)s"),
        "resource.update": _l("changed the resource %(record)s"),
        "resource.suggest": _l("suggested a resource"),
        "resource.share": _l("recorded resources shared in a meeting"),
        "resource.evidence.add": _l("cited %(record)s as evidence of a commitment"),
        "resource.evidence.remove": _l("stopped citing %(record)s as evidence of a commitment"),
        "resource.collection.create": _l("created a collection"),
        "resource.collection.items": _l("changed a collection"),
        "resource.in_review": _l("sent the resource %(record)s for review"),
        "resource.published": _l("published the resource %(record)s"),
        "resource.draft": _l("sent the resource %(record)s back to its author"),
        "resource.retired": _l("retired the resource %(record)s"),
    })
