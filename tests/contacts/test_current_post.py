"""One definition of a contact's current post, used by every page; one current post per organisation."""
from __future__ import annotations

from datetime import date, datetime, UTC

from outreach.contacts import merge, services
from outreach.contacts.models import Contact, Organisation
from outreach.core.db import db

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _held(contact_id: int) -> list[tuple[str, int]]:
    contact = db.session.get(Contact, contact_id)
    db.session.refresh(contact)
    return [(p.title, p.organisation_id) for p in contact.current_positions]


def test_the_contact_page_the_list_and_the_attendee_picker_agree_on_the_current_post(app, login_as, make_org):
    c, _ = login_as("coordinator")
    au, ecowas = make_org("African Union", acronym="AU"), make_org("ECOWAS Commission", acronym="ECOWAS")
    with app.app_context():
        person = services.create_contact({"first_name": "Fatou", "last_name": "Bensouda"}, actor=None, now=NOW)
        # Recorded first but begun later: this is the current post, whatever the order of the records.
        services.add_position(person, organisation=db.session.get(Organisation, ecowas.id), title="Commissioner",
                              start_date=date(2025, 3, 1), actor=None, now=NOW)
        services.add_position(person, organisation=db.session.get(Organisation, au.id), title="Special Envoy",
                              start_date=date(2019, 1, 1), actor=None, now=NOW)
        db.session.commit()
        person_id = person.id
        assert db.session.get(Contact, person_id).current_position.title == "Commissioner"
    contact_page = c.get(f"/directory/contacts/{person_id}").text
    assert contact_page.index("Commissioner") < contact_page.index("Special Envoy")
    listing = c.get("/directory/contacts").text
    assert "<span>Commissioner</span>" in listing and "<span>Special Envoy</span>" not in listing
    picker = c.get("/meetings/attendees?q=bensouda").text
    assert "Commissioner, ECOWAS" in picker and "Special Envoy" not in picker


def test_pages_listing_every_post_held_put_the_current_one_first(app, login_as, make_org):
    """An undated post ranks after a dated one (post_recency) on every page: PostgreSQL sorts NULL first."""
    un_women, ecowas = make_org("UN Women"), make_org("ECOWAS Commission", acronym="ECOWAS")
    with app.app_context():
        person = services.create_contact({"first_name": "Leymah", "last_name": "Gbowee"}, actor=None, now=NOW)
        services.add_position(person, organisation=db.session.get(Organisation, ecowas.id), title="Commissioner",
                              start_date=date(2025, 3, 1), actor=None, now=NOW)
        services.add_position(person, organisation=db.session.get(Organisation, un_women.id), title="Goodwill Envoy",
                              start_date=None, actor=None, now=NOW)
        db.session.commit()
        person_id = person.id
        assert db.session.get(Contact, person_id).current_position.title == "Commissioner"
    coordinator, _ = login_as("coordinator")
    activist, _ = login_as("activist")
    for page in (coordinator.get(f"/directory/contacts/{person_id}").text,
                 coordinator.get(f"/directory/contacts/{person_id}/positions/new").text,
                 activist.get("/directory/public?q=gbowee").text, activist.get("/introductions/choose?q=gbowee").text):
        assert page.index("Commissioner") < page.index("Goodwill Envoy")


def test_a_new_post_in_the_same_organisation_replaces_the_current_one_unless_both_are_kept(ctx):
    org = services.create_organisation({"name": "UN Women"}, actor=None, now=NOW)
    person = services.create_contact({"first_name": "Sima", "last_name": "Bahous"}, actor=None, now=NOW)
    services.add_position(person, organisation=org, title="Deputy", start_date=date(2020, 1, 1), actor=None, now=NOW)
    services.add_position(person, organisation=org, title="Executive Director", start_date=date(2021, 9, 1),
                          actor=None, now=NOW)
    assert _held(person.id) == [("Executive Director", org.id)]
    services.add_position(person, organisation=org, title="Chair of the board", start_date=date(2022, 1, 1),
                          keep_other_posts_here=True, actor=None, now=NOW)
    assert sorted(t for t, _ in _held(person.id)) == ["Chair of the board", "Executive Director"]


def test_a_merge_leaves_one_current_post_per_organisation_unless_the_user_keeps_both(ctx):
    org = services.create_organisation({"name": "MINUSCA"}, actor=None, now=NOW)
    pairs = []
    for suffix in ("a", "b"):
        keep = services.create_contact(
            {"first_name": "Valentine", "last_name": f"Rugwabiza{suffix}"}, actor=None, now=NOW
        )
        dup = services.create_contact({"first_name": "V.", "last_name": f"Rugwabiza{suffix}"}, actor=None, now=NOW)
        services.add_position(keep, organisation=org, title="SRSG", start_date=date(2022, 2, 1), actor=None, now=NOW)
        services.add_position(dup, organisation=org, title="Head of Mission", start_date=date(2022, 3, 1),
                              actor=None, now=NOW)
        pairs.append((keep, dup))
    merge.merge_contacts(*pairs[0], {}, actor=None, now=NOW)
    assert _held(pairs[0][0].id) == [("Head of Mission", org.id)]  # the later one stays current
    merge.merge_contacts(*pairs[1], {"posts": "both"}, actor=None, now=NOW)
    assert len(_held(pairs[1][0].id)) == 2


def test_an_imported_namesake_without_a_post_is_proposed_with_search_normalisation(ctx):
    org = services.create_organisation({"name": "ECOWAS"}, actor=None, now=NOW)
    known = services.create_contact({"honorific": "Dr.", "first_name": "Ngozi", "last_name": "N'Diaye"}, actor=None,
                                    now=NOW)
    services.add_position(known, organisation=org, title="Director", start_date=None, actor=None, now=NOW)
    imported = services.create_contact({"honorific": "Dr.", "first_name": "Ngozi", "last_name": "Ndiaye"}, actor=None,
                                       now=NOW)
    pairs = {(p.first.id, p.second.id) for p in merge.find_duplicate_contacts()}
    assert (known.id, imported.id) in pairs


def test_the_merge_page_starts_from_people_named_alike(app, login_as, make_contact):
    c, _ = login_as("coordinator")
    keep = make_contact("Leymah", "Gbowee")
    other = make_contact("Leymah", "Gbowée")
    page = c.get(f"/directory/contacts/{keep.id}/merge").text
    assert f"with={other.id}" in page or f'value="{other.id}"' in page


def _person(first: str, last: str, **fields: str) -> Contact:
    return services.create_contact({"first_name": first, "last_name": last, **fields}, actor=None, now=NOW)


def _pairs() -> dict[tuple[int, int], str]:
    return {(p.first.id, p.second.id): p.reason for p in merge.find_duplicate_contacts()}


def test_a_shared_phone_between_people_named_differently_is_not_a_duplicate(ctx):
    """The demo's false positive: two officials of one mission sharing a switchboard number are two people."""
    org = services.create_organisation({"name": "MINUSCA"}, actor=None, now=NOW)
    moussa = _person("Moussa", "Lindqvist", honorific="H.E.", phones="+23670012729")
    ngozi = _person("Ngozi", "Dlamini", phones="+23670012729")
    n_dlamini = _person("N.", "Dlamini", phones="+23670012729")
    office, adviser = (
        _person("Gender", "Unit", emails="gender@un.example"),
        _person("Awa", "Sow", emails="gender@un.example"),
    )
    for person in (moussa, ngozi):
        services.add_position(person, organisation=org, title="Adviser", start_date=None, actor=None, now=NOW)
    pairs = _pairs()
    assert (moussa.id, ngozi.id) not in pairs and (moussa.id, n_dlamini.id) not in pairs
    assert (office.id, adviser.id) not in pairs
    assert pairs[(ngozi.id, n_dlamini.id)] == "same phone number"


def test_search_and_the_duplicate_finder_read_an_apostrophe_alike(ctx):
    """One normalisation: "Ndiaye" and "N'Diaye" are one spelling to search, and the finder pairs them."""
    org = services.create_organisation({"name": "ECOWAS"}, actor=None, now=NOW)
    known, imported = _person("Ngozi", "N’Diaye", honorific="Dr."), _person("Ngozi", "Ndiaye", honorific="Dr.")
    for person in (known, imported):
        services.add_position(person, organisation=org, title="Director", start_date=None, actor=None, now=NOW)
    assert services.search.normalise("Dr. Ngozi N’Diaye") == services.search.normalise("Dr. Ngozi Ndiaye")
    assert db.session.get(Contact, known.id).search_text == db.session.get(Contact, imported.id).search_text
    assert (known.id, imported.id) in _pairs()
