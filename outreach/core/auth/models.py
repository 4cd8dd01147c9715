"""Users, invitations and sign-in attempts."""
from __future__ import annotations

from datetime import datetime

from typing import Any

from sqlalchemy import ForeignKey, Index, String, event, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import Base
from outreach.core.text import fold


class User(Base):
    """Someone who signs in: admin, manager, coordinator, partner or activist."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  #: normalised, lower case
    name: Mapped[str] = mapped_column(String(120))
    #: fold(name and e-mail): what people pickers and user lookups match (core/text.py words_match).
    search_name: Mapped[str] = mapped_column(
        String(400), default=lambda ctx: _search_name(ctx.get_current_parameters())
    )
    role: Mapped[str] = mapped_column(String(20), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True, index=True)
    #: Part of the session id: bumping it revokes every session and remember-me cookie.
    session_version: Mapped[int] = mapped_column(default=1)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")  #: IANA name, for display
    locale: Mapped[str] = mapped_column(String(10), default="en")
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    last_login_at: Mapped[datetime | None] = mapped_column()

    # flask-login protocol
    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


def _search_name(values: Any) -> str:
    return fold(f"{values.get('name') or ''} {values.get('email') or ''}")


@event.listens_for(User, "before_update")
def _refold_search_name(_mapper: Any, _connection: Any, user: User) -> None:
    user.search_name = _search_name({"name": user.name, "email": user.email})


class Invitation(Base):
    """A one-time, expiring link that lets someone set a password and join."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_email_pending", "email", "accepted_at", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    #: SHA-256 of the token; the token itself only ever exists in the e-mailed link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def state(self, now: datetime) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.email} {self.role}>"


class PasswordReset(Base):
    """A one-time, expiring link that lets an active user choose a new password.

    At most one is live per user: issuing a new one revokes the earlier ones.
    """

    __tablename__ = "password_resets"
    __table_args__ = (Index("ix_password_resets_user_live", "user_id", "used_at", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: SHA-256 of the token; the token itself only ever exists in the e-mailed link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The administrator who sent it; None when the user asked for it from the sign-in page.
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()  #: superseded by a newer link

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def state(self, now: datetime) -> str:
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "live"

    def __repr__(self) -> str:
        return f"<PasswordReset {self.id} user={self.user_id}>"


class LoginAttempt(Base):
    """A failed sign-in or a reset request, kept briefly to throttle guessing across every web process."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "attempted_at"),
        Index("ix_login_attempts_ip_at", "ip", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  #: as typed, normalised to lower case
    ip: Mapped[str] = mapped_column(String(45))
    attempted_at: Mapped[datetime] = mapped_column()
    #: "login" (a failed sign-in) or "reset" (a request for a reset link): one throttling rule, separate counts.
    kind: Mapped[str] = mapped_column(String(10), default="login")

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.kind} {self.email} {self.ip} {self.attempted_at:%Y-%m-%dT%H:%M:%S}>"


__all__ = ["User", "Invitation", "PasswordReset", "LoginAttempt", "func"]
