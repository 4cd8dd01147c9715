"""Running the instance: users, invitations, and the audit log."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from outreach.core.admin import audit_bp, bp
from outreach.core.admin.forms import AuditFilterForm, InviteForm, RoleForm, UserFilterForm
from outreach.core.audit import AuditEvent
from outreach.core.auth import services
from outreach.core.auth.models import Invitation, User
from outreach.core.auth.reset_mail import send_reset_mail
from outreach.core.audit_text import describe
from outreach.core.db import db, starts_with
from outreach.core.mail import send_mail
from outreach.core.pagination import keyset_by_id_desc, offset_page, parse_cursor, parse_page
from outreach.core.security import client_ip
from outreach.core.text import words_match
from outreach.core.time import day_start, now_utc
from outreach.core.web import flash_link, show_error

#: The audit log's "who" filter matches at most this many people.
AUDIT_WHO_MATCHES = 50



def get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
def users():
    """List users with filters, and the pending invitations."""
    form = UserFilterForm(request.args)
    if not form.validate():
        return render_template("admin/users.html", form=form, page=None, invitations=[], now=now_utc()), 400
    stmt = select(User)
    if form.q.data:
        stmt = stmt.where(words_match(User.search_name, form.q.data))
    if form.role.data:
        stmt = stmt.where(User.role == form.role.data)
    if form.status.data:
        stmt = stmt.where(User.is_active_account.is_(form.status.data == "active"))
    page = offset_page(stmt.order_by(func.lower(User.name), User.id), number=parse_page(request.args.get("page")))
    now = now_utc()
    invitations = db.session.scalars(
        select(Invitation).options(selectinload(Invitation.invited_by))
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
                                 Invitation.expires_at > now).order_by(Invitation.id.desc()).limit(100)
    ).all()
    return render_template("admin/users.html", form=form, page=page, invitations=invitations, now=now)


@bp.route("/users/invite", methods=["GET", "POST"])
def invite():
    """Invite someone by e-mail address and role."""
    form = InviteForm()
    if request.method == "GET":
        return render_template("admin/invite.html", form=form)
    if not form.validate_on_submit():
        return render_template("admin/invite.html", form=form), 422
    now = now_utc()
    try:
        issued = services.invite_user(email=form.email.data, name=form.name.data, role=form.role.data,
                                      actor=current_user, now=now, ttl_hours=current_app.config["INVITE_TTL_HOURS"],
                                      ip=client_ip())
    except services.ServiceError as exc:
        db.session.rollback()
        status = show_error(form, exc, default="email")
        return render_template("admin/invite.html", form=form), status
    db.session.commit()
    _deliver_invitation(issued, now)
    return redirect(url_for("admin.users"))


def _deliver_invitation(issued: services.IssuedInvitation, now: datetime) -> None:
    """E-mail the invitation link, or, without a mail server, show it to the administrator to pass on."""
    cfg = current_app.config
    link = f"{cfg['BASE_URL']}{url_for('auth.accept_invite', token=issued.token)}"
    context = dict(invitation=issued.invitation, link=link, inviter=current_user, ttl_hours=cfg["INVITE_TTL_HOURS"])
    send_mail(cfg, to=issued.invitation.email, subject=_("You are invited to Outreach"),
              text=render_template("admin/invite_email.txt", **context),
              html=render_template("admin/invite_email.html", **context), now=now)
    if cfg.get("MAIL_SERVER"):
        flash(_("Invitation e-mailed to %(email)s.", email=issued.invitation.email), "success")
    else:
        # No mail server: the administrator passes the link on by hand, so build it for the address
        # they are using right now (OUTREACH_BASE_URL may name another host in development).
        here = url_for("auth.accept_invite", token=issued.token, _external=True)
        flash(_("Invitation created for %(email)s.", email=issued.invitation.email), "success")
        flash_link(_("No mail server is configured, so give them this one-time link yourself: %(link)s", link=here),
                   here)
    if issued.replaced:
        flash(_("The earlier invitation link for this address no longer works."), "info")


@bp.post("/invitations/<int:invitation_id>/resend")
def resend_invitation(invitation_id: int):
    """Send a pending invitation again with a fresh link (the old link stops working)."""
    invitation = db.session.get(Invitation, invitation_id)
    now = now_utc()
    if invitation is None or invitation.state(now) != "pending":
        abort(404)
    try:
        issued = services.invite_user(email=invitation.email, name=invitation.name, role=invitation.role,
                                      actor=current_user, now=now, ttl_hours=current_app.config["INVITE_TTL_HOURS"],
                                      ip=client_ip())
    except services.ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("admin.users")), 409
    db.session.commit()
    _deliver_invitation(issued, now)
    return redirect(url_for("admin.users"))


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    """One user: role, status, and what they did recently."""
    target = get_user_or_404(user_id)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == target.id).order_by(AuditEvent.id.desc()).limit(20)).all()
    return render_template("admin/user.html", user=target, form=RoleForm(role=target.role),
                           events=describe(events, current_user._get_current_object()))


def _apply(user_id: int, action: Callable[..., Any], success: str) -> ResponseReturnValue:
    target = get_user_or_404(user_id)
    try:
        action(target)
    except services.ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("admin.user", user_id=user_id)), 409
    db.session.commit()
    flash(success % {"name": target.name}, "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    """Give a user another role; their sessions end."""
    target = get_user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        events: list[AuditEvent] = []
        return render_template("admin/user.html", user=target, form=form, events=events), 422
    return _apply(user_id, lambda u: services.change_role(u, form.role.data, actor=current_user, now=now_utc(),
                                                          ip=client_ip()),
                  _("%(name)s's role is changed; they must sign in again."))


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int):
    """Deactivate a user: they can no longer sign in, and their sessions end."""
    return _apply(user_id, lambda u: services.deactivate_user(u, actor=current_user, now=now_utc(), ip=client_ip()),
                  _("%(name)s is deactivated."))


@bp.post("/users/<int:user_id>/reactivate")
def reactivate(user_id: int):
    """Let a deactivated user sign in again."""
    return _apply(user_id, lambda u: services.reactivate_user(u, actor=current_user, now=now_utc(), ip=client_ip()),
                  _("%(name)s can sign in again."))


@bp.post("/users/<int:user_id>/password-reset")
def send_password_reset(user_id: int):
    """E-mail an active user a one-time link to choose a new password (any earlier link stops working)."""
    target = get_user_or_404(user_id)
    now, cfg = now_utc(), current_app.config
    try:
        issued = services.issue_password_reset(target, actor=current_user, now=now,
                                               ttl_minutes=cfg["PASSWORD_RESET_TTL_MINUTES"], ip=client_ip())
    except services.ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("admin.user", user_id=user_id)), 409
    db.session.commit()
    sent = send_reset_mail(cfg, issued, now=now, sender=current_user)
    if cfg.get("MAIL_SERVER") and sent:
        flash(_("A password-reset link is e-mailed to %(email)s.", email=target.email), "success")
    else:
        # No mail server (or it refused the message): the administrator passes the link on by hand, built for
        # the address they are using right now, as for invitations.
        here = url_for("auth.reset_password", token=issued.token, _external=True)
        flash(_("A password-reset link is ready for %(email)s.", email=target.email), "success")
        flash_link(_("The e-mail could not be delivered, so give them this one-time link yourself: %(link)s", link=here)
                   if cfg.get("MAIL_SERVER") else
                   _("No mail server is configured, so give them this one-time link yourself: %(link)s", link=here),
                   here)
    if issued.replaced:
        flash(_("The earlier password-reset link for this account no longer works."), "info")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/invitations/<int:invitation_id>/revoke")
def revoke_invitation(invitation_id: int):
    """Revoke a pending invitation so its link stops working."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    try:
        services.revoke_invitation(invitation, actor=current_user, now=now_utc(), ip=client_ip())
    except services.ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("admin.users")), 409
    db.session.commit()
    flash(_("The invitation to %(email)s is revoked.", email=invitation.email), "success")
    return redirect(url_for("admin.users"))


@audit_bp.get("/")
def index():
    """Browse and filter the audit log, newest first."""
    form = AuditFilterForm(request.args)
    if not form.validate():
        return render_template("audit/index.html", form=form, page=None), 400
    stmt = select(AuditEvent)
    if form.actor.data:
        # A name, part of one, or an e-mail address (also one typed at a failed sign-in).
        who = select(User.id).where(words_match(User.search_name, form.actor.data)).limit(AUDIT_WHO_MATCHES)
        stmt = stmt.where(or_(AuditEvent.actor_id.in_(who.scalar_subquery()),
                              AuditEvent.actor_label == form.actor.data.strip().lower()))
    if form.action.data:
        action = form.action.data
        stmt = stmt.where(
            starts_with(AuditEvent.action, action) if action.endswith(".") else AuditEvent.action == action
        )
    if form.record_type.data:
        stmt = stmt.where(AuditEvent.record_type == form.record_type.data)
    if form.record_id.data:
        stmt = stmt.where(AuditEvent.record_id == form.record_id.data)
    zone = current_user.timezone
    if form.since.data:
        stmt = stmt.where(AuditEvent.occurred_at >= day_start(form.since.data, zone))
    if form.until.data:
        stmt = stmt.where(AuditEvent.occurred_at < day_start(form.until.data + timedelta(days=1), zone))
    page = keyset_by_id_desc(stmt, AuditEvent.id, after=parse_cursor(request.args.get("after")),
                             before=parse_cursor(request.args.get("before")))
    return render_template("audit/index.html", form=form, page=page,
                           sentences=describe(page.items, current_user._get_current_object()))
