"""Coordinators' and administrators' pages: triage steps, activist profiles, reveal, purge, dashboard."""
from __future__ import annotations


from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from outreach.core.auth.models import User
from outreach.core.auth.services import invite_user, verify_password
from outreach.core.db import db
from outreach.core.errors import ServiceError
from outreach.core.pagination import keyset_by_id_desc, parse_cursor
from outreach.core.security import client_ip, safe_next
from outreach.core.time import now_utc
from outreach.core.web import show_error
from outreach.introductions import bp, profiles, queries, services
from outreach.introductions.access import REAUTH_WINDOW, get_profile_or_404, get_request_or_404, is_fresh
from outreach.introductions.forms import (ConfirmPasswordForm, NewProfileForm, OfferForm, ReasonForm, ResolveForm,
                                          ServiceLevelForm, parse_codes)
from outreach.introductions.jobs import DEFAULT_SERVICE_LEVELS, service_levels, set_service_levels
from outreach.introductions.models import ActivistProfile, IntroductionRequest
from outreach.introductions.profiles import IdentityRefused, IntroductionError
from outreach.introductions.web import REAUTH_KEY, acting_user, back_to, refused, words


@bp.post("/<int:request_id>/triage")
def triage(request_id: int):
    """Take the request on: it is clear, and the target is a person."""
    req = get_request_or_404(request_id, acting_user())
    try:
        services.triage(req, actor=acting_user(), now=now_utc(), ip=client_ip())
    except IntroductionError as exc:
        return refused(exc, request_id)
    return back_to(request_id, _("Triaged: offer it to the partner best placed."))


@bp.post("/<int:request_id>/decline")
def decline(request_id: int):
    """Decline the request, with a reason the activist reads."""
    req = get_request_or_404(request_id, acting_user())
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.decline_request(req, form.reason.data or "", actor=acting_user(), now=now_utc(), ip=client_ip())
    except IntroductionError as exc:
        return refused(exc, request_id)
    return back_to(request_id, _("The request is declined; the activist reads your reason."))


@bp.post("/<int:request_id>/resolve")
def resolve(request_id: int):
    """Name the person in the organisation the activist asked for."""
    req = get_request_or_404(request_id, acting_user())
    form = ResolveForm()
    if not form.validate_on_submit():
        flash(_("Choose a person from the list."), "error")
        return redirect(url_for("introductions.show", request_id=request_id)), 303
    try:
        services.resolve_target(req, form.contact_id.data, actor=acting_user(), now=now_utc(), ip=client_ip())
    except IntroductionError as exc:
        return refused(exc, request_id)
    return back_to(request_id, _("The person is chosen; the ranking below is for them."))


@bp.post("/<int:request_id>/offer")
def offer(request_id: int):
    """Offer the request to a partner."""
    req = get_request_or_404(request_id, acting_user())
    form = OfferForm()
    if not form.validate_on_submit():
        flash(_("Choose a partner from the ranked list."), "error")
        return redirect(url_for("introductions.show", request_id=request_id)), 303
    partner = db.session.get(User, form.partner_id.data)
    try:
        services.offer(req, partner, actor=acting_user(), now=now_utc(), ip=client_ip())  # type: ignore[arg-type]
    except IntroductionError as exc:
        return refused(exc, request_id)
    return back_to(request_id, _("Offered. The partner reads the brief (codename only) and answers."))


@bp.post("/<int:request_id>/close")
def close(request_id: int):
    """Close the request with its outcome."""
    req = get_request_or_404(request_id, acting_user())
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.close_request(req, form.reason.data, actor=acting_user(), now=now_utc(), ip=client_ip())
    except IntroductionError as exc:
        return refused(exc, request_id)
    return back_to(request_id, _("The request is closed."))


# --- confirming one's password before a reveal ---------------------------------------------------

@bp.route("/confirm", methods=["GET", "POST"])
def confirm_password():
    """Confirm the password: revealing an activist's identity needs it within the last few minutes."""
    form = ConfirmPasswordForm()
    target = safe_next(request.values.get("next"), url_for("introductions.index"))
    minutes = int(REAUTH_WINDOW.total_seconds() // 60)
    if request.method == "GET":
        return render_template("introductions/confirm.html", form=form, next=target, minutes=minutes)
    user = acting_user()
    if not form.validate_on_submit() or not verify_password(user.password_hash, form.password.data or ""):
        form.password.errors = [_("That is not your password.")]
        return render_template("introductions/confirm.html", form=form, next=target, minutes=minutes), 422
    session[REAUTH_KEY] = now_utc().timestamp()
    flash(_("Confirmed. For the next %(n)d minutes you can reveal an activist's identity; every reveal is "
            "recorded.", n=minutes), "info")
    return redirect(target), 303


# --- activist profiles -------------------------------------------------------------------------

@bp.get("/activists")
def activists():
    """Activist profiles by codename (never their identity)."""
    page = keyset_by_id_desc(select(ActivistProfile), ActivistProfile.id,
                             after=parse_cursor(request.args.get("after")),
                             before=parse_cursor(request.args.get("before")), size=50)
    return render_template("introductions/activists.html", page=page, **words())


@bp.route("/activists/new", methods=["GET", "POST"])
def new_activist():
    """Create an activist's profile, and invite her if an e-mail is given."""
    form = NewProfileForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("introductions/activist_form.html", form=form), (200 if request.method == "GET"
                                                                               else 422)
    user, now = acting_user(), now_utc()
    data = profiles.ProfileData(
        codename=form.codename.data or "", country=form.country.data, organisation=form.organisation.data,
        focus_areas=form.focus_areas.data or "", languages=parse_codes(form.languages.data),
        risk_tier=form.risk_tier.data, bio=form.bio.data, legal_name=form.legal_name.data, email=form.email.data,
        phone=form.phone.data, city=form.city.data)
    link = None
    try:
        profile = profiles.create_profile(data, user=None, actor=user, now=now, ip=client_ip())
        if form.invite_email.data:
            issued = invite_user(email=form.invite_email.data, name=profile.codename, role="activist", actor=user,
                                 now=now, ttl_hours=current_app.config["INVITE_TTL_HOURS"], ip=client_ip())
            profile.invitation_id = issued.invitation.id
            link = f"{current_app.config['BASE_URL']}{url_for('auth.accept_invite', token=issued.token)}"
    except (IntroductionError, ServiceError) as exc:
        db.session.rollback()
        fields = {} if isinstance(exc, IntroductionError) else {"email": "invite_email"}
        status = show_error(form, exc, fields=fields)
        return render_template("introductions/activist_form.html", form=form), status
    db.session.commit()
    flash(_("Profile created for %(codename)s.", codename=profile.codename), "success")
    if link:  # the link is shown once, to pass on by a safe channel
        flash(_("Her invitation link (pass it on safely): %(link)s", link=link), "info")
    return redirect(url_for("introductions.activist", profile_id=profile.id)), 303


@bp.get("/activists/<int:profile_id>")
def activist(profile_id: int):
    """One profile: what partners read, her requests, and a reveal button."""
    user = acting_user()
    profile = get_profile_or_404(profile_id, user)
    requests = db.session.scalars(select(IntroductionRequest).where(IntroductionRequest.profile_id == profile.id)
                                  .order_by(IntroductionRequest.id.desc()).limit(50)).all()
    return render_template("introductions/activist.html", profile=profile, requests=requests,
                           reauth_fresh=is_fresh(session.get(REAUTH_KEY), now_utc()), **words())


@bp.post("/activists/<int:profile_id>/identity")
def reveal_activist(profile_id: int):
    """Reveal her identity to staff who confirmed their password in the last minutes (audited)."""
    user, now = acting_user(), now_utc()
    profile = get_profile_or_404(profile_id, user)
    if not is_fresh(session.get(REAUTH_KEY), now):
        return redirect(url_for("introductions.confirm_password",
                                next=url_for("introductions.activist", profile_id=profile_id))), 303
    try:
        identity = profiles.read_identity(profile, reader=user, now=now, reauthenticated=True, ip=client_ip())
    except IdentityRefused:
        db.session.rollback()
        abort(403)
    db.session.commit()
    return render_template("introductions/identity.html", req=None, profile=profile, identity=identity,
                           window_minutes=int(REAUTH_WINDOW.total_seconds() // 60))


@bp.post("/activists/<int:profile_id>/purge")
def purge(profile_id: int):
    """Purge a profile on her request: her identity and words are erased, an anonymised trail stays."""
    user, now = acting_user(), now_utc()
    profile = get_profile_or_404(profile_id, user)
    if not is_fresh(session.get(REAUTH_KEY), now):
        return redirect(url_for("introductions.confirm_password",
                                next=url_for("introductions.activist", profile_id=profile_id))), 303
    if request.form.get("confirm") != "purge":
        flash(_("Type \"purge\" to confirm."), "error")
        return redirect(url_for("introductions.activist", profile_id=profile_id)), 303
    try:
        services.purge_profile(profile, actor=user, now=now, ip=client_ip())
    except IntroductionError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("introductions.activist", profile_id=profile_id)), 303
    db.session.commit()
    flash(_("The profile is purged; an anonymised trail remains."), "success")
    return redirect(url_for("introductions.activist", profile_id=profile_id)), 303


# --- the dashboard and service levels ----------------------------------------------------------

@bp.get("/dashboard")
def dashboard():
    """Requests by state, how long they wait, how partners answer, how requests end."""
    now = now_utc()
    return render_template("introductions/dashboard.html", data=queries.dashboard(now),
                           levels=service_levels(), **words())


@bp.route("/service-levels", methods=["GET", "POST"])
def service_level_settings():
    """How long a request may wait at each step before a reminder (administrators)."""
    if request.method == "GET":
        form = ServiceLevelForm(data=service_levels())
        return render_template("introductions/service_levels.html", form=form, defaults=DEFAULT_SERVICE_LEVELS)
    form = ServiceLevelForm()
    if not form.validate_on_submit():
        return render_template("introductions/service_levels.html", form=form, defaults=DEFAULT_SERVICE_LEVELS), 422
    set_service_levels({name: form[name].data for name in DEFAULT_SERVICE_LEVELS}, actor=acting_user(),
                       now=now_utc(), ip=client_ip())
    db.session.commit()
    flash(_("Service levels saved."), "success")
    return redirect(url_for("introductions.service_level_settings")), 303
