"""One rule per directory field, shared by the forms and the CSV import.

The form validates a field with its rule (as a WTForms validator) and the import's dry run checks each
cell with the same rule, so what the dry run accepts is exactly what confirming writes, and what a
form refuses an import refuses too: lengths the columns hold, no control characters (no line breaks
in one-line fields), web addresses only with http(s).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from outreach.core.errors import ServiceError
from outreach.core.text import has_control_characters


def is_web_address(value: str | None) -> bool:
    """An absolute http(s) address with a host: the only kind stored as a website or shown as a link."""
    if not value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in value)


def _web_address(value: str) -> None:
    if not is_web_address(value):
        raise ServiceError(_l("Start the address with https:// (or http://)."))


@dataclass(frozen=True)
class Rule:
    """What a text field accepts; also a WTForms validator for the form field of the same name."""

    limit: int
    multiline: bool = False
    extra: Callable[[str], None] | None = None

    def check(self, value: str) -> str:
        """The trimmed value, or ServiceError saying what to change."""
        value = value.strip()
        if has_control_characters(value, multiline=self.multiline):
            raise ServiceError(_l("Remove the control characters from this field.") if self.multiline
                               else _l("Keep this on one line, without control characters."))
        if len(value) > self.limit:
            raise ServiceError(_l("Keep this under %(n)d characters.", n=self.limit))
        if value and self.extra is not None:
            self.extra(value)  # the field's own further check, not Django's QuerySet.extra  # nosec B610
        return value

    def __call__(self, form: Any, field: Any) -> None:
        if isinstance(field.data, str) and field.data:
            try:
                self.check(field.data)
            except ServiceError as exc:
                raise ValidationError(exc.message) from None


HONORIFIC = Rule(40)
FIRST_NAME = Rule(100)
LAST_NAME = Rule(100)
POST_TITLE = Rule(200)
LANGUAGES = Rule(200)
TAGS = Rule(500)
EMAILS = Rule(2000, multiline=True)
PHONES = Rule(1000, multiline=True)
PRIVATE_NOTES = Rule(20000, multiline=True)
ORGANISATION_NAME = Rule(300)
ACRONYM = Rule(50)
WEBSITE = Rule(500, extra=_web_address)
DESCRIPTION = Rule(5000, multiline=True)
RELATIONSHIP_NOTE = Rule(2000, multiline=True)

#: The import's columns → their rule (the same the form applies to the field of that name).
CONTACT_COLUMNS = {"honorific": HONORIFIC, "first_name": FIRST_NAME, "last_name": LAST_NAME, "title": POST_TITLE,
                   "emails": EMAILS, "phones": PHONES, "languages": LANGUAGES, "tags": TAGS}
ORGANISATION_COLUMNS = {"name": ORGANISATION_NAME, "acronym": ACRONYM, "website": WEBSITE, "tags": TAGS,
                        "parent": ORGANISATION_NAME}
