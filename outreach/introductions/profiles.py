"""Activist profiles: creating and editing them, reading the protected identity, consent, purge, key rotation.

The identity (legal name, e-mail, phone, city) is stored only as Fernet tokens. `read_identity` is
the one place that decrypts it for anyone: it checks who may read it and writes an audit event for
every reader other than the activist herself. Services take `actor` and `now`, flush, and leave the
commit to the caller.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from outreach.core.audit import record_event
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.errors import ServiceError
from outreach.core.permissions import Role
from outreach.core.text import has_control_characters
from outreach.introductions import crypto, notify
from outreach.introductions.models import (ActivistProfile, Consent, ConsentScope, IntroductionRequest, RequestState,
                                           RiskTier)

PROTECTED_FIELDS = ("legal_name", "email", "phone", "city")
MAX_BIO = 1_000
MAX_PROTECTED = 200
_CODENAME = re.compile(r"^[^\W\d_][\w '\-]{1,58}[^\W_]$")
REMOVED = "[removed]"


class IntroductionError(ServiceError):
    """A rule of introductions or activist profiles was broken; the message is for the person who typed it."""


class IdentityRefused(PermissionError):
    """The reader may not see this activist's identity (no consent, or no recent sign-in)."""


@dataclass
class ProfileData:
    codename: str
    country: str | None = None
    organisation: str | None = None
    focus_areas: str = ""
    languages: list[str] | None = None
    risk_tier: str = RiskTier.STANDARD.value
    bio: str | None = None
    legal_name: str | None = None
    email: str | None = None
    phone: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class Identity:
    legal_name: str | None
    email: str | None
    phone: str | None
    city: str | None


def check_text(value: str | None, field: str, limit: int) -> None:
    if value and len(value) > limit:
        raise IntroductionError(_l("Keep this under %(max)d characters (it has %(n)d).", max=limit, n=len(value)),
                                field=field)
    if value and has_control_characters(value, multiline=True):
        raise IntroductionError(_l("Remove the control characters from this field."), field=field)


def _validate(data: ProfileData) -> None:
    codename = (data.codename or "").strip()
    if not _CODENAME.match(codename):
        raise IntroductionError(_l("A codename is 3 to 60 letters, spaces or hyphens, e.g. \"Sahel Rose\"."),
                                field="codename")
    if data.risk_tier not in {t.value for t in RiskTier}:
        raise IntroductionError(_l("Choose a risk tier from the list."), field="risk_tier")
    check_text(data.bio, "bio", MAX_BIO)
    check_text(data.organisation, "organisation", 200)
    check_text(data.focus_areas, "focus_areas", 300)
    for name in PROTECTED_FIELDS:
        check_text(getattr(data, name), name, MAX_PROTECTED)


def _codename_taken(codename: str, profile_id: int | None) -> bool:
    stmt = select(ActivistProfile.id).where(ActivistProfile.codename == codename)
    if profile_id is not None:
        stmt = stmt.where(ActivistProfile.id != profile_id)
    return db.session.scalar(stmt) is not None


def _apply(profile: ActivistProfile, data: ProfileData) -> list[str]:
    """Copy *data* onto *profile*; return the names of the fields that changed (never their content)."""
    changed = []
    plain = {"codename": data.codename.strip(), "country": data.country or None,
             "organisation": (data.organisation or "").strip() or None,
             "focus_areas": ", ".join(a.strip() for a in (data.focus_areas or "").split(",") if a.strip()),
             "languages": ",".join(sorted(set(data.languages or []))), "risk_tier": data.risk_tier,
             "bio": (data.bio or "").strip() or None}
    for name, value in plain.items():
        if getattr(profile, name) != value:
            setattr(profile, name, value)
            changed.append(name)
    for name in PROTECTED_FIELDS:
        value = (getattr(data, name) or "").strip()
        current = crypto.decrypt(getattr(profile, f"{name}_token")) or ""
        if value != current:
            setattr(profile, f"{name}_token", crypto.encrypt(value))
            changed.append(name)
    return changed


def _show_codename_as_name(profile: ActivistProfile) -> None:
    # Meetings, pickers and messages show a user's display name: for an activist that must be her codename.
    if profile.user is not None and profile.user.name != profile.codename:
        profile.user.name = profile.codename


def create_profile(data: ProfileData, *, user: User | None, actor: Any, now: datetime,
                   ip: str | None = None) -> ActivistProfile:
    """Create an activist's profile (for her account, or ahead of inviting her)."""
    _validate(data)
    if _codename_taken(data.codename.strip(), None):
        raise IntroductionError(_l("That codename is taken; choose another."), field="codename")
    if user is not None and user.role != Role.ACTIVIST.value:
        raise IntroductionError(_l("Only an activist's account can have an activist profile."))
    profile = ActivistProfile(user_id=getattr(user, "id", None), user=user, codename="", focus_areas="",
                              languages="", created_at=now, updated_at=now, created_by_id=getattr(actor, "id", None))
    _apply(profile, data)
    db.session.add(profile)
    _show_codename_as_name(profile)
    db.session.flush()
    record_event("activist.create", actor=actor, now=now, record=profile, ip=ip)
    return profile


def update_profile(profile: ActivistProfile, data: ProfileData, *, actor: Any, now: datetime,
                   ip: str | None = None) -> list[str]:
    """Save an edit of the profile; return the changed field names."""
    if profile.is_purged:
        raise IntroductionError(_l("This profile was purged and cannot be edited."))
    _validate(data)
    if _codename_taken(data.codename.strip(), profile.id):
        raise IntroductionError(_l("That codename is taken; choose another."), field="codename")
    changed = _apply(profile, data)
    if changed:
        profile.updated_at = now
        _show_codename_as_name(profile)
        db.session.flush()
        record_event("activist.update", actor=actor, now=now, record=profile, ip=ip, fields=changed)
    return changed


def profile_of(user: Any) -> ActivistProfile | None:
    """Her profile: linked to her account, or made for the invitation she accepted (not linked yet)."""
    from outreach.core.auth.models import Invitation

    return db.session.scalar(select(ActivistProfile).where(
        (ActivistProfile.user_id == user.id)
        | ActivistProfile.invitation_id.in_(select(Invitation.id).where(Invitation.user_id == user.id)))
        .order_by(ActivistProfile.id).limit(1))


def claim_profile(user: Any, *, now: datetime) -> ActivistProfile | None:
    """Link the profile made for her invitation to her account, and show her codename as her name."""
    profile = profile_of(user)
    if profile is not None and profile.user_id is None and not profile.is_purged:
        profile.user_id, profile.user, profile.updated_at = user.id, user, now
        _show_codename_as_name(profile)
        db.session.flush()
    return profile


def own_identity(profile: ActivistProfile) -> Identity:
    """Her own identity, for her own profile page (she is not audited reading herself)."""
    return Identity(*(crypto.decrypt(getattr(profile, f"{name}_token")) for name in PROTECTED_FIELDS))


# --- consent ---------------------------------------------------------------------------------

def active_consent(request: IntroductionRequest, scope: str) -> Consent | None:
    return db.session.scalar(select(Consent).where(
        Consent.request_id == request.id, Consent.scope == scope, Consent.withdrawn_at.is_(None))
        .order_by(Consent.id.desc()).limit(1))


def partner_may_see_identity(request: IntroductionRequest, user: Any) -> bool:
    """The partner holding an accepted request, with the activist's live consent to share with her."""
    if request.profile.is_purged or request.partner_id != user.id or Role(user.role) != Role.PARTNER:
        return False
    if request.state not in (RequestState.ACCEPTED.value, RequestState.INTRODUCED.value,
                             RequestState.MEETING_SCHEDULED.value, RequestState.CLOSED.value):
        return False
    consent = active_consent(request, ConsentScope.PARTNER.value)
    return consent is not None and consent.grantee_user_id == user.id


def give_consent(request: IntroductionRequest, scope: str, *, actor: Any, now: datetime,
                 ip: str | None = None) -> Consent:
    """The activist allows her identity to be shared with the partner (or, later, the target)."""
    if scope not in {s.value for s in ConsentScope}:
        raise IntroductionError(_l("Choose what you agree to share."))
    if request.partner_id is None or request.state not in (
            RequestState.ACCEPTED.value, RequestState.INTRODUCED.value, RequestState.MEETING_SCHEDULED.value):
        raise IntroductionError(_l("You can share your identity once a partner has accepted your request."))
    if scope == ConsentScope.TARGET.value and active_consent(request, ConsentScope.PARTNER.value) is None:
        raise IntroductionError(_l("Share your identity with the partner first."))
    existing = active_consent(request, scope)
    if existing is not None:
        return existing
    consent = Consent(profile_id=request.profile_id, request_id=request.id, scope=scope, given_at=now,
                      grantee_user_id=request.partner_id if scope == ConsentScope.PARTNER.value else None,
                      grantee_contact_id=request.contact_id if scope == ConsentScope.TARGET.value else None,
                      recorded_by_id=getattr(actor, "id", None))
    db.session.add(consent)
    db.session.flush()
    record_event("activist.consent_give", actor=actor, now=now, record_type="introduction_requests",
                 record_id=request.id, ip=ip, scope=scope)
    if scope == ConsentScope.PARTNER.value and request.partner_id:
        notify.to_partner(request, request.partner_id, "consent", now=now)
    return consent


def withdraw_consent(request: IntroductionRequest, scope: str | None, *, actor: Any, now: datetime,
                     ip: str | None = None) -> int:
    """Withdraw consent (one scope, or all of them): her identity is hidden again at once."""
    stmt = update(Consent).where(Consent.request_id == request.id, Consent.withdrawn_at.is_(None))
    if scope == ConsentScope.TARGET.value:  # sharing with the target hangs on sharing with the partner
        stmt = stmt.where(Consent.scope == scope)
    count = db.session.execute(stmt.values(withdrawn_at=now).execution_options(synchronize_session=False)).rowcount
    if count:
        record_event("activist.consent_withdraw", actor=actor, now=now, record_type="introduction_requests",
                     record_id=request.id, ip=ip, scope=scope or "all")
        if request.partner_id and request.state != RequestState.WITHDRAWN.value:
            notify.to_partner(request, request.partner_id, "consent_withdrawn", now=now)
    return count or 0


# --- reading the identity --------------------------------------------------------------------

def read_identity(profile: ActivistProfile, *, reader: Any, now: datetime, request: IntroductionRequest | None = None,
                  reauthenticated: bool = False, ip: str | None = None) -> Identity:
    """Decrypt her identity for *reader*; refused unless allowed, audited unless she reads herself.

    Coordinators, managers and admins need a recent sign-in (*reauthenticated*); a partner needs the
    activist's live consent on *request*, which she holds. Nobody else, ever.
    """
    if profile.is_purged:
        raise IdentityRefused("purged")
    role = Role(reader.role)
    if profile.user_id is not None and profile.user_id == reader.id:
        return own_identity(profile)
    if role in (Role.ADMIN, Role.MANAGER, Role.COORDINATOR):
        if not reauthenticated:
            raise IdentityRefused("re-authentication needed")
    elif role == Role.PARTNER:
        if request is None or request.profile_id != profile.id or not partner_may_see_identity(request, reader):
            raise IdentityRefused("no consent")
    else:
        raise IdentityRefused("not allowed")
    record_event("activist.identity_read", actor=reader, now=now, record=profile, ip=ip,
                 request_id=getattr(request, "id", None), fields=list(PROTECTED_FIELDS))
    return own_identity(profile)


# --- key rotation ------------------------------------------------------------------

def rotate_keys(*, batch: int = 500) -> int:
    """Re-encrypt every protected field under the newest key; return how many profiles were rewritten."""
    rewritten = 0
    last_id = 0
    while True:
        rows = db.session.execute(select(
            ActivistProfile.id, *(getattr(ActivistProfile, f"{n}_token") for n in PROTECTED_FIELDS))
            .where(ActivistProfile.id > last_id).order_by(ActivistProfile.id).limit(batch)).all()
        if not rows:
            return rewritten
        updates = [{"id": row[0], **{f"{name}_token": crypto.rotate(row[i + 1])
                                     for i, name in enumerate(PROTECTED_FIELDS)}} for row in rows]
        db.session.execute(update(ActivistProfile), updates)
        rewritten += len(rows)
        last_id = rows[-1][0]
