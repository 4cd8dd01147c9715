"""Shared form pieces: cleaned strings, IANA zone and e-mail validators."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectChoice, StringField
from wtforms.validators import ValidationError

from outreach.core.time import is_valid_zone

#: Control characters other than tab and newlines have no place in anything a person types.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_filter(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class NoControlCharacters:
    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, str) and _CONTROL.search(field.data):
            raise ValidationError(_l("Remove the control characters from this field."))


class IanaTimezone:
    def __call__(self, form: Any, field: Field) -> None:
        if not is_valid_zone(field.data or ""):
            raise ValidationError(_l("Choose a time zone from the list (for example Africa/Addis_Ababa)."))


class TextField(StringField):
    """A StringField that trims and refuses control characters."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("filters", [strip_filter])
        super().__init__(label, [*(validators or []), NoControlCharacters()], **kwargs)


def choices(pairs: Any) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]
