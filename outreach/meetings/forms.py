"""The meeting form (with its commitment and follow-up rows), filters, and small action forms."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, SelectChoice, TextAreaField, TimeField,
                     URLField)
from wtforms.validators import AnyOf, DataRequired, Length, Optional, StopValidation, URL, ValidationError

from outreach.core.forms import (DateField, HiddenRecordIdField, IanaTimezone, NoControlCharacters, RecordIdField,
                                  SelectField, SelectMultipleField, TextField, choices, is_record_id, strip_filter)
from outreach.core.i18n import local_text
from outreach.core.time import common_zone_choices, is_valid_zone, missing_local_time, now_utc
from outreach.meetings.attendees import UNRECOGNISED, is_token, made_by_problem, target_ids
from outreach.meetings.models import (CommitmentCategory, CommitmentStatus, MeetingInitiator, MeetingKind,
                                      MeetingStatus)
from outreach.meetings.services import (MAX_COMMITMENT, MAX_LOCATION, MAX_TASK, MAX_TEXT, MAX_TITLE,
                                         SNOOZE_CHOICES)

KIND_LABELS = {
    MeetingKind.MEETING.value: _l("Meeting"), MeetingKind.CALL.value: _l("Call"),
    MeetingKind.EVENT.value: _l("Event"), MeetingKind.EMAIL.value: _l("E-mail"), MeetingKind.OTHER.value: _l("Other"),
}
INITIATOR_LABELS = {MeetingInitiator.US.value: _l("We did (a partner or the coalition)"),
                    MeetingInitiator.TARGET.value: _l("They did (the target or their office)")}
STATUS_LABELS = {MeetingStatus.PLANNED.value: _l("Planned"), MeetingStatus.HELD.value: _l("Held"),
                 MeetingStatus.CANCELLED.value: _l("Cancelled")}
CATEGORY_LABELS = {
    CommitmentCategory.MANDATE_LANGUAGE.value: _l("Mandate language"), CommitmentCategory.FUNDING.value: _l("Funding"),
    CommitmentCategory.APPOINTMENT_OF_WOMEN.value: _l("Appointment of women"),
    CommitmentCategory.POLICY.value: _l("Policy"), CommitmentCategory.DATA.value: _l("Data"),
    CommitmentCategory.ACCESS.value: _l("Access"), CommitmentCategory.OTHER.value: _l("Other"),
}
COMMITMENT_STATUS_LABELS = {
    CommitmentStatus.OPEN.value: _l("Open"), CommitmentStatus.ON_TRACK.value: _l("On track"),
    CommitmentStatus.OVERDUE.value: _l("Overdue"), CommitmentStatus.KEPT.value: _l("Kept"),
    CommitmentStatus.PARTLY_KEPT.value: _l("Partly kept"), CommitmentStatus.BROKEN.value: _l("Broken"),
    CommitmentStatus.WITHDRAWN.value: _l("Withdrawn"),
}
REMINDER_LABELS = [("10080", _l("a week before")), ("1440", _l("a day before")), ("60", _l("an hour before")),
                   ("0", _l("at the due time"))]


def gap_message(day: Any, at: Any, zone: str) -> str:
    return str(_l("%(time)s does not exist in %(zone)s on %(day)s: the clocks go forward.",
                  time=local_text(at), zone=zone, day=local_text(day, "date.long")))


#: Dates of promises and tasks: before 2000 or more than 20 years ahead is a typing mistake.
EARLIEST_DUE = date(2000, 1, 1)
LATEST_DUE_YEARS = 20


class PlausibleDate:
    """Refuse dates before 2000 or more than 20 years from today."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None:
            return
        latest = now_utc().date() + timedelta(days=365 * LATEST_DUE_YEARS + 5)
        if field.data < EARLIEST_DUE or field.data > latest:
            raise ValidationError(_l("Enter a date between 2000 and %(year)d.", year=latest.year))


class RequiredDate:
    """Empty → "Enter the date."; typed but unreadable → the format to use."""

    field_flags = {"required": True}

    def __init__(self, empty: Any, bad: Any) -> None:
        self.empty, self.bad = empty, bad

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None:
            raw = "".join(field.raw_data or []).strip()
            field.errors[:] = []
            raise StopValidation(self.bad if raw else self.empty)


def _newlines(value: Any) -> Any:
    """Browsers send textareas with CRLF; store LF so an untouched field does not count as a change."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class LongText(TextAreaField):
    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("filters", [strip_filter, _newlines])
        limit = Length(max=MAX_TEXT, message=_l("Keep this under %(max)d characters.", max=MAX_TEXT))
        super().__init__(label, [Optional(), limit, NoControlCharacters(), *(validators or [])], **kwargs)


class CommitmentRow(Form):
    """One promise typed into the meeting form; a row without a description is ignored."""

    description = TextField(_l("What was promised"), validators=[Optional(), Length(
        max=MAX_COMMITMENT, message=_l("Keep this under %(max)d characters.", max=MAX_COMMITMENT))])
    contact_id = SelectField(_l("Made by"), choices=[], validate_choice=False, validators=[Optional()])
    category = SelectField(_l("Category"), choices=choices(CATEGORY_LABELS.items()),
                           default=CommitmentCategory.OTHER.value)
    indicator = TextField(_l("Indicator"), validators=[Optional(), Length(max=300)])
    target_value = TextField(_l("Target value"), validators=[Optional(), Length(max=100)])
    due_date = DateField(_l("Due date"), validators=[Optional(), PlausibleDate()],
                         render_kw={"placeholder": "YYYY-MM-DD"})
    #: Chosen with a search picker (templates/_macros/ui.html search_picker): the instance may have thousands.
    accountable_id = HiddenRecordIdField(_l("Accountable partner"), message=_l("Pick a partner from the list."))

    def validate_contact_id(self, field: Any) -> None:
        if field.data and not is_record_id(field.data):
            raise ValidationError(_l("Pick who made the commitment from the list."))



class FollowUpRow(Form):
    """One task typed into the meeting form; a row without a task is ignored."""

    task = TextField(_l("Task"), validators=[Optional(), Length(
        max=MAX_TASK, message=_l("Keep this under %(max)d characters.", max=MAX_TASK))])
    due_date = DateField(
        _l("Due date"), validators=[Optional(), PlausibleDate()], render_kw={"placeholder": "YYYY-MM-DD"}
    )
    due_time = TimeField(_l("Time"), validators=[Optional()], default=None)
    assignee_id = HiddenRecordIdField(_l("Who"), message=_l("Pick someone from the list."))  #: like accountable_id
    reminders = SelectMultipleField(_l("Remind"), choices=choices(REMINDER_LABELS), default=["1440", "0"],
                                    validators=[Optional()])
    daily_when_overdue = BooleanField(_l("Then daily while overdue"), default=True)


class MeetingForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()), default=MeetingKind.MEETING.value)
    title = TextField(_l("Title"), validators=[DataRequired(_l("Give the meeting a title.")), Length(
        max=MAX_TITLE, message=_l("Keep this under %(max)d characters.", max=MAX_TITLE))])
    date = DateField(_l("Date"), validators=[RequiredDate(_l("Enter the date."), _l("Enter the date as YYYY-MM-DD."))])
    start_time = TimeField(_l("Starts"), validators=[DataRequired(_l("Enter a start time as HH:MM."))])
    end_time = TimeField(_l("Ends"), validators=[Optional()])
    timezone = SelectField(_l("Time zone where it happens"), choices=choices(common_zone_choices()),
                           validators=[IanaTimezone()], validate_choice=False)
    location = TextField(_l("Location"), validators=[Optional(), Length(
        max=MAX_LOCATION, message=_l("Keep this under %(max)d characters.", max=MAX_LOCATION))])
    online_url = URLField(_l("Online link"), filters=[strip_filter], validators=[Optional(), Length(max=500)])
    attendees = SelectMultipleField(_l("Attendees"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()), default=MeetingStatus.HELD.value)
    #: Contact the target sought weighs more when the coalition looks for a partner to open a door.
    initiated_by = SelectField(_l("Who asked for it"), choices=[SelectChoice("", _l("Not recorded")),
                                                                *choices(INITIATOR_LABELS.items())], default="")
    agenda = LongText(_l("Agenda"))
    notes = LongText(_l("Notes (internal: never shown to activists)"))
    outcome = LongText(_l("Outcome"))
    revision = HiddenField()
    commitments = FieldList(FormField(CommitmentRow), min_entries=1, max_entries=30)
    follow_ups = FieldList(FormField(FollowUpRow), min_entries=1, max_entries=30)

    def validate_online_url(self, field: Any) -> None:
        """One message for any link that is not a full web address."""
        if not field.data:
            return
        try:
            URL()(self, field)
            ok = field.data.lower().startswith(("https://", "http://"))
        except ValidationError:
            ok = False
        if not ok:
            raise ValidationError(_l("Enter a full link starting with https://."))

    def validate_attendees(self, field: Any) -> None:
        if not all(map(is_token, field.data or [])):
            raise ValidationError(UNRECOGNISED)

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        zone = self.timezone.data
        if self.date.data and not self.date.errors and is_valid_zone(zone or ""):
            for name in ("start_time", "end_time"):
                at = getattr(self, name).data
                if at is not None and missing_local_time(self.date.data, at, zone):
                    getattr(self, name).errors.append(gap_message(self.date.data, at, zone))
                    ok = False
        targets = target_ids(self.attendees.data or [])
        for row in self.commitments:
            made_by = row.form.contact_id
            if not row.form.description.data or made_by.errors:
                continue
            problem = made_by_problem(made_by.data, targets)
            if problem is not None:
                made_by.errors.append(problem)
                ok = False
        for row in self.follow_ups:
            if row.form.task.data and not row.form.due_date.data and not row.form.due_date.errors:
                row.form.due_date.errors = [_l("Enter the due date.")]
                ok = False
        return ok


class MeetingFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = TextField(_l("Title contains"), validators=[Optional(), Length(max=100)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("", _l("Any kind")), *choices(KIND_LABELS.items())],
                       validators=[Optional()])
    status = SelectField(_l("Status"), choices=[SelectChoice("", _l("Any status")), *choices(STATUS_LABELS.items())],
                         validators=[Optional()])
    organisation = RecordIdField(_l("Organisation (and its offices)"))
    contact = RecordIdField(_l("Contact"))
    partner = RecordIdField(_l("Partner"))

    def validate_date_to(self, field: Any) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the range is before its start."))


class CommitmentFilterForm(FlaskForm):
    """The register's filters, read from the query string (bookmarkable) and from the export's form."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[SelectChoice("", _l("Any status")),
                                                *choices(COMMITMENT_STATUS_LABELS.items())], validators=[Optional()])
    category = SelectField(_l("Category"), choices=[SelectChoice("", _l("Any category")),
                                                    *choices(CATEGORY_LABELS.items())], validators=[Optional()])
    #: Chosen with search pickers (templates/_macros/ui.html search_picker), like the meeting form's.
    contact = HiddenRecordIdField(_l("Target (person)"))
    organisation = HiddenRecordIdField(_l("Organisation"))
    #: The organisation's offices too (its subtree); ticked on a blank form, so a bookmark without it means "only".
    offices = BooleanField(_l("Include its offices"), default=True)
    accountable = HiddenRecordIdField(_l("Accountable partner"))
    due_from = DateField(_l("Due from"), validators=[Optional()])
    due_to = DateField(_l("Due to"), validators=[Optional()])

    #: The query-string names the form reads (a request without any of them is a blank register).
    FIELDS = ("status", "category", "contact", "organisation", "offices", "accountable", "due_from", "due_to")

    def validate_due_to(self, field: Any) -> None:
        if field.data and self.due_from.data and field.data < self.due_from.data:
            raise ValidationError(_l("The end of the due range is before its start."))

    def filters(self) -> dict[str, Any]:
        """What the queries filter on: the fields filled in; the organisation's offices only with an organisation."""
        chosen = {k: v for k, v in self.data.items() if k != "offices" and v not in (None, "")}
        if chosen.get("organisation") and self.offices.data:
            chosen["offices"] = True
        return chosen


class CommitmentStatusForm(FlaskForm):
    #: The status the person saw when the page was opened: a change on an older copy is refused.
    seen_status = HiddenField(validators=[Optional(), AnyOf(list(COMMITMENT_STATUS_LABELS),
                                                            message=_l("Reload the commitment and try again."))])
    status = SelectField(_l("New status"), choices=choices(COMMITMENT_STATUS_LABELS.items()))
    note = TextField(_l("Note"), validators=[Optional(), Length(max=2000)])
    evidence = TextField(_l("Evidence link"), validators=[Optional(), Length(max=500),
                                                          URL(message=_l("Enter a full link (https://…)."))])


class SnoozeForm(FlaskForm):
    until = SelectField(_l("Snooze for"), choices=choices([("1h", _l("an hour")), ("1d", _l("a day")),
                                                           ("3d", _l("three days")), ("1w", _l("a week"))]))

    def validate_until(self, field: Any) -> None:
        if field.data not in SNOOZE_CHOICES:
            raise ValidationError(_l("Choose how long to snooze."))


class FollowUpForm(FlaskForm):
    """A follow-up added on its own (chasing a commitment)."""

    task = TextField(_l("Task"), validators=[DataRequired(_l("Say what has to be done.")), Length(max=500)])
    due_date = DateField(_l("Due date"), validators=[RequiredDate(_l("Enter the due date."),
                                                                  _l("Enter the due date as YYYY-MM-DD.")),
                                                     PlausibleDate()])
    due_time = TimeField(_l("Time"), validators=[Optional()])
    assignee_id = HiddenRecordIdField(_l("Who"), validators=[DataRequired(_l("Pick someone from the list."))],
                                      message=_l("Pick someone from the list."))  #: a search picker
