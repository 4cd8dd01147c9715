"""Forms of the introductions pages."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, PasswordField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from outreach.contacts.forms import country_choices
from outreach.core.forms import IanaTimezone, NoControlCharacters, SelectField, TextField, choices, strip_filter
from outreach.core.time import common_zone_choices
from outreach.introductions.services import TIER_LABELS, URGENCY_LABELS
from outreach.meetings.forms import PlausibleDate

_CODE = re.compile(r"^[a-z]{2,3}$")


def parse_codes(text: str | None, *, upper: bool = False) -> list[str]:
    """"fr, EN ,sw" -> ["en", "fr", "sw"]; refuses anything that is not a 2-3 letter code."""
    codes = sorted({part.strip().lower() for part in (text or "").split(",") if part.strip()})
    bad = [code for code in codes if not _CODE.match(code)]
    if bad:
        raise ValidationError(_l("Use two- or three-letter codes separated by commas, e.g. \"fr, en\"."))
    return [code.upper() for code in codes] if upper else codes


class CodeList:
    def __call__(self, form: Any, field: Any) -> None:
        parse_codes(field.data)


def _blank_none(value: Any) -> Any:
    return None if value in ("", None) else value


class ProfileForm(FlaskForm):
    codename = TextField(_l("Codename"), validators=[DataRequired(_l("Choose a codename.")), Length(min=3, max=60)],
                         description=_l("What partners and targets see until you agree to share your identity."))
    country = SelectField(_l("Country"), choices=[], filters=[_blank_none], validators=[Optional()])
    organisation = TextField(_l("Your organisation"), validators=[Optional(), Length(max=200)],
                             description=_l("Seen by coordinators only."))
    focus_areas = TextField(_l("Focus areas"), validators=[Optional(), Length(max=300)],
                            description=_l("Separate with commas, e.g. \"sexual violence, land rights\"."))
    languages = TextField(_l("Languages"), validators=[Optional(), Length(max=60), CodeList()],
                          description=_l("Two-letter codes separated by commas, e.g. \"fr, sg\"."))
    risk_tier = SelectField(_l("Risk"), choices=choices(TIER_LABELS.items()), default="standard")
    bio = TextAreaField(_l("Short public bio"), filters=[strip_filter],
                        validators=[Optional(), Length(max=1000), NoControlCharacters()],
                        description=_l("Partners read this in the brief. Leave out anything that could identify you."))
    legal_name = TextField(_l("Legal name"), validators=[Optional(), Length(max=200)])
    email = TextField(_l("E-mail"), validators=[Optional(), Length(max=200)])
    phone = TextField(_l("Phone"), validators=[Optional(), Length(max=200)])
    city = TextField(_l("City"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices("—")


class NewProfileForm(ProfileForm):
    invite_email = TextField(_l("Invite her at (e-mail)"), validators=[Optional(), Length(max=254)],
                             description=_l("Optional: she receives a one-time link to set her password."))


class RequestForm(FlaskForm):
    contact_id = HiddenField()
    organisation_id = HiddenField()
    purpose = TextAreaField(_l("What is the introduction for?"), filters=[strip_filter],
                            validators=[DataRequired(_l("Say what the introduction is for.")), Length(max=4000),
                                        NoControlCharacters()])
    ask = TextAreaField(_l("What would you ask them?"), filters=[strip_filter],
                        validators=[DataRequired(_l("Say what you would ask the person.")), Length(max=4000),
                                    NoControlCharacters()])
    urgency = SelectField(_l("How urgent is it?"), choices=choices(URGENCY_LABELS.items()), default="normal")
    window_start = DateField(_l("Preferred from"), validators=[Optional(), PlausibleDate()])
    window_end = DateField(_l("Preferred until"), validators=[Optional(), PlausibleDate()])
    languages = TextField(_l("Languages for the meeting"), validators=[Optional(), Length(max=60), CodeList()],
                          description=_l("Two-letter codes separated by commas, e.g. \"fr, en\"."))


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), filters=[strip_filter],
                         validators=[DataRequired(_l("Write a message first.")), Length(max=4000),
                                     NoControlCharacters()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), filters=[strip_filter],
                           validators=[Optional(), Length(max=1000), NoControlCharacters()])


class OfferForm(FlaskForm):
    partner_id = IntegerField(_l("Partner"), validators=[DataRequired(_l("Choose a partner.")),
                                                         NumberRange(min=1, max=2**31 - 1)])


class ResolveForm(FlaskForm):
    contact_id = IntegerField(_l("Person"), validators=[DataRequired(_l("Choose a person.")),
                                                        NumberRange(min=1, max=2**31 - 1)])


class ScheduleForm(FlaskForm):
    date = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date as YYYY-MM-DD.")), PlausibleDate()])
    start_time = TimeField(_l("Starts"), validators=[DataRequired(_l("Enter the start time."))])
    end_time = TimeField(_l("Ends"), validators=[Optional()])
    timezone = SelectField(_l("Time zone"), choices=[], validators=[IanaTimezone()], default="UTC")
    location = TextField(_l("Place"), validators=[Optional(), Length(max=300)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = choices(common_zone_choices())


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password."))])
    next = HiddenField()


class DoorOpenerForm(FlaskForm):
    languages = TextField(_l("Languages you work in"), validators=[Optional(), Length(max=60), CodeList()],
                          description=_l("Two-letter codes separated by commas, e.g. \"en, fr, ar\"."))
    countries = TextField(_l("Countries you work in"), validators=[Optional(), Length(max=120), CodeList()],
                          description=_l("Two-letter country codes separated by commas, e.g. \"CF, CD, SS\"."))


class ServiceLevelForm(FlaskForm):
    submitted = IntegerField(_l("Triage within (days)"), validators=[DataRequired(), NumberRange(min=1, max=365)])
    offered = IntegerField(_l("Partner answers within (days)"),
                           validators=[DataRequired(), NumberRange(min=1, max=365)])
    accepted = IntegerField(_l("Introduction made within (days)"),
                            validators=[DataRequired(), NumberRange(min=1, max=365)])
    declined = IntegerField(_l("Offered to the next partner within (days)"),
                            validators=[DataRequired(), NumberRange(min=1, max=365)])
