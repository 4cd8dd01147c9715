"""User administration and audit-log filter forms."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from outreach.core.auth.services import normalise_email
from outreach.core.errors import ServiceError
from outreach.core.forms import DateField, SelectField, TextField, choices, strip_filter
from outreach.core.permissions import Role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.MANAGER: _l("Manager"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.PARTNER: _l("Partner"),
    Role.ACTIVIST: _l("Activist"),
}


def role_choices() -> list[SelectChoice]:
    return choices((r.value, ROLE_LABELS[r]) for r in Role)


class ValidEmail:
    def __call__(self, form: Any, field: Any) -> None:
        try:
            field.data = normalise_email(field.data or "")
        except ServiceError as exc:
            raise ValidationError(_l("Enter a valid e-mail address (%(reason)s)", reason=exc.message)) from exc


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), filters=[strip_filter],
                       validators=[DataRequired(_l("Enter an e-mail address.")), Length(max=254), ValidEmail()])
    name = TextField(_l("Name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=120)])
    role = SelectField(_l("Role"), choices=role_choices(), default=Role.COORDINATOR.value)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices())


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = TextField(_l("Name or e-mail"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=[SelectChoice("", _l("Any role")), *role_choices()], validators=[Optional()])
    status = SelectField(_l("Status"), choices=choices([("", _l("Any status")), ("active", _l("Active")),
                                                          ("inactive", _l("Deactivated"))]), validators=[Optional()])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = TextField(
        _l("Who"), validators=[Optional(), Length(max=254)], description=_l("a name or an e-mail address")
    )
    action = TextField(_l("Action"), validators=[Optional(), Length(max=64)],
                       description=_l("e.g. user.invite, or auth. for every sign-in event"))
    record_type = TextField(_l("Record type"), validators=[Optional(), Length(max=64)])
    record_id = TextField(_l("Record id"), validators=[Optional(), Length(max=64)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def validate_until(self, field: Any) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))
