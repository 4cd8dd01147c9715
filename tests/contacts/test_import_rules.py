"""The CSV import obeys the forms' own rules (issue 10, items 8-10): the dry run's verdict is what
confirming does, on both databases; exports and vCards carry no control bytes; uploads expire."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.contacts import csv_import, fields
from outreach.contacts.models import Contact, Organisation
from outreach.contacts.vcard import contact_vcard
from outreach.core.db import db
from outreach.core.time import now_utc
from tests.contacts.test_csv import _mapping, _token, _upload


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _dry_run_then_confirm(c, content, kind="contacts"):
    preview = _upload(c, content, kind=kind)
    assert preview.status_code == 200, preview.text[:300]
    confirmed = c.post(f"/directory/import/{_token(preview)}", data={**_mapping(preview), "action": "confirm",
                                                                     "skip_rejected": "1"})
    return preview, confirmed


@pytest.mark.parametrize("row, column, reason", [
    ("H" * 90 + ",Ann,Lee,", "honorific", "under 40 characters"),
    ("Dr.,Ann\x00x,Lee,", "first_name", "one line"),
    ("Dr.,Ann\x1b[31m,Lee,", "first_name", "one line"),
    ("Dr.,Ann,\"Lee\rEMAIL:attacker@example.org\",", "last_name", "one line"),
    ("Dr.,Ann,Lee,\"a@example.org\x00\"", "emails", "control characters"),
])
def test_a_cell_the_form_would_refuse_is_rejected_by_the_dry_run_and_never_written(app, login_as, row, column,
                                                                                     reason):
    c, _user = login_as("coordinator")
    before = _count(app, Contact)
    preview, confirmed = _dry_run_then_confirm(c, "honorific,first_name,last_name,email\n" + row + "\n"
                                               "Ms.,Good,Row,good-row@example.org\n")
    assert f"{column}</code>: " in preview.text and reason in preview.text
    assert preview.text.count("badge text-bg-danger") == 1
    assert confirmed.status_code == 302  # the good row goes in, the refused one does not: as the dry run said
    assert _count(app, Contact) == before + 1


def test_the_form_and_the_import_share_one_rule_per_field(app, login_as):
    c, _user = login_as("coordinator")
    form = c.post("/directory/contacts/new", data={"honorific": "H" * 90, "first_name": "Ann", "last_name": "Lee",
                                                  "stance": "neutral", "influence": "3"})
    assert form.status_code == 422 and "under 40 characters" in form.text
    assert fields.HONORIFIC.limit == Contact.__table__.c.honorific.type.length


def test_every_address_of_a_row_is_checked_for_duplicates(app, login_as, make_contact):
    c, _user = login_as("coordinator")
    make_contact("Known", "Person", emails="known@example.org")
    make_contact("Other", "Known", emails="other-known@example.org")
    before = _count(app, Contact)
    preview, _ = _dry_run_then_confirm(
        c, "first_name,last_name,email\nBoth,Known,\"known@example.org; other-known@example.org\"\n"
           "Other,Row,other@example.org\nTwice,Again,\"x@example.org; other@example.org\"\n")
    assert "already belong to other contacts" in preview.text and "appears twice in the file" in preview.text
    assert preview.text.count("badge text-bg-danger") == 2
    assert _count(app, Contact) == before + 1


def test_organisations_cannot_import_each_other_as_parent(app, login_as):
    c, _user = login_as("coordinator")
    before = _count(app, Organisation)
    preview, confirmed = _dry_run_then_confirm(
        c, "name,acronym,parent\nAlpha Office,AO,BO\nBeta Office,BO,AO\nGamma Office,GO,AO\n", kind="organisations")
    assert preview.text.count("would put the organisation under itself") == 2
    assert confirmed.status_code == 302
    with app.app_context():
        gamma = db.session.scalar(select(Organisation).where(Organisation.acronym == "GO"))
        assert gamma is not None and gamma.parent is None  # its parent's row was refused: nothing to hang it on
    assert _count(app, Organisation) == before + 1


def test_a_loop_through_the_directory_is_refused_too(app, login_as):
    c, _user = login_as("coordinator")
    _dry_run_then_confirm(c, "name,acronym,parent\nTop Office,TO,\nLow Office,LO,TO\n", kind="organisations")
    preview, _ = _dry_run_then_confirm(c, "name,acronym,parent\nTop Office,TO,LO\n", kind="organisations")
    assert "would put the organisation under itself" in preview.text


def test_only_http_websites_are_stored_or_shown_as_links(app, login_as):
    c, _user = login_as("coordinator")
    preview, _ = _dry_run_then_confirm(c, "name,website,region\nScript Office,javascript:alert(1),Europe\n"
                                          "Web Office,https://web.example.org,Nowhere land\n", kind="organisations")
    assert "Start the address with https://" in preview.text and "use one of" in preview.text
    with app.app_context():
        now = now_utc()
        org = Organisation(name="Legacy Office", website="javascript:alert(1)", kind="other", is_archived=False,
                           created_at=now, updated_at=now)
        db.session.add(org)
        db.session.commit()
        org_id = org.id
    page = c.get(f"/directory/organisations/{org_id}").text
    assert 'href="javascript:' not in page and "javascript:alert(1)" in page
    assert not fields.is_web_address("javascript:alert(1)") and fields.is_web_address("https://un.org/x")


def test_vcard_and_exports_carry_no_control_bytes(app, login_as, make_contact, dialect):
    person = make_contact("Ann", "Lee")
    with app.app_context():
        contact = db.session.get(Contact, person.id)
        contact.last_name = "Lee\rEMAIL:attacker@example.org"
        # stored before these rules (PostgreSQL never holds a NUL)
        contact.honorific = "Dr\x1b." if dialect == "postgresql" else "Dr\x00\x1b."
        card = contact_vcard(contact)
        db.session.commit()
    assert not any(line.startswith("EMAIL:attacker") for line in card.split("\r\n"))
    assert "\x00" not in card and "\x1b" not in card
    c, _user = login_as("coordinator")
    exported = c.post("/directory/contacts/export", data={"q": ""})
    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "\x00" not in exported.text and "\x1b" not in exported.text and "Dr." in exported.text
    vcard = c.post(f"/directory/contacts/{person.id}/vcard")
    assert vcard.headers["Content-Type"] == "text/vcard; charset=utf-8"


def test_unconfirmed_uploads_expire(tmp_path):
    now = now_utc()
    token = csv_import.store_upload(tmp_path, data=b"a,b\n1,2\n", kind="contacts", filename="x.csv", user_id=7, now=now)
    assert csv_import.load_upload(tmp_path, token, user_id=7, now=now + timedelta(hours=1)) is not None
    assert csv_import.load_upload(tmp_path, token, user_id=7, now=now + csv_import.UPLOAD_TTL) is None
    assert not list(tmp_path.iterdir())  # and the file is gone
    old = csv_import.store_upload(tmp_path, data=b"a\n1\n", kind="contacts", filename="y.csv", user_id=7, now=now)
    for path in tmp_path.iterdir():  # left a day ago
        stamp = (now - timedelta(days=2)).timestamp()
        import os
        os.utime(path, (stamp, stamp))
    csv_import.store_upload(tmp_path, data=b"a\n1\n", kind="contacts", filename="z.csv", user_id=7, now=now)
    assert not any(p.stem == old for p in tmp_path.iterdir())
