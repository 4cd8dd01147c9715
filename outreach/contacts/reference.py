"""Directory reference data: countries, languages, phone numbers, tags and list values, one rule each."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from collections.abc import Iterable

import phonenumbers
import pycountry
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach.contacts import search
from outreach.contacts.models import Tag
from outreach.core.db import db
from outreach.core.errors import ServiceError



# -- reference data ----------------------------------------------------------------------------

#: Names people use where ISO's reads like an index entry.
_COUNTRY_NAMES = {"CD": "Democratic Republic of the Congo", "CG": "Republic of the Congo", "FM": "Micronesia",
                  "PS": "Palestine", "VA": "Holy See", "VG": "British Virgin Islands", "VI": "US Virgin Islands",
                  "RU": "Russia", "SY": "Syria", "LA": "Laos", "KP": "North Korea", "KR": "South Korea"}


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → English name, sorted by name."""
    pairs = sorted(((c.alpha_2, _COUNTRY_NAMES.get(c.alpha_2) or getattr(c, "common_name", None) or c.name)
                    for c in pycountry.countries), key=lambda p: p[1])
    return dict(pairs)


def country_name(code: str | None) -> str:
    return countries().get(code or "", code or "")


#: Names people write that ISO 639 spells differently.
_LANGUAGE_ALIASES = {"greek": "el", "modern greek": "el", "farsi": "fa", "kirundi": "rn", "kiswahili": "sw",
                     "setswana": "tn", "sesotho": "st", "isizulu": "zu", "isixhosa": "xh", "filipino": "tl",
                     "dari": "fa", "haitian creole": "ht", "castilian": "es", "flemish": "nl", "moldovan": "ro"}
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")


def _language_label(lang: Any) -> str:
    """ISO's English name without “(macrolanguage)” and the like."""
    return _PARENTHESIS.sub("", lang.name).strip() or lang.name


@lru_cache(maxsize=1)
def languages() -> dict[str, str]:
    """ISO 639-1 code → English name."""
    return dict(sorted(((lang.alpha_2, _language_label(lang)) for lang in pycountry.languages
                        if hasattr(lang, "alpha_2")), key=lambda p: p[1]))


@lru_cache(maxsize=1)
def _language_index() -> dict[str, str]:
    """Normalised code or English name → the code we store (639-1 where there is one, else 639-3)."""
    index: dict[str, str] = {}
    codes: dict[str, str] = {}
    # Languages with a two-letter code first: “Swahili” is sw, not one of its individual languages.
    ordered = sorted(pycountry.languages, key=lambda lang: not hasattr(lang, "alpha_2"))
    for lang in ordered:
        code = getattr(lang, "alpha_2", None) or lang.alpha_3
        for key in (getattr(lang, "alpha_2", None), lang.alpha_3, getattr(lang, "bibliographic", None)):
            if key:
                codes.setdefault(key.lower(), code)
        for name in (lang.name, getattr(lang, "common_name", None), getattr(lang, "inverted_name", None)):
            if name:
                index.setdefault(search.normalise(name), code)
                index.setdefault(search.normalise(_PARENTHESIS.sub("", name)), code)
    index.update(_LANGUAGE_ALIASES)
    index.update(codes)  # codes win over names (“ewe” is a language; so is its code)
    return index


def resolve_language(value: str) -> str | None:
    """The stored code for an ISO 639-1/639-3 code or an English language name, case- and accent-insensitive."""
    return _language_index().get(search.normalise(value))


def language_name(code: str) -> str:
    """The English name of a stored language code (two- or three-letter)."""
    name = languages().get(code)
    if name:
        return name
    lang = pycountry.languages.get(alpha_3=code) if len(code) == 3 else None
    return _language_label(lang) if lang is not None else code


def resolve_languages(value: str | Iterable[str] | None) -> tuple[list[str], list[str]]:
    """(codes, values not understood) for a comma-separated list of language codes or names."""
    codes, bad = [], []
    for raw in split_list(value):
        code = resolve_language(raw)
        if code is None:
            bad.append(raw)
        else:
            codes.append(code)
    return list(dict.fromkeys(codes)), bad


def normalise_phone(value: str, *, country: str | None = None) -> str:
    """A phone number in E.164 form, or a ServiceError saying what is wrong with it."""
    raw = value.strip()
    try:
        number = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException as exc:
        raise ServiceError(_l("%(value)s is not a phone number; start with + and the country code.", value=raw),
                           field="phones") from exc
    if not phonenumbers.is_valid_number(number):
        raise ServiceError(_l("%(value)s is not a valid phone number.", value=raw), field="phones")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(number: str | None) -> str:
    """A stored E.164 number as people read it: “+236 70 01 22 03”."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def split_list(value: str | Iterable[str] | None) -> list[str]:
    """Split text on commas, semicolons and new lines; keep order, drop blanks and repeats."""
    if value is None:
        return []
    if isinstance(value, str):
        for sep in (";", "\n", "\r"):
            value = value.replace(sep, ",")
        value = value.split(",")
    return list(dict.fromkeys(v.strip() for v in value if v and v.strip()))


def tags_for(names: Iterable[str]) -> list[Tag]:
    """The Tag rows for *names* (matched case- and accent-insensitively), creating the missing ones."""
    wanted: dict[str, str] = {}
    for name in names:
        name = name.strip()[:60]
        slug = search.normalise(name)[:60]
        if slug:
            wanted.setdefault(slug, name)
    if not wanted:
        return []
    existing = {t.slug: t for t in db.session.scalars(select(Tag).where(Tag.slug.in_(wanted)))}
    result = []
    for slug, name in wanted.items():
        tag = existing.get(slug)
        if tag is None:
            tag = Tag(name=name, slug=slug)
            db.session.add(tag)
        result.append(tag)
    return result
