"""Accounts: invitations, sign-in with throttling, password resets, and user administration.

Services take the acting user and `now`, flush, and leave the commit to the caller.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from outreach.core import signals
from outreach.core.audit import AuditEvent, record_event
from outreach.core.auth.models import Invitation, LoginAttempt, PasswordReset, User
from outreach.core.db import db, rowcount
from outreach.core.errors import ServiceError
from outreach.core.permissions import Role
from outreach.core.security import hash_password, verify_password

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


def normalise_email(value: str) -> str:
    """Validate an address and return its normalised, lower-case form."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ServiceError(str(exc), field="email") from exc
    return result.normalized.lower()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_strength(password: str, *, email: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ServiceError(_l("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH), field="password")
    if email and password.lower() == email.lower():
        raise ServiceError(_l("Your password must not be your e-mail address."), field="password")


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(*, email: str, name: str, role: Role | str, password: str, actor: Any, now: datetime,
                timezone: str = "UTC") -> User:
    """Create an active user directly (command line and demo data; the web invites instead)."""
    email = normalise_email(email)
    role = Role(role)
    if get_user_by_email(email):
        raise ServiceError(_l("A user with this e-mail address already exists."), field="email")
    check_password_strength(password, email=email)
    user = User(email=email, name=name.strip() or email, role=role.value, password_hash=hash_password(password),
                timezone=timezone, locale="en", created_at=now, updated_at=now)
    db.session.add(user)
    db.session.flush()
    record_event("user.create", actor=actor, now=now, record=user, role=role.value)
    return user


def _claim_link(model: Any, link_id: int, used_column: str, now: datetime) -> bool:
    """Mark a one-time link (an invitation, a password reset) used, in one statement: False when another
    request used it or it was revoked first."""
    used = getattr(model, used_column)
    return rowcount(db.session.execute(
        update(model)
        .where(model.id == link_id, used.is_(None), model.revoked_at.is_(None))
        .values({used_column: now})
        .execution_options(synchronize_session=False)
    )) == 1


# --- invitations -----------------------------------------------------------------------------

@dataclass
class IssuedInvitation:
    invitation: Invitation
    token: str  #: only ever shown once, in the link
    replaced: int = 0  #: earlier pending invitations to the same address, now revoked


def invite_user(*, email: str, name: str, role: Role | str, actor: Any, now: datetime, ttl_hours: int,
                ip: str | None = None) -> IssuedInvitation:
    """Invite someone by e-mail; a newer invitation to the same address replaces older pending ones."""
    email = normalise_email(email)
    role = Role(role)
    if get_user_by_email(email):
        raise ServiceError(_l("A user with this e-mail address already exists."), field="email")
    replaced = rowcount(db.session.execute(
        update(Invitation)
        .where(Invitation.email == email, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at > now)
        .values(revoked_at=now)
    )) or 0
    token = secrets.token_urlsafe(32)
    invitation = Invitation(email=email, name=name.strip(), role=role.value, token_hash=token_digest(token),
                            invited_by_id=actor.id, created_at=now, expires_at=now + timedelta(hours=ttl_hours))
    db.session.add(invitation)
    db.session.flush()
    record_event("user.invite", actor=actor, now=now, record=invitation, ip=ip, email=email, role=role.value)
    return IssuedInvitation(invitation, token, replaced)


def find_invitation(token: str, now: datetime) -> Invitation | None:
    """The pending invitation behind *token*, or None if unknown, used, revoked or expired."""
    if not token or len(token) > 128:
        return None
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_digest(token)))
    if invitation is None or invitation.state(now) != "pending":
        return None
    return invitation


def accept_invitation(invitation: Invitation, *, name: str, password: str, timezone: str, now: datetime,
                      ip: str | None = None) -> User:
    """Turn a pending invitation into an active account; the link cannot be used again."""
    if invitation.state(now) != "pending":
        raise ServiceError(
            _l("This invitation link has expired or was already used. Ask an administrator for a new one.")
        )
    if get_user_by_email(invitation.email):
        raise ServiceError(_l("A user with this e-mail address already exists."))
    check_password_strength(password, email=invitation.email)
    # Claim the invitation atomically so two tabs cannot both create the account.
    if not _claim_link(Invitation, invitation.id, "accepted_at", now):
        raise ServiceError(
            _l("This invitation link has expired or was already used. Ask an administrator for a new one.")
        )
    user = User(email=invitation.email, name=name.strip() or invitation.name, role=invitation.role,
                password_hash=hash_password(password), timezone=timezone, locale="en",
                created_at=now, updated_at=now, last_login_at=now)
    db.session.add(user)
    db.session.flush()
    db.session.refresh(invitation)
    invitation.user_id = user.id
    record_event("user.accept_invite", actor=user, now=now, record=user, ip=ip, invitation_id=invitation.id)
    return user


def revoke_invitation(invitation: Invitation, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    if invitation.state(now) != "pending":
        raise ServiceError(_l("Only a pending invitation can be revoked."))
    invitation.revoked_at = now
    record_event("user.revoke_invite", actor=actor, now=now, record=invitation, ip=ip, email=invitation.email)


# --- signing in ------------------------------------------------------------------------------

@dataclass
class Throttle:
    blocked: bool
    retry_after_seconds: int = 0
    #: Blocked only by the account's or the address's budget, not by this pair's own failures: a correct
    #: password from an address the account signed in from before still passes (see may_pass_budget).
    budget_only: bool = False


#: The first delay once a pair has used its free attempts; it doubles with each further failure.
FIRST_DELAY = timedelta(seconds=15)


def _budget_release(column: Any, value: str, limit: int, since: datetime, cooldown: timedelta,
                    kind: str) -> datetime | None:
    """When the attempts for *value* in *column* fall back under *limit* (None: under it already)."""
    if limit <= 0:
        return None
    # Released when the window slides past the limit-th most recent attempt.
    nth = db.session.scalar(select(LoginAttempt.attempted_at)
                            .where(column == value, LoginAttempt.kind == kind, LoginAttempt.attempted_at > since)
                            .order_by(LoginAttempt.attempted_at.desc()).offset(limit - 1).limit(1))
    return None if nth is None else nth + cooldown


def login_throttle(*, email: str, ip: str, now: datetime, free_per_pair: int, max_per_account: int, max_per_ip: int,
                   cooldown_minutes: int, kind: str = "login") -> Throttle:
    """Whether a sign-in (or, with *kind* "reset", a reset request) for *email* from *ip* must wait.

    One (account, address) pair gets *free_per_pair* failures, then waits 15 s, 30 s, 1 min… after each
    further one, up to the cooldown: guessing one account from one place crawls. Per account and per
    address there are looser budgets (a password spray, a botnet); those never lock out the account's
    owner signing in from an address she used before (`may_pass_budget`), so a stranger cannot.
    Each kind of attempt counts on its own: asking for reset links never holds up signing in.
    """
    cooldown = timedelta(minutes=cooldown_minutes)
    since = now - cooldown
    email = email.strip().lower()[:254]
    failures, last = db.session.execute(
        select(func.count(), func.max(LoginAttempt.attempted_at))
        .where(LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.kind == kind,
               LoginAttempt.attempted_at > since)).one()
    if failures >= free_per_pair and last is not None:
        release = last + min(cooldown, FIRST_DELAY * 2 ** min(failures - free_per_pair, 20))
        if release > now:
            return Throttle(True, max(1, int((release - now).total_seconds())))
    releases = [r for r in (_budget_release(LoginAttempt.email, email, max_per_account, since, cooldown, kind),
                            _budget_release(LoginAttempt.ip, ip, max_per_ip, since, cooldown, kind)) if r and r > now]
    if releases:
        return Throttle(True, max(1, int((max(releases) - now).total_seconds())), budget_only=True)
    return Throttle(False)


def may_pass_budget(*, email: str, ip: str) -> bool:
    """Whether the account behind *email* signed in from *ip* before: its owner, not a stranger."""
    user = get_user_by_email(email.strip().lower()[:254]) if email.strip() else None
    if user is None:
        return False
    return db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.actor_id == user.id, AuditEvent.action == "auth.login", AuditEvent.ip == ip).limit(1)) is not None


def authenticate(*, email: str, password: str, ip: str, now: datetime) -> User | None:
    """Check credentials; record a failed attempt. The same None for unknown address and wrong password."""
    email_key = email.strip().lower()[:254]
    user = get_user_by_email(email_key) if email_key else None
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active_account:
        db.session.add(LoginAttempt(email=email_key, ip=ip, attempted_at=now))
        record_event("auth.login_failed", actor=None, now=now, ip=ip, actor_label=email_key or "(blank)",
                     record_type="users", record_id=user.id if user else None)
        return None
    user.last_login_at = now
    # Only this pair's failures are forgiven: a stranger's elsewhere still count against her budget.
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email_key, LoginAttempt.ip == ip,
                                                  LoginAttempt.kind == "login"))
    record_event("auth.login", actor=user, now=now, record=user, ip=ip)
    return user


def revoke_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of *user*."""
    user.session_version += 1


def log_out(user: User, *, now: datetime, ip: str | None = None) -> None:
    revoke_sessions(user)
    record_event("auth.logout", actor=user, now=now, record=user, ip=ip)


def prune_login_attempts(now: datetime, *, keep_hours: int = 24) -> int:
    result = db.session.execute(
        delete(LoginAttempt).where(LoginAttempt.attempted_at < now - timedelta(hours=keep_hours))
    )
    return rowcount(result) or 0


# --- password resets -------------------------------------------------------------------------

RESET_LINK_INVALID = _l("This password-reset link has expired, was already used, or was replaced by a newer one.")


@dataclass
class IssuedReset:
    reset: PasswordReset
    token: str  #: only ever shown once, in the link
    replaced: int = 0  #: earlier live links of the same user, now revoked


def issue_password_reset(user: User, *, actor: Any, now: datetime, ttl_minutes: int,
                         ip: str | None = None) -> IssuedReset:
    """Create a reset link for *user*; it replaces any earlier live one. *actor* is None when she asked herself."""
    if not user.is_active_account:
        raise ServiceError(_l("%(name)s is deactivated; reactivate the account before sending a password reset.",
                              name=user.name))
    replaced = rowcount(db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None), PasswordReset.revoked_at.is_(None),
               PasswordReset.expires_at > now)
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )) or 0
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(user_id=user.id, token_hash=token_digest(token), requested_by_id=getattr(actor, "id", None),
                          created_at=now, expires_at=now + timedelta(minutes=ttl_minutes))
    db.session.add(reset)
    db.session.flush()
    if actor is None:
        record_event("user.request_password_reset", actor=user, now=now, record=user, ip=ip)
    else:
        record_event("user.send_password_reset", actor=actor, now=now, record=user, ip=ip)
    return IssuedReset(reset, token, replaced)


def request_password_reset(*, email: str, ip: str, now: datetime, ttl_minutes: int) -> IssuedReset | None:
    """Someone on the sign-in page asks for a link for *email*: counted for throttling, issued only to an
    active account. The caller answers the same whatever this returns (no account enumeration)."""
    email_key = email.strip().lower()[:254]
    db.session.add(LoginAttempt(email=email_key, ip=ip, attempted_at=now, kind="reset"))
    user = get_user_by_email(email_key) if email_key else None
    if user is None or not user.is_active_account:
        record_event("auth.password_reset_not_sent", actor=None, now=now, ip=ip, actor_label=email_key or "(blank)",
                     record_type="users", record_id=user.id if user else None)
        return None
    return issue_password_reset(user, actor=None, now=now, ttl_minutes=ttl_minutes, ip=ip)


def find_password_reset(token: str, now: datetime) -> PasswordReset | None:
    """The live reset link behind *token* for an active user, or None (unknown, used, replaced, expired)."""
    if not token or len(token) > 128:
        return None
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_digest(token)))
    if reset is None or reset.state(now) != "live" or not reset.user.is_active_account:
        return None
    return reset


def reset_password(reset: PasswordReset, *, password: str, now: datetime, ip: str | None = None) -> User:
    """Set a new password from a reset link: the link is used up and every session of the account ends."""
    user = reset.user
    if reset.state(now) != "live" or not user.is_active_account:
        raise ServiceError(RESET_LINK_INVALID)
    check_password_strength(password, email=user.email)
    # Claim the link atomically so two tabs cannot both use it.
    if not _claim_link(PasswordReset, reset.id, "used_at", now):
        raise ServiceError(RESET_LINK_INVALID)
    db.session.refresh(reset)
    user.password_hash = hash_password(password)
    user.updated_at = now
    user.last_login_at = now
    revoke_sessions(user)
    record_event("user.reset_password", actor=user, now=now, record=user, ip=ip)
    return user


# --- one's own account -----------------------------------------------------------------------

def update_preferences(user: User, *, name: str, timezone: str, locale: str, now: datetime,
                       ip: str | None = None) -> None:
    changes = {k: v for k, v in (("name", name.strip()), ("timezone", timezone), ("locale", locale))
               if getattr(user, k) != v}
    if not changes:
        return
    for key, value in changes.items():
        setattr(user, key, value)
    user.updated_at = now
    record_event("user.update_preferences", actor=user, now=now, record=user, ip=ip, fields=sorted(changes))


def change_password(user: User, *, current: str, new: str, now: datetime, ip: str | None = None) -> None:
    if not verify_password(user.password_hash, current):
        raise ServiceError(_l("That is not your current password."), field="current_password")
    check_password_strength(new, email=user.email)
    user.password_hash = hash_password(new)
    user.updated_at = now
    revoke_sessions(user)
    record_event("user.change_password", actor=user, now=now, record=user, ip=ip)


# --- administration --------------------------------------------------------------------------

def _active_admins_other_than(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(
            User.role == Role.ADMIN.value, User.is_active_account.is_(True), User.id != user.id)
    ) or 0


def change_role(user: User, role: Role | str, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    role = Role(role)
    if user.role == role.value:
        return
    if user.role == Role.ADMIN.value and _active_admins_other_than(user) == 0:
        raise ServiceError(_l("Outreach needs at least one active administrator; promote someone else first."))
    old = user.role
    user.role = role.value
    user.updated_at = now
    revoke_sessions(user)
    record_event("user.change_role", actor=actor, now=now, record=user, ip=ip, old=old, new=role.value)
    signals.user_role_changed.send(None, user=user, old_role=old, actor=actor, now=now)


def deactivate_user(user: User, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    if not user.is_active_account:
        return
    if user.id == getattr(actor, "id", None):
        raise ServiceError(_l("You cannot deactivate your own account."))
    if user.role == Role.ADMIN.value and _active_admins_other_than(user) == 0:
        raise ServiceError(_l("Outreach needs at least one active administrator."))
    user.is_active_account = False
    user.updated_at = now
    revoke_sessions(user)
    record_event("user.deactivate", actor=actor, now=now, record=user, ip=ip)
    signals.user_deactivated.send(None, user=user, actor=actor, now=now)


def reactivate_user(user: User, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    if user.is_active_account:
        return
    user.is_active_account = True
    user.updated_at = now
    record_event("user.reactivate", actor=actor, now=now, record=user, ip=ip)
