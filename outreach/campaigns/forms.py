"""Campaign, objective and target forms; the filters of the targets table and of the directory list."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FloatField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from outreach.campaigns.models import CampaignStatus, ObjectiveSource, Stage
from outreach.campaigns.services import MAX_GOAL, MAX_NAME, MAX_NEXT_STEP, MAX_NOTE, MAX_REASON
from outreach.contacts.forms import ContactFilterForm, OrganisationFilterForm
from outreach.core.metrics import objective_metric, objective_metrics
from outreach.core.forms import (HiddenRecordIdField, NoControlCharacters, SelectField, TextField, choices,
                                 is_record_id, strip_filter)
from outreach.meetings.forms import PlausibleDate, RequiredDate

STATUS_LABELS = {CampaignStatus.DRAFT.value: _l("Draft"), CampaignStatus.ACTIVE.value: _l("Active"),
                 CampaignStatus.PAUSED.value: _l("Paused"), CampaignStatus.CLOSED.value: _l("Closed")}
STAGE_LABELS = {Stage.IDENTIFIED.value: _l("Identified"), Stage.CONTACTED.value: _l("Contacted"),
                Stage.MET.value: _l("Met"), Stage.COMMITTED.value: _l("Committed"),
                Stage.DELIVERED.value: _l("Delivered"), Stage.DROPPED.value: _l("Dropped")}
PRIORITY_LABELS = {1: _l("High"), 2: _l("Medium"), 3: _l("Low")}
SOURCE_LABELS = {
    ObjectiveSource.MANUAL.value: _l("Entered by hand, with a dated note"),
    ObjectiveSource.COMMITMENTS_KEPT.value: _l("Commitments kept by this campaign's targets"),
    ObjectiveSource.TARGETS_COMMITTED.value: _l("Targets at stage “committed” or beyond"),
    ObjectiveSource.MEETINGS_HELD.value: _l("Meetings held with an organisation (and its offices)"),
}
OBJECTIVE_STATUS_LABELS = {"on_track": _l("On track"), "at_risk": _l("At risk"), "off_track": _l("Off track")}
TARGET_SORT_LABELS = {"priority": _l("Priority"), "stage": _l("Stage"), "name": _l("Name"),
                      "changed": _l("Recently moved"), "next_step": _l("Next step due")}


def _record_id(message: Any) -> Any:
    def check(form: Any, field: Any) -> None:
        if field.data not in (None, "") and not is_record_id(field.data):
            raise ValidationError(message)
    return check


class CampaignForm(FlaskForm):
    name = TextField(_l("Name"), validators=[DataRequired(_l("Give the campaign a name.")), Length(max=MAX_NAME)])
    goal = TextAreaField(_l("Goal statement"), filters=[strip_filter],
                         validators=[DataRequired(_l("State the campaign's goal.")), Length(max=MAX_GOAL),
                                     NoControlCharacters()],
                         description=_l("What will be different when the campaign succeeds."))
    start_date = DateField(
        _l("Starts"),
        validators=[RequiredDate(_l("Enter the start date."), _l("Enter the date as YYYY-MM-DD.")), PlausibleDate()],
    )
    end_date = DateField(_l("Ends"), validators=[RequiredDate(_l("Enter the end date."),
                                                              _l("Enter the date as YYYY-MM-DD.")), PlausibleDate()])
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()), default=CampaignStatus.DRAFT.value)
    owner_id = SelectField(_l("Owner"), choices=[], validate_choice=False,
                           validators=[Optional(), _record_id(_l("Choose the owner from the list."))])
    tags = TextField(_l("Tags"), validators=[Optional(), Length(max=600)], description=_l("Separated by commas."))

    def validate_end_date(self, field: Any) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The campaign ends before it starts; check the dates."))


class SourceLabels(dict):  # type: ignore[type-arg]
    """The sources' labels, campaigns' own and those other features register (core/metrics.py)."""

    def __missing__(self, key: str) -> Any:
        metric = objective_metric(key)
        return metric.label if metric is not None else key


def source_choices() -> list[Any]:
    return choices(list(SOURCE_LABELS.items()) + [(m.key, m.label) for m in objective_metrics()])


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()))


class ObjectiveForm(FlaskForm):
    metric = TextField(_l("Metric"), validators=[DataRequired(_l("Say what is measured.")), Length(max=MAX_NAME)],
                       description=_l("For example: women police officers deployed, in %."))
    unit = TextField(_l("Unit"), validators=[Optional(), Length(max=30)])
    baseline = FloatField(_l("Baseline"), default=0, validators=[Optional()])
    target_value = FloatField(_l("Target value"), validators=[DataRequired(_l("Enter the target value."))])
    deadline = DateField(
        _l("Deadline"),
        validators=[RequiredDate(_l("Enter the deadline."), _l("Enter the date as YYYY-MM-DD.")), PlausibleDate()],
    )
    source = SelectField(_l("Current value"), choices=choices(SOURCE_LABELS.items()),
                         default=ObjectiveSource.MANUAL.value)
    organisation_id = SelectField(_l("Organisation (for meetings held)"), choices=[], validate_choice=False,
                                  validators=[Optional(), _record_id(_l("Choose the organisation from the list."))])


class ValueForm(FlaskForm):
    value = FloatField(_l("Value"), validators=[DataRequired(_l("Enter the value."))])
    as_of = DateField(_l("As of"), validators=[RequiredDate(_l("Enter the date."), _l("Enter the date as YYYY-MM-DD.")),
                                               PlausibleDate()])
    note = TextField(_l("Source or note"), validators=[Optional(), Length(max=MAX_NOTE)])


class TargetFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = TextField(_l("Name"), validators=[Optional(), Length(max=100)])
    stage = SelectField(_l("Stage"), choices=choices([("", _l("Any stage")), *STAGE_LABELS.items()]),
                        validators=[Optional()])
    priority = SelectField(_l("Priority"), choices=choices([("", _l("Any priority")),
                                                            *((str(k), v) for k, v in PRIORITY_LABELS.items())]),
                           validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=choices([("", _l("People and organisations")), ("contact", _l("People")),
                                                    ("organisation", _l("Organisations"))]), validators=[Optional()])
    #: Picked by typing, as in the commitments register: a list of the campaign's partners grew with it.
    partner = HiddenRecordIdField(_l("Partner"), message=_l("Pick a partner from the list."))
    unassigned = BooleanField(_l("No partner assigned"))
    sort = SelectField(_l("Sort by"), choices=choices(TARGET_SORT_LABELS.items()), default="priority",
                       validators=[Optional()])


class MoveForm(FlaskForm):
    stage = SelectField(_l("Move to"), choices=choices(STAGE_LABELS.items()))
    reason = TextField(_l("Reason"), validators=[Optional(), Length(max=MAX_REASON)])
    #: Where the move was made: "board" answers with the board's card (htmx), anything else redirects.
    view = HiddenField()
    loaded_at = HiddenField()  #: the version the page was opened on (core.db.version_token)


class TargetForm(FlaskForm):
    next_step = TextField(_l("Next step"), validators=[Optional(), Length(max=MAX_NEXT_STEP)])
    next_step_due = DateField(_l("By"), validators=[Optional(), PlausibleDate()])
    priority = SelectField(_l("Priority"), choices=choices((str(k), v) for k, v in PRIORITY_LABELS.items()),
                           default="2")
    partners = HiddenField()  #: comma-separated user ids, from the checkboxes
    loaded_at = HiddenField()  #: the version the page was opened on (core.db.version_token)


class DirectoryContactFilter(ContactFilterForm):
    """The directory's contact filters, for picking targets in bulk."""


class DirectoryOrganisationFilter(OrganisationFilterForm):
    """The directory's organisation filters, for picking targets in bulk."""
