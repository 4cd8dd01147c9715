"""Shared form pieces: cleaned strings, record ids, plausible dates, lean select fields, IANA zones, search text."""
from __future__ import annotations

from datetime import date
from typing import Any

import wtforms
from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Field, SelectChoice, StringField
from wtforms.fields.choices import Choice
from wtforms.widgets import Select, html_params
from wtforms.validators import ValidationError

from outreach.core.i18n import parse_local_date
from outreach.core.ids import is_record_id, parse_id  # noqa: F401  (is_record_id: re-exported for forms)
from outreach.core.text import has_control_characters
from outreach.core.time import is_valid_zone

def strip_filter(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class NoControlCharacters:
    """Refuse control characters; a multi-line field (a textarea) keeps its tabs and line breaks."""

    def __init__(self, multiline: bool = True) -> None:
        self.multiline = multiline

    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, str) and has_control_characters(field.data, multiline=self.multiline):
            raise ValidationError(_l("Remove the control characters from this field.") if self.multiline
                                  else _l("Keep this on one line, without control characters."))


class IanaTimezone:
    def __call__(self, form: Any, field: Field) -> None:
        if not is_valid_zone(field.data or ""):
            raise ValidationError(_l("Choose a time zone from the list (for example Africa/Addis_Ababa)."))


class TextField(StringField):
    """A one-line StringField that trims and refuses control characters and line breaks."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("filters", [strip_filter])
        super().__init__(label, [*(validators or []), NoControlCharacters(multiline=False)], **kwargs)


class LeanSelect(Select):
    """WTForms' select widget with the same markup, built with plain strings.

    The stock option renderer sorts and escapes a dict of attributes per option: a country list
    (250 options) took about 4 ms a render, a zone list (400 options) more. This one takes a
    tenth of that; options carrying extra attributes still go through the stock renderer.
    """

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs: Any) -> str:
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        return f'<option {selected}value="{escape(choice.value)}">{escape(choice.label or choice.value)}</option>'

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        """A fixed list of choices (a tuple, e.g. `country_choices`) is rendered once; each call only marks the
        selected option. Any other list goes through the stock widget."""
        options = None if self.multiple else _FixedOptions.of(field)
        if options is None:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        html = f"<select {html_params(name=field.name, **kwargs)}>{options.render(field.data)}</select>"
        return Markup(html)  # options escaped when built  # nosec B704


class _FixedOptions:
    """The rendered options of one immutable choice list, unselected and selected, and where each value is.

    Only plain-string labels qualify: a lazy (translated) label would be frozen in the language of the
    first reader. Held per choice tuple and coercion, so the same list under `int` and `str` renders apart.
    """

    _cache: dict[tuple[int, Any], _FixedOptions] = {}

    def __init__(self, choices: tuple[SelectChoice, ...], coerce: Any) -> None:
        self.choices = choices  # kept alive, so its id is not reused while cached
        self.plain = [LeanSelect.render_option(Choice(c.value, c.label, False, {})) for c in choices]
        self.chosen = [LeanSelect.render_option(Choice(c.value, c.label, True, {})) for c in choices]
        self.where: dict[Any, list[int]] = {}
        for i, c in enumerate(choices):
            self.where.setdefault(coerce(c.value), []).append(i)

    @classmethod
    def of(cls, field: Any) -> _FixedOptions | None:
        choices, coerce = getattr(field, "choices", None), getattr(field, "coerce", None)
        if not isinstance(choices, tuple) or coerce is None:
            return None
        found = cls._cache.get((id(choices), coerce))
        if found is not None and found.choices is choices:
            return found
        if not all(isinstance(c, SelectChoice) and isinstance(c.label, str) and isinstance(c.value, str)
                   and not c.render_kw and c.optgroup is None for c in choices):
            return None
        if len(cls._cache) >= 64:
            cls._cache.clear()
        found = cls._cache[(id(choices), coerce)] = cls(choices, coerce)
        return found

    def selected(self, data: Any) -> list[int]:
        """Where the options *data* selects are (none for a value not among them)."""
        try:
            return self.where.get(data, [])
        except TypeError:  # an unhashable value selects nothing (as coerce(value) == data would say)
            return []

    def render(self, data: Any) -> str:
        marked = self.selected(data)
        if not marked:
            return "".join(self.plain)
        parts = list(self.plain)
        for i in marked:
            parts[i] = self.chosen[i]
        return "".join(parts)


class SelectField(wtforms.SelectField):
    widget = LeanSelect()

    def pre_validate(self, form: Any) -> None:
        """As WTForms', with a fixed list of choices (see `LeanSelect`) looked up rather than walked."""
        options = None if self.process_errors or not self.validate_choice else _FixedOptions.of(self)
        if options is None:
            return super().pre_validate(form)
        if not options.selected(self.data):
            raise ValidationError(self.invalid_choice_message or self.gettext("Not a valid choice."))


class SelectMultipleField(wtforms.SelectMultipleField):
    widget = LeanSelect(multiple=True)


class RecordIdField(wtforms.IntegerField):
    """A record id typed or picked in a form or query string: data is the id, or None when left blank.

    Read with `parse_id`, so "²", " ", "-1" and numbers beyond the databases' range are a form error.
    """

    def __init__(self, label: Any = None, validators: Any = None, message: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Pick from the list.")

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = valuelist[0] if valuelist else ""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            self.data = None
            return
        self.data = parse_id(raw)
        if self.data is None:
            raise ValueError(self.message)


class HiddenRecordIdField(RecordIdField):
    """A record id carried by a search picker's hidden input."""

    widget = wtforms.widgets.HiddenInput()


#: Dates people type: before 1900 or after 2200 is a typing mistake (and beyond the zones' reach).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)


class PlausibleDate:
    """Refuse dates outside [*earliest*, *latest*] (by default 1900–2200) with a message saying so."""

    def __init__(self, earliest: date = EARLIEST_DATE, latest: date = LATEST_DATE, message: Any = None) -> None:
        self.earliest, self.latest, self.message = earliest, latest, message

    def __call__(self, form: Any, field: Field) -> None:
        if field.data is None:
            return
        if not self.earliest <= field.data <= self.latest:
            raise ValidationError(self.message or _l("Enter a date between %(a)d and %(b)d.", a=self.earliest.year,
                                                     b=self.latest.year))


class DateField(wtforms.DateField):
    """A date input limited to plausible dates (PlausibleDate) whatever the other validators.

    Browsers with a date picker send YYYY-MM-DD; a date typed by hand (a browser without one, a pasted
    value) is also read the reader's way: "11/28/2026" in en_US, "28/11/2026" in the house locale.
    """

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, [*(validators or []), PlausibleDate()], **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            typed = parse_local_date(" ".join(str(v) for v in valuelist)[:40]) if valuelist else None
            if typed is None:
                raise
            self.data = typed


def search_text(value: Any, *, limit: int = 100) -> str:
    """What was typed in a search box, trimmed and cut to *limit*; control characters refused (400)."""
    text = (value if isinstance(value, str) else "").strip()[:limit]
    if has_control_characters(text):
        abort(400, description=_("Remove the control characters from the search."))
    return text


def choices(pairs: Any) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


_SHARED_CHOICES: dict[tuple[tuple[str, str], ...], tuple[SelectChoice, ...]] = {}


def shared_choices(pairs: Any) -> tuple[SelectChoice, ...]:
    """(value, label) pairs read from the database on each request, as one choice tuple per distinct list.

    The same rows give back the same tuple, so `LeanSelect` renders its options once and each request only
    marks the selected one; a changed list (a new row, another language) is a new tuple. Values and labels are
    strings (a lazy label would be frozen in one language).
    """
    key = tuple(pairs)
    found = _SHARED_CHOICES.get(key)
    if found is None:
        if not all(isinstance(value, str) and isinstance(label, str) for value, label in key):
            raise TypeError("shared_choices takes (str, str) pairs")
        if len(_SHARED_CHOICES) >= 32:
            _SHARED_CHOICES.clear()
        found = _SHARED_CHOICES[key] = tuple(SelectChoice(value, label) for value, label in key)
    return found
