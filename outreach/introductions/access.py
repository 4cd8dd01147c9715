"""Who may see which request and profile.

Staff (coordinators, managers, admins) see every request; a partner only the requests offered to
her or that she holds; an activist only her own. Anything else answers 404: an activist never
learns that another activist, or another activist's request, exists.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import abort
from sqlalchemy import false, select, true
from sqlalchemy.orm import joinedload

from outreach.core.db import db
from outreach.core.permissions import Role
from outreach.introductions.models import PARTNER_STATES, ActivistProfile, IntroductionRequest, RequestState

STAFF_ROLES = (Role.ADMIN, Role.MANAGER, Role.COORDINATOR)
#: How recent a sign-in (or password confirmation) must be to reveal an activist's identity.
REAUTH_WINDOW = timedelta(minutes=5)


def is_staff(user: Any) -> bool:
    return Role(user.role) in STAFF_ROLES


def visible_requests(user: Any) -> Any:
    """A WHERE clause selecting the requests *user* may see."""
    role = Role(user.role)
    if role in STAFF_ROLES:
        return true()
    if role == Role.PARTNER:
        return (IntroductionRequest.partner_id == user.id) & IntroductionRequest.state.in_(
            (*PARTNER_STATES, RequestState.CLOSED.value))
    if role == Role.ACTIVIST:
        return IntroductionRequest.profile_id.in_(select(ActivistProfile.id).where(ActivistProfile.user_id == user.id))
    return false()


def get_request_or_404(request_id: int, user: Any) -> IntroductionRequest:
    if not 0 < request_id < 2**31:
        abort(404)
    request = db.session.scalar(select(IntroductionRequest).options(joinedload(IntroductionRequest.profile))
                                .where(IntroductionRequest.id == request_id, visible_requests(user)))
    if request is None:
        abort(404)
    return request


def get_profile_or_404(profile_id: int, user: Any) -> ActivistProfile:
    """Profiles are staff business (an activist has her own page; partners read briefs)."""
    if not is_staff(user) or not 0 < profile_id < 2**31:
        abort(404)
    profile = db.session.get(ActivistProfile, profile_id)
    if profile is None:
        abort(404)
    return profile


def is_fresh(reauth_at: Any, now: datetime) -> bool:
    """Whether a password confirmation at *reauth_at* (epoch seconds) is recent enough to reveal."""
    try:
        moment = float(reauth_at)
    except (TypeError, ValueError):
        return False
    return 0 <= now.timestamp() - moment <= REAUTH_WINDOW.total_seconds()
