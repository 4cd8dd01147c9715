"""Sign-in, invitation acceptance and account forms."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from outreach.core.auth.services import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from outreach.core.forms import IanaTimezone, SelectField, TextField, choices, strip_filter
from outreach.core.time import common_zone_choices


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), filters=[strip_filter],
                       validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                          Length(max=MAX_PASSWORD_LENGTH)])
    remember = BooleanField(_l("Keep me signed in on this device for 14 days"))
    next = HiddenField()


def _new_password_fields(label: str = "New password") -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l(label),
            validators=[
                DataRequired(_l("Choose a password.")),
                Length(
                    min=MIN_PASSWORD_LENGTH,
                    max=MAX_PASSWORD_LENGTH,
                    message=_l("Use between %(min)d and %(max)d characters."),
                ),
            ],
            description=_l(
                "At least %(n)d characters. A few unrelated words make a strong one.", n=MIN_PASSWORD_LENGTH
            ),
        ),
        PasswordField(
            _l("Repeat the password"),
            validators=[DataRequired(_l("Repeat the password.")), EqualTo("password", _l("The two passwords differ."))],
        ),
    )


class AcceptInviteForm(FlaskForm):
    name = TextField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=120)])
    timezone = SelectField(_l("Your time zone"), choices=[], validators=[IanaTimezone()], validate_choice=False)
    password, confirm = _new_password_fields("Password")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = choices(common_zone_choices())


class PreferencesForm(FlaskForm):
    name = TextField(_l("Name"), validators=[DataRequired(_l("Enter your name.")), Length(max=120)])
    timezone = SelectField(_l("Time zone"), choices=[], validators=[IanaTimezone()], validate_choice=False,
                           description=_l("Dates and times are shown in this zone."))
    locale = SelectField(_l("Language"), choices=[])

    def __init__(self, *args: Any, languages: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = choices(common_zone_choices())
        self.locale.choices = choices((languages or {"en": "English"}).items())


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), filters=[strip_filter],
                       validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254),
                                   Email(_l("Enter an e-mail address such as name@example.org."))])


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password.")), Length(max=MAX_PASSWORD_LENGTH)])
    password, confirm = _new_password_fields()


__all__ = ["LoginForm", "AcceptInviteForm", "PreferencesForm", "PasswordChangeForm", "ForgotPasswordForm",
           "ResetPasswordForm"]
