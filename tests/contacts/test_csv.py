"""CSV import (dry run, confirm, one transaction) and export (BOM, formula-safe, audited)."""
from __future__ import annotations

import io
import re
import time

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from outreach.contacts import csv_import, csv_io
from outreach.contacts.models import Contact, ContactEmail, Organisation
from outreach.core.audit import AuditEvent
from outreach.core.db import db


def test_read_csv_accepts_bom_and_semicolons():
    header, rows = csv_io.read_csv("\ufeffFirst name;Last name;E-mail\r\nAmina;Diallo;a@x.org\r\n\r\n".encode())
    assert header == ["First name", "Last name", "E-mail"] and rows == [["Amina", "Diallo", "a@x.org"]]
    assert csv_io.guess_mapping(header, "contacts") == ["first_name", "last_name", "emails"]
    with pytest.raises(csv_io.CsvError, match="not UTF-8"):
        csv_io.read_csv("Prénom\n".encode("latin-1"))
    with pytest.raises(csv_io.CsvError, match="empty"):
        csv_io.read_csv(b"\n\n")


def test_export_cells_cannot_become_formulas():
    text = "".join(csv_io.write_csv(["a", "b"], [["=HYPERLINK(\"x\")", "+236"], ["@SUM(A1)", "-1"], ["\tx", "ok"]]))
    assert text.startswith("\ufeff")
    assert "'=HYPERLINK" in text and "'+236" in text and "'@SUM" in text and "'-1" in text and "'\tx" in text
    assert csv_io.unformula("'+236") == "+236" and csv_io.unformula("'tis") == "'tis"


def _upload(c, content: str | bytes, kind="contacts", name="people.csv"):
    data = content.encode() if isinstance(content, str) else content
    # Encoded here: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart({"kind": kind, "file": FileStorage(io.BytesIO(data), name)})
    return c.post("/directory/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _token(response):
    return re.search(r'/directory/import/([\w-]+)"', response.text).group(1)


def _mapping(response):
    return {m.group(1): m.group(2) for m in re.finditer(
        r'name="(map_\d+)"[^>]*>.*?<option value="(\w+)" selected', response.text, re.S)}


def test_dry_run_writes_nothing_then_confirm_imports(app, login_as, make_org, make_contact):
    c, _user = login_as("coordinator")
    make_org("Mission in South Sudan", acronym="UNMISS")
    known = make_contact("Old", "Name", emails="known@un.example")
    existing = make_contact("By", "Id")
    content = ("id;first_name;last_name;email;phone;country;organisation;title;tags\n"
               ";Nicholas;Haysom;nh@un.example;+211 912 345 678;SS;UNMISS;SRSG;mandate\n"
               f";Updated;Name;KNOWN@un.example;;;;;\n"
               ";Bad;Row;not-an-email;12;ZZ;Nowhere;;\n"
               ";;;;;;;;\n"
               f"{existing.id};Via;Id;;;;;;\n")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Contact))
    preview = _upload(c, content)
    assert preview.status_code == 200
    text = preview.text
    assert "Dry run" in text and text.count("badge text-bg-danger") == 1
    assert "emails</code>: “not-an-email” is not an e-mail address" in text
    assert "country</code>" in text and "organisation</code>" in text and "<td>4</td>" in text  # line numbers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contact)) == before  # nothing written yet
    token, mapping = _token(preview), _mapping(preview)
    refused = c.post(f"/directory/import/{token}", data={**mapping, "action": "confirm"})
    assert refused.status_code == 422 and "Nothing was imported" in refused.text
    done = c.post(f"/directory/import/{token}", data={**mapping, "action": "confirm", "skip_rejected": "1"})
    assert done.status_code == 302
    with app.app_context():
        haysom = db.session.scalar(select(Contact).where(Contact.last_name == "Haysom"))
        assert haysom.phones[0].number == "+211912345678" and haysom.positions[0].title == "SRSG"
        assert db.session.get(Contact, existing.id).first_name == "Via"  # matched by the id column
        assert db.session.get(Contact, known.id).first_name == "Updated"  # matched by e-mail, case-insensitively
        assert db.session.scalar(select(func.count()).select_from(Contact)) == before + 1
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.import"))
        assert event.details_dict["rejected"] == 1 and len(event.details_dict["created"]) == 1
    assert c.post(f"/directory/import/{token}", data={"action": "confirm"}).status_code == 404  # used once


def test_organisations_import_resolves_parents_within_the_file(app, login_as):
    c, _user = login_as("manager")
    content = (
        "name,acronym,kind,parent,country\nUnited Nations,UN,UN entity,,US\nPeace Operations,DPO,UN entity,UN,US\n"
    )
    preview = _upload(c, content, kind="organisations")
    assert preview.status_code == 200 and preview.text.count("text-bg-success") == 2
    assert (
        c.post(f"/directory/import/{_token(preview)}", data={**_mapping(preview), "action": "confirm"}).status_code
        == 302
    )
    with app.app_context():
        dpo = db.session.scalar(select(Organisation).where(Organisation.acronym == "DPO"))
        assert dpo.parent.acronym == "UN" and dpo.kind == "un_entity"


def test_bad_files_get_a_clear_message(app, login_as):
    c, _user = login_as("coordinator")
    assert "not UTF-8" in _upload(c, "Prénom\n".encode("latin-1")).text
    too_many = "first_name,last_name\n" + "a,b\n" * (csv_io.MAX_IMPORT_ROWS + 1)
    response = _upload(c, too_many)
    assert response.status_code == 422 and "at most 20000 can be imported" in response.text
    assert c.post("/directory/import", data={"kind": "contacts"}).status_code == 422
    other, _ = login_as("coordinator")
    preview = _upload(c, "first_name,last_name\na,b\n")
    assert other.post(f"/directory/import/{_token(preview)}", data={"action": "confirm"}).status_code == 404


def test_ten_thousand_rows_import_in_seconds(app, login_as, make_org):
    c, _user = login_as("coordinator")
    make_org("African Union Commission", acronym="AUC")
    rows = "".join(f"Person{i},Surname{i},p{i}@au.example,AUC,Officer,budget\n" for i in range(10_000))
    preview = _upload(c, "first_name,last_name,email,organisation,title,tags\n" + rows)
    assert preview.status_code == 200
    started = time.perf_counter()
    done = c.post(f"/directory/import/{_token(preview)}", data={**_mapping(preview), "action": "confirm"})
    elapsed = time.perf_counter() - started
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContactEmail)) >= 10_000
    assert elapsed < 20, elapsed


def test_export_is_filtered_formula_safe_and_audited(app, login_as, make_contact):
    c, _user = login_as("coordinator")
    make_contact("=cmd", "Injection", country="CF", phones="+236 70 01 23 45")
    make_contact("Other", "Country", country="FR")
    response = c.post("/directory/contacts/export", data={"country": "CF"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffid,honorific") and "'=cmd" in body and "'+23670012345" in body
    assert "Country" not in body
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.export"))
        assert event.details_dict["filters"]["country"] == "CF"
    orgs = c.post("/directory/organisations/export", data={})
    assert orgs.status_code == 200 and orgs.get_data(as_text=True).startswith("\ufeffid,name")
    partner, _p = login_as("partner")
    assert partner.post("/directory/contacts/export", data={}).status_code == 403


def test_countries_are_read_by_code_name_or_official_name(ctx):
    header = ["first_name", "last_name", "country"]
    rows = [["A", "B", "cd"], ["C", "D", "Democratic Republic of the Congo"],
            ["E", "F", "Congo, The Democratic Republic of the"], ["G", "H", "CAF"], ["I", "J", "Atlantis"]]
    plan = csv_import.plan_import("contacts", header, rows, header)
    assert [r.data.get("country") for r in plan.rows[:4]] == ["CD", "CD", "CD", "CF"]
    assert plan.rows[4].action == "reject" and plan.rows[4].problems[0][0] == "country"
