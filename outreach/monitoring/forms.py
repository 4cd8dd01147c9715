"""Forms of monitoring: instruments, versions, ratings, money, key posts, the watchlist's filters."""
from __future__ import annotations

from typing import Any

import pycountry
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from outreach.core.forms import (DateField, HiddenRecordIdField, NoControlCharacters, SelectField, TextField, choices,
                                 strip_filter)
from outreach.core.ids import is_record_id
from outreach.monitoring.models import DecisionKind, FundingKind, InstrumentKind

KIND_LABELS = {
    InstrumentKind.MANDATE.value: _l("Peace operation mandate"),
    InstrumentKind.NEGOTIATION.value: _l("Negotiation or peace process"),
    InstrumentKind.NATIONAL_ACTION_PLAN.value: _l("National Action Plan"),
    InstrumentKind.LAW.value: _l("Law"),
    InstrumentKind.IMPLEMENTATION_PLAN.value: _l("Implementation plan"),
    InstrumentKind.BUDGET_LINE.value: _l("Budget line"),
}
DECISION_LABELS = {DecisionKind.RENEWAL.value: _l("Renewal"), DecisionKind.REVIEW.value: _l("Review"),
                   DecisionKind.EXPIRY.value: _l("Expiry")}
FUNDING_LABELS = {FundingKind.REQUIRED.value: _l("Required"), FundingKind.ALLOCATED.value: _l("Allocated"),
                  FundingKind.SPENT.value: _l("Spent")}
RATING_LABELS = {0: _l("Absent"), 1: _l("Weak"), 2: _l("Adequate"), 3: _l("Strong")}


def _text_area(label: Any, limit: int, **kw: Any) -> TextAreaField:
    return TextAreaField(label, [Optional(), Length(max=limit), NoControlCharacters()], filters=[strip_filter], **kw)


class RecordId:
    """An optional id of a record: digits that fit an integer column, or nothing."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data not in (None, "") and not is_record_id(field.data):
            raise ValidationError(_l("Choose from the list."))


class InstrumentForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()), validators=[DataRequired()])
    title = TextField(_l("Title"), [DataRequired(), Length(max=300)],
                      description=_l("e.g. United Nations Multidimensional Integrated Stabilization Mission in the "
                                     "Central African Republic (MINUSCA) mandate"))
    short_name = TextField(_l("Short name"), [Optional(), Length(max=60)], description=_l("e.g. MINUSCA mandate"))
    body_id = HiddenField(_l("Responsible body"), [RecordId()])
    countries = TextField(_l("Countries covered"), [Optional(), Length(max=400)],
                          description=_l("ISO codes separated by commas, e.g. CF, CD"))
    region = TextField(_l("Region"), [Optional(), Length(max=60)], description=_l("e.g. Central Africa, Sahel"))
    summary = _text_area(_l("Summary"), 20_000)
    documents = _text_area(_l("Documents"), 10_000, description=_l("One link per line (https://…)"))
    adopted_on = DateField(_l("First adopted"), [Optional()])
    next_decision_on = DateField(_l("Next decision"), [Optional()])
    next_decision_kind = SelectField(_l("Next decision is a"), choices=choices(DECISION_LABELS.items()))
    expires_on = DateField(_l("Expires"), [Optional()])
    reminder_days = TextField(_l("Remind followers (days before)"), [Optional(), Length(max=60)], default="90,30,7")
    revision = HiddenField()


class VersionForm(FlaskForm):
    reference = TextField(_l("Reference"), [DataRequired(), Length(max=120)],
                          description=_l("e.g. S/RES/2709 (2023), NAP 2024–2028"))
    effective_on = DateField(_l("Adopted on"), [DataRequired()])
    source_url = TextField(_l("Source link"), [Optional(), Length(max=500)])
    notes = _text_area(_l("Notes"), 20_000)


class RatingRow(Form):
    criterion_id = HiddenField()
    rating = SelectField(_l("Rating"), validators=[Optional()],
                         choices=choices([("", _l("Not rated"))] + [(str(k), v) for k, v in RATING_LABELS.items()]))
    evidence_quote = _text_area(_l("Evidence (quoted text)"), 20_000)
    evidence_page = TextField(_l("Page or paragraph"), [Optional(), Length(max=40)])
    evidence_url = TextField(_l("Evidence link"), [Optional(), Length(max=500)])


class FundingForm(FlaskForm):
    year = IntegerField(_l("Year"), [DataRequired(), NumberRange(1945, 2200)])
    kind = SelectField(_l("Amount"), choices=choices(FUNDING_LABELS.items()), validators=[DataRequired()])
    amount = TextField(_l("Sum"), [DataRequired(), Length(max=30)], description=_l("e.g. 1250000 or 1250000.50"))
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    source = TextField(_l("Source"), [Optional(), Length(max=300)])
    source_url = TextField(_l("Source link"), [Optional(), Length(max=500)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency.choices = currency_choices()


def currency_choices() -> list[Any]:
    common = ["USD", "EUR", "GBP", "XAF", "XOF", "NOK", "SEK", "CAD", "JPY", "CHF"]
    rest = sorted(c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in common)
    return choices([("", "")] + [(c, c) for c in common + rest])


class KeyPostForm(FlaskForm):
    organisation_id = HiddenField(_l("Organisation"), [DataRequired(message=_l("Choose the organisation.")),
                                                       RecordId()])
    title = TextField(_l("Post title"), [DataRequired(), Length(max=200)],
                      description=_l("As on the holder's position, e.g. Special Representative of the "
                                     "Secretary-General"))


class PublishForm(FlaskForm):
    public_summary = _text_area(_l("Public summary"), 4000,
                                description=_l("What activists may read in the public directory. Leave empty "
                                               "to withdraw it."))


class CriterionForm(FlaskForm):
    name = TextField(_l("Name"), [DataRequired(), Length(max=80)])
    key = TextField(_l("Key"), [Optional(), Length(max=40)], description=_l("Optional; made from the name."))
    description = _text_area(_l("What it means"), 1000)


class LinkForm(FlaskForm):
    instrument_id = SelectField(_l("Instrument"), validators=[DataRequired(message=_l("Choose an instrument."))])


class WatchlistFilterForm(Form):
    q = TextField(_l("Title"), [Optional(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=choices([("", _l("Any kind"))] + list(KIND_LABELS.items())),
                       validators=[Optional()])
    region = SelectField(_l("Region"), validators=[Optional()])
    #: Picked by typing (an organisation's name or acronym): a select of every responsible body grows with them.
    body = HiddenRecordIdField(_l("Body"))
    country = TextField(_l("Country"), [Optional(), Length(max=2)])
    criterion = SelectField(_l("Criterion"), validators=[Optional(), RecordId()], validate_choice=False)
    at_most = SelectField(_l("Rated at most"), validators=[Optional()],
                          choices=choices([("", _l("Any rating"))] + [(str(k), v) for k, v in RATING_LABELS.items()]))
    within = IntegerField(_l("Decision within (days)"), [Optional(), NumberRange(0, 3650)])

    def validate_country(self, field: Any) -> None:
        if field.data and pycountry.countries.get(alpha_2=field.data.upper()) is None:
            raise ValidationError(_l("Give a two-letter country code, e.g. CF."))

    def filters(self) -> dict[str, Any]:
        data = self.data
        return {
            "q": data["q"] or None, "kind": data["kind"] or None, "region": data["region"] or None,
            "body": data["body"],
            "country": data["country"].upper() if data["country"] else None,
            "criterion": int(data["criterion"]) if data["criterion"] else None,
            "at_most": int(data["at_most"]) if data["at_most"] not in (None, "") else None,
            "within": data["within"],
        }


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token, for pages that build their own fields."""
