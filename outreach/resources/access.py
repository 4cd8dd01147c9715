"""Who may see and change which resource inside Outreach (the public hub sees published ones only).

Coordinators, managers and admins see every resource; partners see published ones and those
they submitted; activists see none here (only their own suggestions, as titles and states).
Coordinators edit any draft, partners their own; curators (managers, admins) also edit what is in
review or published. A resource the user may not see answers 404; one they may see but not change, 403.
"""
from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import selectinload

from outreach.core.db import db
from outreach.core.permissions import Capability, Role, has_capability
from outreach.resources.models import Resource, ResourceStatus

_DRAFTS = (ResourceStatus.DRAFT.value,)


def full_options() -> list[Any]:
    return [selectinload(Resource.publisher), selectinload(Resource.topics), selectinload(Resource.audiences),
            selectinload(Resource.languages), selectinload(Resource.places), selectinload(Resource.file)]


def visible_resources(user: Any) -> Any:
    """A WHERE clause selecting the resources *user* may see inside Outreach."""
    role = Role(user.role)
    if role in (Role.ADMIN, Role.MANAGER, Role.COORDINATOR):
        return true()
    if role == Role.PARTNER:
        return or_(Resource.status == ResourceStatus.PUBLISHED.value, Resource.submitted_by_id == user.id)
    return false()


def can_curate(user: Any) -> bool:
    return has_capability(user, Capability.CURATE_RESOURCES)


def can_edit_resource(user: Any, resource: Resource) -> bool:
    if resource.status == ResourceStatus.RETIRED.value:
        return False
    if can_curate(user):
        return True
    if not has_capability(user, Capability.SUBMIT_RESOURCES) or resource.status not in _DRAFTS:
        return False
    return Role(user.role) == Role.COORDINATOR or resource.submitted_by_id == user.id


def can_see_internal(user: Any, resource: Resource) -> bool:
    """Internal notes and the reason it was sent back: staff and its author."""
    return Role(user.role) in (Role.ADMIN, Role.MANAGER, Role.COORDINATOR) or resource.submitted_by_id == user.id


def get_resource_or_404(resource_id: int, user: Any, *, need: str = "view") -> Resource:
    resource = db.session.scalar(select(Resource).options(*full_options())
                                 .where(Resource.id == resource_id, visible_resources(user)))
    if resource is None:
        abort(404)
    if need == "edit" and not can_edit_resource(user, resource):
        abort(403)
    return resource
