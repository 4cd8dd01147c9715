"""Search: any part of a name, acronym, e-mail, title or tag; accent-, case- and typo-tolerant; ranked."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from outreach.contacts import services
from outreach.contacts.search import normalise

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def directory(ctx, make_user):
    minusca = services.create_organisation({"name": "Stabilization Mission in the Central African Republic",
                                            "acronym": "MINUSCA", "tags": "mandate renewal"}, actor=None, now=NOW)
    services.create_organisation({"name": "Ministère de la Défense"}, actor=None, now=NOW)
    people = {}
    for first, last, email, title, tags in [
        ("Hélène", "Lefèvre", "h.lefevre@gouv.example", "Directrice des affaires multilatérales", "budget"),
        ("Margaret", "Kiplagat", "mk@au.example", "Special Envoy", "1325 NAP"),
        ("Kofi", "Mensah", "kofi@ecowas.example", "Force Commander", ""),
        ("Margarethe", "Kiplinger", "mkiplinger@example.org", "Desk Officer", ""),
    ]:
        person = services.create_contact({"first_name": first, "last_name": last, "emails": email, "tags": tags},
                                         actor=None, now=NOW)
        services.add_position(person, organisation=minusca, title=title, start_date=None, actor=None, now=NOW)
        people[last] = person
    ctx.flush()
    return {"people": people, "coordinator": make_user("coordinator"), "activist": make_user("activist")}


def _names(found):
    return [c.last_name for c in found]


def test_normalise_strips_accents_and_case():
    assert normalise("  Hélène   LEFÈVRE ") == "helene lefevre"


@pytest.mark.parametrize("query,expected", [
    ("lefevre", "Lefèvre"), ("LEFÈVRE", "Lefèvre"), ("hélène", "Lefèvre"),  # accents and case
    ("kofi@ecowas", "Mensah"), ("force comm", "Mensah"),  # e-mail, title
    ("1325 nap", "Kiplagat"),  # tag
    ("kiplagt", "Kiplagat"), ("mensha", "Mensah"),  # typos
    ("margaret kiplagat", "Kiplagat"),  # several words
])
def test_contacts_are_found_by_any_part(directory, query, expected):
    found = services.search_contacts(query, user=directory["coordinator"])
    assert found and found[0].last_name == expected, (query, _names(found))


def test_closer_matches_rank_first(directory):
    found = services.search_contacts("kiplagat", user=directory["coordinator"])
    assert _names(found)[0] == "Kiplagat"
    assert "Mensah" not in _names(found)


def test_search_follows_edits_and_archiving(ctx, directory):
    person = directory["people"]["Mensah"]
    services.update_contact(person, {"last_name": "Owusu-Ansah"}, actor=None, now=NOW)
    ctx.flush()
    assert _names(services.search_contacts("owusu", user=directory["coordinator"])) == ["Owusu-Ansah"]
    assert services.search_contacts("mensah", user=directory["coordinator"]) == []
    services.set_contact_archived(person, True, actor=None, now=NOW)
    assert services.search_contacts("owusu", user=directory["coordinator"]) == []


def test_activists_cannot_find_people_by_private_fields(directory):
    activist = directory["activist"]
    assert _names(services.search_contacts("kiplagat", user=activist)) == ["Kiplagat"]
    assert services.search_contacts("mk@au.example", user=activist) == []  # e-mail
    assert services.search_contacts("1325 nap", user=activist) == []  # tags are the coalition's own
    assert _names(services.search_contacts("special envoy", user=activist)) == ["Kiplagat"]  # title is public


def test_organisations_by_acronym_name_tag_and_accents(directory):
    user = directory["coordinator"]
    assert [o.acronym for o in services.search_organisations("minusca", user=user)] == ["MINUSCA"]
    assert [o.acronym for o in services.search_organisations("mandate renewal", user=user)] == ["MINUSCA"]
    assert [o.name for o in services.search_organisations("ministere defense", user=user)] == ["Ministère de la Défense"]
    assert [o.name for o in services.search_organisations("defence", user=user)] == ["Ministère de la Défense"]


def test_short_and_odd_queries_do_not_break(directory):
    user = directory["coordinator"]
    assert _names(services.search_contacts("ko", user=user)) == ["Mensah"]
    for query in ['"', "*", "a OR b", "NEAR(", "%_", "'; drop table contacts; --", "x" * 500, "", "   "]:
        services.search_contacts(query, user=user)
        services.search_organisations(query, user=user)
