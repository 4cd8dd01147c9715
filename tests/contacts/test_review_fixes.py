"""Findings of the usability review: language names, honest import button, contact page layout,
people-I-know on a phone, reachable tools, formula-safe exports of imported data."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sqlalchemy import select

from outreach.contacts import reference, services
from outreach.contacts.models import Contact, Organisation, Relationship
from outreach.core.db import db
from tests.contacts.test_csv import _mapping, _token, _upload

ROOT = Path(__file__).resolve().parents[2]
#: Queries of the list pages this review touched (fixed, whatever the number of rows).
PEOPLE_I_KNOW_QUERIES = 5
#: The contact list's 8: user, the page's rows, their current posts (with organisations), tags, the bounded total,
#: the lists (filter and "add to a list"), the campaigns a selection can join (a coordinator's bulk action; see
#: tests/contacts/test_lists_and_bulk.py).
LIST_QUERIES = {"/directory/contacts": 8, "/directory/organisations": 3}


# -- 1. language names in the import and the contact form ---------------------------------------

def test_languages_are_read_as_english_names_or_iso_codes():
    assert reference.resolve_languages("English, Swahili") == (["en", "sw"], [])
    assert reference.resolve_languages("FRENCH; sängo ;eng, swa, fre, fr") == (["fr", "sg", "en", "sw"], [])
    assert reference.resolve_languages("Dinka, Klingonish") == (["din"], ["Klingonish"])
    assert reference.language_name("sw") == "Swahili" and reference.language_name("din") == "Dinka"


def test_csv_import_accepts_language_names(app, login_as):
    c, _user = login_as("coordinator")
    preview = _upload(c, "first_name,last_name,languages\nAmina,Mohammed,\"English, Swahili\"\n"
                         "Faustin,Touadéra,French\nBad,Language,Elvish-ish\n")
    assert preview.status_code == 200
    assert "unknown language codes" not in preview.text
    assert preview.text.count("badge text-bg-danger") == 1 and "Elvish-ish" in preview.text
    done = c.post(f"/directory/import/{_token(preview)}",
                  data={**_mapping(preview), "action": "confirm", "skip_rejected": "1"})
    assert done.status_code == 302
    with app.app_context():
        amina = db.session.scalar(select(Contact).where(Contact.last_name == "Mohammed"))
        faustin = db.session.scalar(select(Contact).where(Contact.last_name == "Touadéra"))
        assert sorted(lang.code for lang in amina.languages) == ["en", "sw"]
        assert [lang.code for lang in faustin.languages] == ["fr"]
    page = c.get(f"/directory/contacts/{amina.id}")
    assert "English, Swahili" in page.text


def test_contact_form_accepts_language_names_and_says_so(app, login_as):
    c, _user = login_as("coordinator")
    form = c.get("/directory/contacts/new")
    assert "English names or ISO 639 codes" in form.text
    saved = c.post("/directory/contacts/new", data={"first_name": "Bineta", "last_name": "Diop", "stance": "neutral",
                                                    "influence": "3", "languages": "english, Français, French, Wolof"})
    assert saved.status_code == 422 and "Unknown language: Français" in saved.text
    saved = c.post("/directory/contacts/new", data={"first_name": "Bineta", "last_name": "Diop", "stance": "neutral",
                                                    "influence": "3", "languages": "english, French, wol"})
    assert saved.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(Contact).where(Contact.last_name == "Diop"))
        assert [lang.code for lang in person.languages] == ["en", "fr", "wo"]
    edit = c.get(f"/directory/contacts/{person.id}/edit")
    assert 'value="English, French, Wolof"' in edit.text  # names round-trip through the form


# -- 2. the import button says what it does ------------------------------------------------------

def test_import_button_names_the_choice_and_counts_in_words(app, login_as):
    c, _user = login_as("coordinator")
    one = _upload(c, "first_name,last_name\nAmina,Mohammed\n")
    assert ">Import 1 row</button>" in one.text and "skip_rejected" not in one.text
    mixed = _upload(c, "first_name,last_name,email\nA,One,a1@x.org\nB,Two,b2@x.org\nC,Three,c3@x.org\n"
                       "Bad,Row,not-mail\n")
    text = mixed.text
    assert ">Import the 3 valid rows, skip 1</button>" in text
    assert "Import 3 rows" not in text and "Import 4 rows" not in text
    # The skip choice comes before the button and is required; the button waits for it.
    box = text.index('name="skip_rejected"')
    assert box < text.index('id="import-confirm"')
    assert re.search(r'name="skip_rejected"[^>]*required', text) and "data-import-needs-skip" in text
    assert "Skip the 1 rejected row and import the others" in text
    assert 'value="preview" formnovalidate' in text  # re-checking columns does not need the box
    refused = c.post(f"/directory/import/{_token(mixed)}", data={**_mapping(mixed), "action": "confirm"})
    assert refused.status_code == 422 and "1 row has problems" in refused.text
    js = (ROOT / "static/js/directory.js").read_text()
    assert "data-import-needs-skip" in js and "button.disabled = !skip.checked" in js


def test_import_with_only_rejected_rows_offers_no_import_button(app, login_as):
    c, _user = login_as("coordinator")
    bad = _upload(c, "first_name,last_name,email\nA,B,nope\nC,D,nada\n")
    assert 'id="import-confirm"' not in bad.text and "No row can be imported" in bad.text
    refused = c.post(f"/directory/import/{_token(bad)}", data={**_mapping(bad), "action": "confirm",
                                                                 "skip_rejected": "1"})
    assert refused.status_code == 422 and "No row can be imported" in refused.text


# -- 3. contact page: layout, influence label, readable phones -----------------------------------

def test_contact_page_panels_size_to_content_and_phones_read_well(app, login_as, make_contact):
    c, _user = login_as("coordinator")
    person = make_contact("Faustin", "Zame", phones="+236 70 01 22 03", influence=4)
    page = c.get(f"/directory/contacts/{person.id}").text
    assert '<a href="tel:+23670012203" class="text-nowrap">+236 70 01 22 03</a>' in page
    assert 'role="img" title="Influence 4 of 5" aria-label="Influence 4 of 5"' in page
    # The meetings timeline panel (a .card.h-100 meant for the Today grid) sits in the panel stack,
    # and the columns do not stretch: the stack's CSS cancels h-100 so the footer comes after everything.
    assert 'class="row g-4 align-items-start contact-layout"' in page
    stack = page.index('<div class="directory-panels">')
    assert page.index('id="panel-timeline"') > stack
    css = (ROOT / "static/css/outreach.css").read_text()
    assert ".directory-panels > .h-100 { height: auto !important; }" in css


# -- 4. people I know on a phone, with the last touch ---------------------------------------------

def test_people_i_know_folds_columns_and_shows_last_touch(app, login_as, make_contact, count_queries):
    from datetime import timedelta

    from outreach.core.time import now_utc

    c, partner = login_as("partner")
    touched = make_contact("Touched", "Recently")
    never = make_contact("Never", "Touched")
    with app.app_context():
        now = now_utc()
        db.session.get(Contact, touched.id).last_touch_at = now - timedelta(days=3)
        for cid, strength in ((touched.id, 5), (never.id, 2)):
            db.session.add(Relationship(user_id=partner.id, contact_id=cid, kind="met_once", strength=strength,
                                        created_at=now, updated_at=now))
        db.session.commit()
    with count_queries() as counter:
        page = c.get("/directory/people-i-know")
    assert page.status_code == 200
    pinned = counter.count
    text = page.text
    # Strength is always visible (never hidden on small screens) and labelled.
    assert re.search(r'<th scope="col" class="text-nowrap">Strength</th>', text)
    assert 'aria-label="Strength 5 of 5"' in text and 'aria-label="Strength 2 of 5"' in text
    assert "3 days ago" in text and "never" in text and ">Last touch</th>" in text
    # More rows, same queries: the last touch is a column of the contact, loaded with it.
    with app.app_context():
        for i in range(12):
            other = services.create_contact({"first_name": "More", "last_name": f"People{i}"}, actor=None, now=now)
            other.last_touch_at = now - timedelta(days=i + 1)
            db.session.add(Relationship(user_id=partner.id, contact=other, kind="met_once", strength=3,
                                        created_at=now, updated_at=now))
        db.session.commit()
    with count_queries() as counter:
        assert c.get("/directory/people-i-know").status_code == 200
    assert counter.count == pinned == PEOPLE_I_KNOW_QUERIES, (counter.count, pinned)


# -- 5. import and duplicates are reachable from both list pages ----------------------------------

def test_list_pages_group_the_directory_tools(app, login_as, make_contact, make_org, count_queries):
    c, _user = login_as("coordinator")
    for i in range(3):
        make_contact("Listed", f"Person{i}", org=make_org(), languages="English, fr")
    counts = {}
    for url, kind in (("/directory/contacts", "contacts"), ("/directory/organisations", "organisations")):
        with count_queries() as counter:
            page = c.get(url).text
        counts[url] = counter.count
        assert 'id="directory-tools-' + kind + '"' in page, url
        assert f'href="/directory/import?kind={kind}"' in page and 'href="/directory/duplicates"' in page, url
    assert re.search(r'<option[^>]*selected[^>]*value="organisations"|<option[^>]*value="organisations"[^>]*selected',
                     c.get("/directory/import?kind=organisations").text)
    assert counts == LIST_QUERIES, counts
    partner, _p = login_as("partner")
    assert "directory-tools" not in partner.get("/directory/contacts").text


# -- 6. imported formulas stay data, and every export neutralises them ---------------------------

def test_imported_formulas_are_neutralised_in_every_export(app, login_as):
    c, _user = login_as("coordinator")
    evil = '=HYPERLINK("http://evil")'
    orgs = _upload(c, f'name,acronym\n"{evil.replace(chr(34), chr(34) * 2)}",@EVIL\n', kind="organisations")
    assert c.post(f"/directory/import/{_token(orgs)}", data={**_mapping(orgs), "action": "confirm"}).status_code == 302
    people = _upload(c, 'first_name,last_name,organisation,title\n'
                        f'"{evil.replace(chr(34), chr(34) * 2)}",+Formula,@EVIL,-Chief\n')
    assert c.post(f"/directory/import/{_token(people)}",
                  data={**_mapping(people), "action": "confirm"}).status_code == 302
    with app.app_context():
        person = db.session.scalar(select(Contact).where(Contact.last_name == "+Formula"))
        assert person.first_name == evil  # stored as data
        assert db.session.scalar(select(Organisation.name).where(Organisation.acronym == "@EVIL")) == evil
    body = c.post("/directory/contacts/export", data={}).get_data(as_text=True)
    row = next(r for r in csv.reader(io.StringIO(body.lstrip("\ufeff"))) if "'+Formula" in r)
    assert row[2] == "'" + evil and "'@EVIL" in row and "'-Chief" in row
    body = c.post("/directory/organisations/export", data={}).get_data(as_text=True)
    row = next(r for r in csv.reader(io.StringIO(body.lstrip("\ufeff"))) if "'@EVIL" in r)
    assert row[1] == "'" + evil
    for cells in csv.reader(io.StringIO(body.lstrip("\ufeff"))):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    card = c.post(f"/directory/contacts/{person.id}/vcard").get_data(as_text=True)
    assert "FN:'=HYPERLINK(\"http://evil\") '+Formula" not in card  # the whole FN is guarded once, at the start
    assert "FN:'=HYPERLINK(\"http://evil\") +Formula" in card
    assert "N:'+Formula;'=HYPERLINK(\"http://evil\");;;" in card
    assert f"ORG:'{evil}" in card and "TITLE:'-Chief" in card
    assert not re.search(r"^(FN|N|ORG|TITLE):[=+\-@]", card, re.M)
