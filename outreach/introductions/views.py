"""The pages of a request: the activist's, the partner's brief, and the coordinators' triage view.

Every page names the activist by codename. Her identity is decrypted only on an explicit POST
(`reveal`), which checks consent (partners) or a recent password confirmation (staff) and is
audited; a GET never shows it to anyone but her, and never writes.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.contacts.models import Contact, Organisation, Position
from outreach.core.db import db
from outreach.core.forms import is_record_id, search_text
from outreach.core.pagination import keyset_by_id_desc, parse_cursor
from outreach.core.permissions import Role
from outreach.core.security import client_ip
from outreach.core.time import local_to_utc, now_utc
from outreach.core.web import show_error
from outreach.introductions import bp, profiles, queries, services
from outreach.introductions.access import (REAUTH_WINDOW, get_request_or_404, is_fresh, is_staff,
                                           visible_requests)
from outreach.introductions.forms import (DoorOpenerForm, MessageForm, OfferForm, ProfileForm, ReasonForm,
                                          RequestForm, ResolveForm, ScheduleForm, parse_codes)
from outreach.introductions.models import (ConsentScope, DoorOpener, IntroductionRequest, RequestMessage,
                                           RequestState, RequestTransition)
from outreach.introductions.profiles import IdentityRefused, IntroductionError
from outreach.introductions.web import REAUTH_KEY, acting_user, back_to, refused, words

S = RequestState


# --- lists -------------------------------------------------------------------------------------

#: The triage queue's filters: what needs a coordinator, and each state alone.
QUEUES = {"action": (S.SUBMITTED.value, S.TRIAGED.value, S.DECLINED.value),
          "open": (S.SUBMITTED.value, S.TRIAGED.value, S.OFFERED.value, S.ACCEPTED.value, S.DECLINED.value,
                   S.INTRODUCED.value, S.MEETING_SCHEDULED.value)}


@bp.get("/")
def index():
    """Requests the user may see: her own (activist), offered to her (partner), the triage queue (staff)."""
    user = acting_user()
    stmt = (select(IntroductionRequest).where(visible_requests(user))
            .options(selectinload(IntroductionRequest.profile), selectinload(IntroductionRequest.contact),
                     selectinload(IntroductionRequest.target_organisation)))
    queue = request.args.get("queue") or ("action" if is_staff(user) else "")
    if is_staff(user):
        states = QUEUES.get(queue) or ((queue,) if queue in {s.value for s in S} else QUEUES["action"])
        stmt = stmt.where(IntroductionRequest.state.in_(states))
    page = keyset_by_id_desc(stmt, IntroductionRequest.id, after=parse_cursor(request.args.get("after")),
                             before=parse_cursor(request.args.get("before")), size=25)
    has_profile = (Role(user.role) != Role.ACTIVIST) or profiles.profile_of(user) is not None
    return render_template("introductions/index.html", page=page, queue=queue, staff=is_staff(user),
                           has_profile=has_profile, states=[s.value for s in S], **words())


# --- the activist's own pages --------------------------------------------------------------------

def _profile_data(form: ProfileForm) -> profiles.ProfileData:
    return profiles.ProfileData(
        codename=form.codename.data or "", country=form.country.data, organisation=form.organisation.data,
        focus_areas=form.focus_areas.data or "", languages=parse_codes(form.languages.data),
        risk_tier=form.risk_tier.data, bio=form.bio.data, legal_name=form.legal_name.data, email=form.email.data,
        phone=form.phone.data, city=form.city.data)


@bp.route("/profile", methods=["GET", "POST"])
def my_profile():
    """Her own profile: codename, what partners read, and her identity (which only she sees here)."""
    user = acting_user()
    profile = profiles.profile_of(user) if request.method == "GET" else profiles.claim_profile(user, now=now_utc())
    form = ProfileForm()
    if request.method == "GET":
        if profile is not None:
            identity = profiles.own_identity(profile)
            form = ProfileForm(data={"codename": profile.codename, "country": profile.country,
                                     "organisation": profile.organisation, "focus_areas": profile.focus_areas,
                                     "languages": ", ".join(profile.language_list), "risk_tier": profile.risk_tier,
                                     "bio": profile.bio, **identity.__dict__})
        else:
            form = ProfileForm(data={"codename": user.name})
        return render_template("introductions/profile.html", form=form, profile=profile)
    if not form.validate_on_submit():
        return render_template("introductions/profile.html", form=form, profile=profile), 422
    data = _profile_data(form)
    try:
        if profile is None:
            profiles.create_profile(data, user=user, actor=user, now=now_utc(), ip=client_ip())
        else:
            profiles.update_profile(profile, data, actor=user, now=now_utc(), ip=client_ip())
    except IntroductionError as exc:
        db.session.rollback()
        status = show_error(form, exc)
        return render_template("introductions/profile.html", form=form, profile=profile), status
    db.session.commit()
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("introductions.my_profile")), 303


def _target_from_args(args: Any) -> tuple[Contact | None, Organisation | None]:
    contact = organisation = None
    if is_record_id(args.get("contact_id")):
        contact = db.session.scalar(select(Contact).where(Contact.id == int(args["contact_id"]),
                                                          Contact.is_archived.is_(False)))
    elif is_record_id(args.get("organisation_id")):
        organisation = db.session.scalar(select(Organisation).where(Organisation.id == int(args["organisation_id"]),
                                                                    Organisation.is_archived.is_(False)))
    return contact, organisation


@bp.route("/new", methods=["GET", "POST"])
def new_request():
    """Ask for an introduction to a person (or an organisation) from the directory."""
    user = acting_user()
    profile = profiles.profile_of(user) if request.method == "GET" else profiles.claim_profile(user, now=now_utc())
    if profile is None:
        flash(_("Create your profile first: partners read it when you ask for an introduction."), "info")
        return redirect(url_for("introductions.my_profile"))
    source = request.form if request.method == "POST" else request.args
    contact, organisation = _target_from_args(source)
    if contact is None and organisation is None:
        flash(_("Choose the person or organisation in the directory, then ask for an introduction."), "info")
        return redirect(url_for("introductions.choose_target"))
    form = RequestForm(data={"contact_id": getattr(contact, "id", ""),
                             "organisation_id": getattr(organisation, "id", ""),
                             "languages": ", ".join(profile.language_list)} if request.method == "GET" else None)
    context = {"form": form, "contact": contact, "organisation": organisation}
    if request.method == "GET":
        return render_template("introductions/new.html", **context)
    if not form.validate_on_submit():
        return render_template("introductions/new.html", **context), 422
    data = services.RequestData(purpose=form.purpose.data, ask=form.ask.data, contact_id=getattr(contact, "id", None),
                                organisation_id=getattr(organisation, "id", None), urgency=form.urgency.data,
                                window_start=form.window_start.data, window_end=form.window_end.data,
                                languages=parse_codes(form.languages.data))
    try:
        created = services.submit_request(profile, data, actor=user, now=now_utc(), ip=client_ip())
    except IntroductionError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc.message))
        return render_template("introductions/new.html", **context), 422
    db.session.commit()
    flash(_("Your request is sent. A coordinator will read it soon."), "success")
    return redirect(url_for("introductions.show", request_id=created.id)), 303


@bp.get("/choose")
def choose_target():
    """Find the person or organisation to ask for, in the public directory's fields only."""
    from outreach.contacts import queries as contact_queries

    q = search_text(request.args.get("q"))
    contacts = contact_queries.search_contacts(q, user=acting_user(), limit=20) if q else []
    organisations = contact_queries.search_organisations(q, user=acting_user(), limit=10) if q else []
    return render_template("introductions/choose.html", q=q, contacts=contacts, organisations=organisations)


@bp.post("/<int:request_id>/withdraw")
def withdraw(request_id: int):
    """She withdraws her request (and with it every consent she gave on it)."""
    req = get_request_or_404(request_id, acting_user())
    try:
        services.withdraw(req, actor=acting_user(), now=now_utc(), ip=client_ip())
    except IntroductionError as exc:
        return refused(exc, request_id)
    return back_to(request_id, _("Your request is withdrawn."))


@bp.post("/<int:request_id>/consent")
def consent(request_id: int):
    """Give or withdraw consent to share her identity with the partner, or with the target."""
    user = acting_user()
    req = get_request_or_404(request_id, user)
    scope = request.form.get("scope", "")
    action = request.form.get("action", "")
    if scope not in {s.value for s in ConsentScope} or action not in {"give", "withdraw"}:
        abort(400)
    try:
        if action == "give":
            profiles.give_consent(req, scope, actor=user, now=now_utc(), ip=client_ip())
            message = _("Thank you: your identity is shared as you chose.")
        else:
            profiles.withdraw_consent(req, scope, actor=user, now=now_utc(), ip=client_ip())
            message = _("Consent withdrawn: your identity is hidden again.")
    except IntroductionError as exc:
        return refused(exc, request_id)
    return back_to(request_id, message)


# --- the request's page, for everyone who may see it ---------------------------------------------

def _target_posts(req: IntroductionRequest) -> list[Position]:
    if req.contact_id is None:
        return []
    return list(db.session.scalars(select(Position).options(selectinload(Position.organisation)).where(
        Position.contact_id == req.contact_id, Position.end_date.is_(None))))


@bp.get("/<int:request_id>")
def show(request_id: int):
    """One request, as each role may see it."""
    user = acting_user()
    req = get_request_or_404(request_id, user)
    role = Role(user.role)
    context: dict[str, Any] = {"req": req, "profile": req.profile, "posts": _target_posts(req), "role": role.value,
                               "staff": is_staff(user), **words()}
    if role == Role.ACTIVIST or is_staff(user):
        context["messages"] = db.session.scalars(select(RequestMessage).options(selectinload(RequestMessage.author))
                                                 .where(RequestMessage.request_id == req.id)
                                                 .order_by(RequestMessage.id)).all()
        context["message_form"] = MessageForm()
    context["steps"] = db.session.scalars(select(RequestTransition).options(
        selectinload(RequestTransition.actor), selectinload(RequestTransition.partner))
        .where(RequestTransition.request_id == req.id).order_by(RequestTransition.id)).all()
    context["partner_consent"] = profiles.active_consent(req, ConsentScope.PARTNER.value)
    context["target_consent"] = profiles.active_consent(req, ConsentScope.TARGET.value)
    if role == Role.PARTNER:
        context["may_reveal"] = profiles.partner_may_see_identity(req, user)
        context["reason_form"] = ReasonForm()
        context["schedule_form"] = ScheduleForm(data={"timezone": user.timezone})
    if is_staff(user):
        context.update(_triage_context(req, user))
        context["schedule_form"] = ScheduleForm(data={"timezone": user.timezone})
    return render_template("introductions/show.html", **context)


def _triage_context(req: IntroductionRequest, user: Any) -> dict[str, Any]:
    now = now_utc()
    ranked = (queries.ranked_partners(req, now, limit=10)
              if req.contact_id and req.state in (S.SUBMITTED.value, S.TRIAGED.value, S.DECLINED.value) else [])
    people: list[Position] = []
    if req.contact_id is None and req.organisation_id is not None:
        people = list(db.session.scalars(select(Position).options(selectinload(Position.contact)).where(
            Position.organisation_id == req.organisation_id, Position.end_date.is_(None)).limit(50)))
    return {"ranked": ranked, "people": people, "offer_form": OfferForm(), "resolve_form": ResolveForm(),
            "reason_form": ReasonForm(), "reauth_fresh": is_fresh(session.get(REAUTH_KEY), now)}


@bp.post("/<int:request_id>/messages")
def add_message(request_id: int):
    """Write in the clarification thread (the activist and coordinators)."""
    user = acting_user()
    req = get_request_or_404(request_id, user)
    form = MessageForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.body.errors) or _("Write a message first."), "error")
        return redirect(url_for("introductions.show", request_id=request_id)), 303
    try:
        services.add_message(req, form.body.data, actor=user, now=now_utc(), ip=client_ip())
    except IntroductionError as exc:
        return refused(exc, request_id)
    db.session.commit()
    flash(_("Message sent."), "success")
    return redirect(url_for("introductions.show", request_id=request_id, _anchor="thread")), 303


@bp.post("/<int:request_id>/identity")
def reveal(request_id: int):
    """Show her name and contact details to a partner she consented to (or to staff who just confirmed)."""
    user = acting_user()
    req = get_request_or_404(request_id, user)
    now = now_utc()
    if is_staff(user) and not is_fresh(session.get(REAUTH_KEY), now):
        return redirect(url_for("introductions.confirm_password",
                                next=url_for("introductions.show", request_id=request_id))), 303
    try:
        identity = profiles.read_identity(req.profile, reader=user, now=now, request=req,
                                          reauthenticated=is_staff(user), ip=client_ip())
    except IdentityRefused:
        db.session.rollback()
        abort(403)
    db.session.commit()
    return render_template("introductions/identity.html", req=req, profile=req.profile, identity=identity,
                           window_minutes=int(REAUTH_WINDOW.total_seconds() // 60))


# --- the partner's answer and the introduction --------------------------------------------------

@bp.post("/<int:request_id>/answer")
def answer(request_id: int):
    """The partner accepts the request, or declines it with a reason."""
    user = acting_user()
    req = get_request_or_404(request_id, user)
    accept = request.form.get("answer") == "accept"
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.answer_offer(req, accept, form.reason.data, actor=user, now=now_utc(), ip=client_ip())
    except IntroductionError as exc:
        return refused(exc, request_id)
    db.session.commit()
    if not accept:
        flash(_("Thank you; the coordinator will ask someone else."), "success")
        return redirect(url_for("introductions.index")), 303
    flash(_("Thank you. The activist is asked whether she agrees to share her identity with you."), "success")
    return redirect(url_for("introductions.show", request_id=request_id)), 303


@bp.post("/<int:request_id>/introduced")
def introduced(request_id: int):
    """Record that the introduction was made."""
    user = acting_user()
    req = get_request_or_404(request_id, user)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.record_introduction(req, form.reason.data, actor=user, now=now_utc(), ip=client_ip())
    except IntroductionError as exc:
        return refused(exc, request_id)
    return back_to(request_id, _("Introduction recorded. Schedule the meeting next."))


@bp.post("/<int:request_id>/schedule")
def schedule(request_id: int):
    """Schedule the introduction meeting: a normal meeting with the activist, the partner and the target."""
    user = acting_user()
    req = get_request_or_404(request_id, user)
    form = ScheduleForm()
    if not form.validate_on_submit():
        errors = [str(e) for field in form for e in field.errors]
        flash(" ".join(errors) or _("Check the date and time."), "error")
        return redirect(url_for("introductions.show", request_id=request_id)), 303
    zone = form.timezone.data
    end = local_to_utc(form.date.data, form.end_time.data, zone) if form.end_time.data else None
    data = services.ScheduleData(start_at=local_to_utc(form.date.data, form.start_time.data, zone), timezone=zone,
                                 end_at=end,
                                 location=form.location.data or None)
    try:
        meeting = services.schedule_meeting(req, data, actor=user, now=now_utc(), ip=client_ip())
    except IntroductionError as exc:
        return refused(exc, request_id)
    db.session.commit()
    flash(_("The meeting is scheduled; its outcome will close the request."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id)), 303


@bp.route("/door-opener", methods=["GET", "POST"])
def door_opener():
    """A partner's languages and countries, which the ranking reads."""
    user = acting_user()
    row = db.session.get(DoorOpener, user.id)
    if request.method == "GET":
        form = DoorOpenerForm(data={"languages": (row.languages if row else "").replace(",", ", "),
                                    "countries": (row.countries if row else "").replace(",", ", ")})
        return render_template("introductions/door_opener.html", form=form)
    form = DoorOpenerForm()
    if not form.validate_on_submit():
        return render_template("introductions/door_opener.html", form=form), 422
    now = now_utc()
    if row is None:
        row = DoorOpener(user_id=user.id, updated_at=now)
        db.session.add(row)
    row.languages = ",".join(parse_codes(form.languages.data))
    row.countries = ",".join(parse_codes(form.countries.data, upper=True))
    row.updated_at = now
    db.session.commit()
    flash(_("Saved: coordinators will see these when they look for a door-opener."), "success")
    return redirect(url_for("introductions.door_opener")), 303
