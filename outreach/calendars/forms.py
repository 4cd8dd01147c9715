"""The feed form, the rename form, the organisation-wide export and the .ics upload."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, RadioField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from outreach.calendars.ics import BUSY, FULL, TITLES
from outreach.calendars.models import FeedScope, FollowUpsAs
from outreach.core.forms import RecordIdField, SelectField, TextField, choices, is_record_id

SCOPE_LABELS = {FeedScope.MINE.value: _l("My meetings and follow-ups"),
                FeedScope.ORGANISATION.value: _l("The whole organisation (everyone's meetings)"),
                FeedScope.SUBTREE.value: _l("An organisation and its offices")}
PRIVACY_LABELS = {FULL: _l("Full details (title, place, who attends, a link to the meeting)"),
                  TITLES: _l("Titles only (title, time and a link)"),
                  BUSY: _l("Busy only (just the times, marked \u201cBusy\u201d)")}
PRIVACY_SHORT = {FULL: _l("full details"), TITLES: _l("titles only"), BUSY: _l("busy only")}
FOLLOW_UPS_AS_LABELS = {FollowUpsAs.TODO.value: _l("as tasks (VTODO)"),
                        FollowUpsAs.EVENT.value: _l("as 30-minute events at the due time")}
#: The longest organisation-wide export.
MAX_EXPORT_DAYS = 3 * 366


class FeedForm(FlaskForm):
    name = TextField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    scope = RadioField(_l("What it shows"), choices=choices(SCOPE_LABELS.items()), default=FeedScope.MINE.value,
                       validators=[InputRequired()])
    organisation = SelectField(_l("Organisation"), choices=[], validate_choice=False, validators=[Optional()])
    #: The record of a scope another feature registers (a campaign); the page groups the choices by scope.
    scope_record = RecordIdField(_l("Which one"), validators=[Optional()],
                                 message=_l("Choose a campaign (or other record) from the list."))
    #: Keys of the registered calendar sources; the services check them against what the user may include.
    includes = SelectMultipleField(_l("Include"), choices=[], validate_choice=False,
                                   default=["meetings", "follow_ups", "commitments"])
    follow_ups_as = RadioField(_l("Show follow-ups"), choices=choices(FOLLOW_UPS_AS_LABELS.items()),
                               default=FollowUpsAs.TODO.value, validators=[InputRequired()])
    privacy = RadioField(_l("Privacy"), choices=choices(PRIVACY_LABELS.items()), default=FULL,
                         validators=[InputRequired()])

    def validate_organisation(self, field: object) -> None:
        value = self.organisation.data
        if value and not is_record_id(value):
            raise ValidationError(_l("Choose an organisation from the list."))


class RenameForm(FlaskForm):
    name = TextField(_l("New name"), validators=[DataRequired(), Length(max=120)])


class ActionForm(FlaskForm):
    """Regenerate and revoke: a CSRF token and nothing else."""


class ExportForm(FlaskForm):
    date_from = DateField(_l("From"), validators=[DataRequired()])
    date_to = DateField(_l("To"), validators=[DataRequired()])

    def validate_date_to(self, field: object) -> None:
        if self.date_from.data and self.date_to.data:
            if self.date_to.data < self.date_from.data:
                raise ValidationError(_l("The end comes before the start."))
            if self.date_to.data - self.date_from.data > timedelta(days=MAX_EXPORT_DAYS):
                raise ValidationError(_l("Export at most three years at a time."))
            if self.date_from.data.year < 1971 or self.date_to.data.year > 9000:
                raise ValidationError(_l("Enter dates between 1971 and 9000."))


class ImportForm(FlaskForm):
    file = FileField(_l("Invitation (.ics)"))


class SeriesForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])
    choice = RadioField(
        _l("Import"),
        choices=choices([("next", _l("The next occurrence")), ("series", _l("The series"))]),
        default="next",
    )
