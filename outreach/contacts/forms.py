"""Directory forms and list filters."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from outreach.contacts import fields
from outreach.contacts.models import OrganisationKind, RelationshipKind, Stance
from outreach.contacts.reference import countries
from outreach.core.forms import (DateField, NoControlCharacters, RecordIdField, SelectField, TextField, choices,
                                 strip_filter)

KIND_LABELS = {
    OrganisationKind.UN_ENTITY: _l("UN entity"),
    OrganisationKind.UN_PEACE_OPERATION: _l("UN peace operation"),
    OrganisationKind.REGIONAL_ORGANISATION: _l("Regional organisation"),
    OrganisationKind.NATIONAL_GOVERNMENT: _l("National government"),
    OrganisationKind.PARLIAMENT: _l("Parliament"),
    OrganisationKind.DONOR_AGENCY: _l("Donor agency"),
    OrganisationKind.FOUNDATION: _l("Foundation"),
    OrganisationKind.NGO_CSO: _l("NGO / CSO"),
    OrganisationKind.ACADEMIC: _l("Academic"),
    OrganisationKind.MEDIA: _l("Media"),
    OrganisationKind.OTHER: _l("Other"),
}
STANCE_LABELS = {
    Stance.CHAMPION: _l("Champion"),
    Stance.SUPPORTIVE: _l("Supportive"),
    Stance.NEUTRAL: _l("Neutral"),
    Stance.SCEPTICAL: _l("Sceptical"),
    Stance.OPPOSED: _l("Opposed"),
}
RELATIONSHIP_LABELS = {
    RelationshipKind.KNOWS_PERSONALLY: _l("Knows personally"),
    RelationshipKind.FORMER_COLLEAGUE: _l("Former colleague"),
    RelationshipKind.MET_ONCE: _l("Met once"),
    RelationshipKind.OTHER: _l("Other"),
}
REGIONS = ["Africa", "Americas", "Arab States", "Asia and the Pacific", "Europe", "Global"]


def _enum_choices(labels: dict, blank: str | None = None) -> list[SelectChoice]:
    pairs = [(k.value, v) for k, v in labels.items()]
    return choices(([("", blank)] if blank else []) + pairs)


@lru_cache(maxsize=32)
def country_choices(blank: str) -> tuple[SelectChoice, ...]:
    """The country list, built once per blank label (the names do not change at run time)."""
    return tuple(choices([("", blank), *countries().items()]))


def region_choices(blank: str) -> list[SelectChoice]:
    return choices([("", blank), *((r, r) for r in REGIONS)])


def _blank_none(value):  # type: ignore[no-untyped-def]
    return None if value in ("", None) else value


class OrganisationForm(FlaskForm):
    name = TextField(
        _l("Name"), validators=[DataRequired(_l("Enter the organisation's name.")), fields.ORGANISATION_NAME]
    )
    acronym = TextField(_l("Acronym"), validators=[Optional(), fields.ACRONYM])
    kind = SelectField(_l("Kind"), choices=_enum_choices(KIND_LABELS), default="other")
    parent_id = RecordIdField(_l("Part of"), message=_l("Choose an organisation from the list."),
                             description=_l("The organisation this one belongs to, e.g. DPO for MINUSCA."))
    country = SelectField(_l("Country"), choices=[], filters=[_blank_none], validators=[Optional()])
    region = SelectField(_l("Region"), choices=region_choices("—"), filters=[_blank_none], validators=[Optional()])
    website = TextField(_l("Website"), validators=[Optional(), fields.WEBSITE])
    tags = TextField(_l("Tags"), validators=[Optional(), fields.TAGS], description=_l("Separate with commas."))
    description = TextAreaField(_l("Description"), filters=[strip_filter], validators=[Optional(), fields.DESCRIPTION])

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices("—")


class ContactForm(FlaskForm):
    #: The contact's last change when the form was opened: a save on an older copy is refused.
    loaded_at = HiddenField()
    honorific = TextField(_l("Honorific"), validators=[Optional(), fields.HONORIFIC],
                          description=_l("e.g. H.E., Dr., Lt. Gen."))
    first_name = TextField(_l("First name"), validators=[DataRequired(_l("Enter the first name.")), fields.FIRST_NAME])
    last_name = TextField(_l("Last name"), validators=[DataRequired(_l("Enter the last name.")), fields.LAST_NAME])
    country = SelectField(_l("Country"), choices=[], filters=[_blank_none], validators=[Optional()])
    emails = TextAreaField(_l("E-mail addresses"), filters=[strip_filter], validators=[Optional(), fields.EMAILS],
                           description=_l("One per line; the first is the main one."))
    phones = TextAreaField(_l("Phone numbers"), filters=[strip_filter], validators=[Optional(), fields.PHONES],
                           description=_l("One per line, with + and the country code (e.g. +236 70 01 23 45)."))
    languages = TextField(
        _l("Languages"),
        validators=[Optional(), fields.LANGUAGES],
        description=_l("English names or ISO 639 codes, separated by commas: English, Swahili or en, sw, swa."),
    )
    tags = TextField(_l("Tags"), validators=[Optional(), fields.TAGS], description=_l("Separate with commas."))
    stance = SelectField(_l("Stance"), choices=_enum_choices(STANCE_LABELS), default="neutral")
    influence = SelectField(_l("Influence"), choices=choices([(str(i), str(i)) for i in range(1, 6)]), default="3",
                            coerce=int, description=_l("1 low, 5 decisive"))
    cadence_days = IntegerField(_l("Contact every (days)"), validators=[Optional(), NumberRange(min=1, max=3650)])
    private_notes = TextAreaField(_l("Private notes"), filters=[strip_filter],
                                  validators=[Optional(), fields.PRIVATE_NOTES],
                                  description=_l("Never shown to activists."))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices("—")


class PositionForm(FlaskForm):
    organisation_id = RecordIdField(_l("Organisation"), validators=[DataRequired(_l("Choose an organisation."))],
                                    message=_l("Choose an organisation from the list."))
    title = TextField(_l("Title"), validators=[DataRequired(_l("Enter the title of the post.")), fields.POST_TITLE])
    start_date = DateField(_l("Started"), validators=[Optional()])
    end_date = DateField(_l("Ended"), validators=[Optional()], description=_l("Leave empty while the post is held."))
    move = BooleanField(_l("This is a move: end their current posts the day this one starts"))
    keep_both = BooleanField(_l("They also keep their current post in this organisation (two posts there)"))


class EndPositionForm(FlaskForm):
    end_date = DateField(_l("Ended"), validators=[DataRequired(_l("Enter the date the post ended."))])


class RelationshipForm(FlaskForm):
    kind = SelectField(_l("How you know them"), choices=_enum_choices(RELATIONSHIP_LABELS), default="knows_personally")
    strength = SelectField(_l("Strength"), choices=choices([(str(i), str(i)) for i in range(1, 6)]), default="3",
                           coerce=int, description=_l("1 distant, 5 close: they take your call."))
    since = DateField(_l("Since"), validators=[Optional()])
    note = TextAreaField(_l("Note"), filters=[strip_filter],
                         validators=[Optional(), fields.RELATIONSHIP_NOTE])


SORTS = {"name": _l("Name"), "updated": _l("Recently updated"), "influence": _l("Influence")}


class ContactFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = TextField(_l("Search"), validators=[Optional(), Length(max=100)])
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])
    stance = SelectField(_l("Stance"), choices=_enum_choices(STANCE_LABELS, _l("Any stance")), validators=[Optional()])
    tag = TextField(_l("Tag"), validators=[Optional(), Length(max=60)])
    organisation = RecordIdField(_l("Organisation (and everything under it)"))
    list_id = RecordIdField(_l("On the list"), message=_l("Choose a list from the menu."))
    cold_days = IntegerField(_l("Not contacted in (days)"), validators=[Optional(), NumberRange(min=1, max=3650)])
    archived = BooleanField(_l("Archived only"))
    sort = SelectField(_l("Sort"), choices=choices(SORTS.items()), default="name", validators=[Optional()])

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices(str(_l("Any country")))


#: The contact list's filters counted as "active" on the phone's Filters button (the search box shows anyway).
CONTACT_FILTERS = ("country", "stance", "tag", "list_id", "cold_days", "organisation", "archived")


class ListForm(FlaskForm):
    """A contact list's name, description and owner."""

    name = TextField(_l("Name"), validators=[DataRequired(_l("Give the list a name.")), Length(max=120)])
    description = TextAreaField(_l("Description"), filters=[strip_filter],
                                validators=[Optional(), Length(max=2000), NoControlCharacters()])
    owner_id = SelectField(_l("Owner"), coerce=int, choices=[], validators=[Optional()])


class AddToListForm(FlaskForm):
    """Put one contact on a list (from the contact's page)."""

    list_id = RecordIdField(_l("List"), validators=[DataRequired(_l("Choose a list."))],
                            message=_l("Choose a list from the menu."))


class OrganisationFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = TextField(_l("Search"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=_enum_choices(KIND_LABELS, _l("Any kind")), validators=[Optional()])
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])
    region = SelectField(_l("Region"), choices=region_choices(str(_l("Any region"))), validators=[Optional()])
    tag = TextField(_l("Tag"), validators=[Optional(), Length(max=60)])
    archived = BooleanField(_l("Archived only"))
    sort = SelectField(_l("Sort"), choices=choices([("name", _l("Name")), ("updated", _l("Recently updated"))]),
                       default="name", validators=[Optional()])

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices(str(_l("Any country")))


class ImportForm(FlaskForm):
    kind = SelectField(_l("What the file holds"),
                       choices=choices([("contacts", _l("Contacts")), ("organisations", _l("Organisations"))]))
    file = FileField(_l("CSV file"), description=_l("UTF-8, comma- or semicolon-separated, with a header row."))
