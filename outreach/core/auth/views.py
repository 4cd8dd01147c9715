"""Signing in and out, accepting an invitation, resetting a forgotten password, and one's own account."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from outreach.core.auth import account_bp, bp
from outreach.core.auth import services
from outreach.core.auth.forms import (AcceptInviteForm, ForgotPasswordForm, LoginForm, PasswordChangeForm,
                                      PreferencesForm, ResetPasswordForm)
from outreach.core.auth.models import User
from outreach.core.auth.reset_mail import send_reset_mail
from outreach.core.db import db
from outreach.core.security import client_ip, safe_next
from outreach.core.time import now_utc
from outreach.core.web import show_error


#: Signed-out pages that show an address someone typed or an account's: not kept in any cache.
PRIVATE = {"Cache-Control": "no-store"}


def _home() -> str:
    return url_for("home.today")


def _start_session(user: User, remember: bool = False) -> None:
    session.clear()  # nothing from before sign-in survives it
    login_user(user, remember=remember)
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail address and password."""
    target = request.values.get("next")
    if current_user.is_authenticated:
        return redirect(safe_next(target, _home()))
    form = LoginForm(next=target)
    if request.method == "GET":
        return render_template("auth/login.html", form=form)
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422
    now, ip, cfg = now_utc(), client_ip(), current_app.config
    throttle = services.login_throttle(
        email=form.email.data, ip=ip, now=now, free_per_pair=cfg["LOGIN_FREE_FAILURES_PER_PAIR"],
        max_per_account=cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"], max_per_ip=cfg["LOGIN_MAX_FAILURES_PER_IP"],
        cooldown_minutes=cfg["LOGIN_COOLDOWN_MINUTES"])
    if throttle.blocked and not (throttle.budget_only and services.may_pass_budget(email=form.email.data, ip=ip)):
        return _throttled("auth/login.html", form, throttle,
                          _("Too many failed sign-in attempts. Wait %(n)d minutes and try again."))
    user = services.authenticate(email=form.email.data, password=form.password.data, ip=ip, now=now)
    db.session.commit()
    if user is None:
        form.form_errors.append(_("Wrong e-mail address or password."))
        return render_template("auth/login.html", form=form), 401
    _start_session(user, remember=form.remember.data)
    return redirect(safe_next(form.next.data, _home()))


def _throttled(template: str, form: Any, throttle: services.Throttle, message: str) -> ResponseReturnValue:
    """429 with the form, a sentence saying how long to wait (it holds "%(n)d" minutes) and Retry-After."""
    form.form_errors.append(message % {"n": max(1, -(-throttle.retry_after_seconds // 60))})
    response = current_app.make_response((render_template(template, form=form), 429))
    response.headers["Retry-After"] = str(throttle.retry_after_seconds)
    return response


@bp.post("/logout")
def logout():
    """Sign out everywhere: every session of this account ends."""
    services.log_out(current_user._get_current_object(), now=now_utc(), ip=client_ip())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    """Set a name, time zone and password from an invitation link."""
    now = now_utc()
    invitation = services.find_invitation(token, now)
    if invitation is None:
        return render_template("auth/invite_invalid.html"), 404
    form = AcceptInviteForm(name=invitation.name, timezone="UTC") if request.method == "GET" else AcceptInviteForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = services.accept_invitation(invitation, name=form.name.data, password=form.password.data,
                                                  timezone=form.timezone.data, now=now, ip=client_ip())
            except services.ServiceError as exc:
                db.session.rollback()
                show_error(form, exc)
            else:
                db.session.commit()
                logout_user()
                _start_session(user)
                flash(_("Welcome to Outreach, %(name)s.", name=user.name), "success")
                return redirect(_home())
        return render_template("auth/accept_invite.html", form=form, invitation=invitation), 422
    return render_template("auth/accept_invite.html", form=form, invitation=invitation)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a password-reset link by e-mail; the answer never tells whether the address has an account."""
    if current_user.is_authenticated:
        return redirect(url_for("account.password"))
    form = ForgotPasswordForm()
    if request.method == "GET":
        return render_template("auth/forgot_password.html", form=form)
    if not form.validate_on_submit():
        return render_template("auth/forgot_password.html", form=form), 422
    now, ip, cfg = now_utc(), client_ip(), current_app.config
    throttle = services.login_throttle(
        email=form.email.data, ip=ip, now=now, kind="reset", free_per_pair=cfg["LOGIN_FREE_FAILURES_PER_PAIR"],
        max_per_account=cfg["PASSWORD_RESET_MAX_PER_ACCOUNT"], max_per_ip=cfg["LOGIN_MAX_FAILURES_PER_IP"],
        cooldown_minutes=cfg["LOGIN_COOLDOWN_MINUTES"])
    if throttle.blocked:
        return _throttled("auth/forgot_password.html", form, throttle,
                          _("Too many requests for a reset link. Wait %(n)d minutes and try again."))
    issued = services.request_password_reset(email=form.email.data, ip=ip, now=now,
                                             ttl_minutes=cfg["PASSWORD_RESET_TTL_MINUTES"])
    db.session.commit()
    response = current_app.make_response((render_template(
        "auth/forgot_password_sent.html", email=form.email.data, ttl_minutes=cfg["PASSWORD_RESET_TTL_MINUTES"]),
        200, PRIVATE))
    if issued is not None:
        send_reset_mail(cfg, issued, now=now, after=response)
    return response


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from a reset link; every session of the account ends and this one starts."""
    now = now_utc()
    reset = services.find_password_reset(token, now)
    if reset is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if request.method == "GET":
        return render_template("auth/reset_password.html", form=form, reset=reset), 200, PRIVATE
    if form.validate_on_submit():
        try:
            user = services.reset_password(reset, password=form.password.data, now=now, ip=client_ip())
        except services.ServiceError as exc:
            db.session.rollback()
            if exc.field is None:  # another tab used the link first
                return render_template("auth/reset_invalid.html"), 409
            show_error(form, exc)
        else:
            db.session.commit()
            logout_user()
            _start_session(user)
            flash(_("Your password is changed, and every other device has been signed out."), "success")
            return redirect(_home())
    return render_template("auth/reset_password.html", form=form, reset=reset), 422, PRIVATE


@account_bp.route("/", methods=["GET", "POST"])
@login_required
def settings():
    """Change one's name, display time zone and language."""
    user = current_user._get_current_object()
    languages = current_app.config["LANGUAGES"]
    if request.method == "GET":
        form = PreferencesForm(obj=user, languages=languages)
        return render_template("account/settings.html", form=form)
    form = PreferencesForm(languages=languages)
    if not form.validate_on_submit():
        return render_template("account/settings.html", form=form), 422
    services.update_preferences(user, name=form.name.data, timezone=form.timezone.data, locale=form.locale.data,
                                now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("Your preferences are saved."), "success")
    return redirect(url_for("account.settings"))


@account_bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's password; every other session ends."""
    form = PasswordChangeForm()
    if request.method == "GET":
        return render_template("account/password.html", form=form)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, current=form.current_password.data, new=form.password.data,
                                     now=now_utc(), ip=client_ip())
        except services.ServiceError as exc:
            db.session.rollback()
            show_error(form, exc, default="password")
        else:
            db.session.commit()
            _start_session(user)  # this browser stays signed in with the new session version
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("account.settings"))
    return render_template("account/password.html", form=form), 422


