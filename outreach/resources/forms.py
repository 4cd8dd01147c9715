"""Forms of the practice hub: a resource, a suggestion, review decisions, collections, shares, vocabularies."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from outreach.core.forms import (NoControlCharacters, SelectField, SelectMultipleField, TextField, choices,
                                  is_record_id, strip_filter)
from outreach.resources.models import EvidenceStrength, ResourceKind
from outreach.resources.services import MAX_EVIDENCE_NOTE, MAX_NOTES, MAX_REASON, MAX_SUMMARY, MAX_TITLE, MAX_URL

KIND_LABELS = {
    ResourceKind.TOOLKIT.value: _l("Toolkit"), ResourceKind.TRAINING.value: _l("Training module"),
    ResourceKind.RESEARCH.value: _l("Research"), ResourceKind.DATA_SET.value: _l("Data set"),
    ResourceKind.CASE_STORY.value: _l("Case story"), ResourceKind.POLICY_BRIEF.value: _l("Policy brief"),
}
EVIDENCE_LABELS = {
    EvidenceStrength.ANECDOTAL.value: _l("Anecdotal: a story or an observation"),
    EvidenceStrength.PRACTICE.value: _l("Practice-based: drawn from programmes"),
    EvidenceStrength.EMERGING.value: _l("Emerging: some studies"),
    EvidenceStrength.STRONG.value: _l("Strong: rigorous, repeated evidence"),
}
STATUS_LABELS = {"draft": _l("Draft"), "in_review": _l("In review"), "published": _l("Published"),
                 "retired": _l("Retired")}
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية", "pt": "Português",
                  "sw": "Kiswahili", "ru": "Русский", "zh": "中文", "am": "አማርኛ", "so": "Soomaali", "ha": "Hausa",
                  "id": "Bahasa Indonesia", "th": "ไทย", "uk": "Українська", "tet": "Tetun", "my": "မြန်မာ"}


def _split(value: Any) -> list[str]:
    if not value:
        return []
    return [part.strip() for part in str(value).replace(";", ",").split(",") if part.strip()]


class RecordId:
    def __call__(self, form: Any, field: Any) -> None:
        if field.data and not is_record_id(field.data):
            raise ValidationError(_l("Choose from the list."))


class ResourceForm(FlaskForm):
    title = TextField(_l("Title"), validators=[DataRequired(_l("Give the resource a title.")), Length(max=MAX_TITLE)])
    summary = TextAreaField(_l("Summary"), filters=[strip_filter],
                            validators=[Length(max=MAX_SUMMARY), NoControlCharacters()],
                            description=_l("What it is, who it helps, and what it shows. Shown on the public hub."))
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()), default=ResourceKind.TOOLKIT.value)
    publisher_id = HiddenField(_l("Publisher"), validators=[RecordId()])
    url = TextField(_l("Link"), validators=[Optional(), Length(max=MAX_URL)],
                    description=_l("Where it lives on the web, if it does (https://…)."))
    file = FileField(_l("Or upload a file (PDF, DOCX, XLSX)"))
    issued_on = DateField(_l("Date issued"), validators=[Optional()])
    evidence = SelectField(_l("Strength of evidence"),
                           choices=choices([("", _l("Not assessed")), *EVIDENCE_LABELS.items()]),
                           default="")
    topics = SelectMultipleField(_l("Topics"), coerce=str, validate_choice=False)
    audiences = SelectMultipleField(_l("Audiences"), coerce=str, validate_choice=False)
    languages = TextField(_l("Languages"), validators=[Length(max=200)],
                          description=_l("Two-letter codes, separated by commas: en, fr, ar."))
    places = TextField(_l("Countries or regions"), validators=[Length(max=1000)],
                       description=_l("Two-letter country codes or region names, separated by commas: ML, NE, Sahel."))
    internal_notes = TextAreaField(_l("Internal notes"), filters=[strip_filter],
                                   validators=[Length(max=MAX_NOTES), NoControlCharacters()],
                                   description=_l("For the coalition only; never shown on the hub."))

    def set_vocabularies(self, topics: list[Any], audiences: list[Any]) -> None:
        self.topics.choices = choices((str(t.id), t.name) for t in topics)
        self.audiences.choices = choices((str(a.id), a.name) for a in audiences)

    def validate_topics(self, field: Any) -> None:
        if any(not is_record_id(v) for v in field.data or []):
            raise ValidationError(_l("Choose from the list."))

    validate_audiences = validate_topics

    def to_data(self) -> dict[str, Any]:
        return dict(title=self.title.data, summary=self.summary.data or "", kind=self.kind.data,
                    publisher_id=int(self.publisher_id.data) if self.publisher_id.data else None,
                    url=self.url.data or None, issued_on=self.issued_on.data, evidence=self.evidence.data or None,
                    topic_ids=[int(v) for v in self.topics.data or []],
                    audience_ids=[int(v) for v in self.audiences.data or []],
                    languages=_split(self.languages.data), places=_split(self.places.data),
                    internal_notes=self.internal_notes.data or None)


class SuggestionForm(FlaskForm):
    title = TextField(_l("What is it?"), validators=[DataRequired(_l("Give it a title.")), Length(max=MAX_TITLE)])
    summary = TextAreaField(_l("Why it helps, or the story"), filters=[strip_filter],
                            validators=[DataRequired(_l("Say a few words about it.")), Length(max=MAX_SUMMARY),
                                        NoControlCharacters()])
    url = TextField(_l("Link, if there is one"), validators=[Optional(), Length(max=MAX_URL)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), filters=[strip_filter],
                           validators=[Length(max=MAX_REASON), NoControlCharacters()])


class CollectionForm(FlaskForm):
    title = TextField(_l("Title"), validators=[DataRequired(_l("Give the collection a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"), filters=[strip_filter],
                                validators=[Length(max=MAX_SUMMARY), NoControlCharacters()])
    slug = TextField(_l("Short link"), validators=[Optional(), Length(max=40)],
                     description=_l("Letters, digits and dashes, e.g. nap-fr. Leave empty for a generated one. "
                                    "It never changes once made."))


class CollectionItemsForm(FlaskForm):
    resource_ids = TextField(_l("Resource numbers, in order"), validators=[Length(max=2000)],
                             description=_l("The numbers shown on each resource's page, separated by commas."))

    def ids(self) -> list[int]:
        values = _split(self.resource_ids.data)
        if any(not is_record_id(v) for v in values):
            raise ValueError
        return [int(v) for v in values]


class TermForm(FlaskForm):
    kind = SelectField(_l("List"), choices=choices([("topic", _l("Topic")), ("audience", _l("Audience"))]))
    name = TextField(_l("Name"), validators=[DataRequired(_l("Give it a name.")), Length(max=120)])


class ShareForm(FlaskForm):
    resource_id = HiddenField(_l("Resource"), validators=[DataRequired(_l("Choose a published resource.")),
                                                          RecordId()])
    contact_ids = SelectMultipleField(_l("Shared with"), coerce=str, validate_choice=False)
    follow_up = BooleanField(_l("Add a follow-up for me: send it"))

    def validate_contact_ids(self, field: Any) -> None:
        if any(not is_record_id(v) for v in field.data or []):
            raise ValidationError(_l("Choose from the list."))


class EvidenceForm(FlaskForm):
    """Cite a published resource as a commitment's evidence."""

    resource_id = HiddenField(_l("Resource"), validators=[DataRequired(_l("Choose a published resource.")),
                                                          RecordId()])
    note = TextField(_l("What in it shows it (optional)"), validators=[Optional(), Length(max=MAX_EVIDENCE_NOTE)])
