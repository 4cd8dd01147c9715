"""The commitments register's filters: target, organisation (with its offices), accountable partner, due range,
status and category; combined, kept in the URL, the pages and the CSV export; never widening what a partner sees."""
from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from outreach.core.db import db
from tests.meetings.conftest import NOW

HUGE = "99999999999999999999"
TICKED = '<input checked class="form-check-input" id="offices" name="offices"'


@pytest.fixture
def register(app, login_as, make_user, make_contact, make_organisation, make_meeting):
    """A small register: an organisation with an office and an unrelated one, two targets, two partners."""
    from outreach.meetings import services

    client, coordinator = login_as("coordinator")
    partner, other_partner = make_user("partner"), make_user("partner")
    un = make_organisation("United Nations Register Test")
    office = make_organisation("Register Field Office", parent=un)
    elsewhere = make_organisation("Elsewhere Register Org")
    helene = make_contact("Hélène", "Dupontregister", organisation=office)
    kwame = make_contact("Kwame", "Mensahregister", organisation=elsewhere)
    meeting = make_meeting(coordinator, contacts=(helene,), users=(partner,))
    ids = {}
    with app.app_context():
        def add(key, **kw):
            kw.setdefault("contact_id", None)
            ids[key] = services.record_commitment(None, services.CommitmentData(description=f"Promise {key}", **kw),
                                                  actor=coordinator, now=NOW).id

        add("root-funding", organisation_id=un.id, category="funding", due_date=date(2026, 5, 1),
            accountable_id=partner.id)
        add("office-policy", contact_id=helene.id, organisation_id=office.id, category="policy",
            due_date=date(2026, 6, 30), accountable_id=partner.id)
        add("elsewhere-data", contact_id=kwame.id, category="data", due_date=date(2026, 7, 1),
            accountable_id=other_partner.id)
        add("undated", contact_id=kwame.id, category="funding", accountable_id=other_partner.id)
        ids["in-meeting"] = services.record_commitment(
            db.session.merge(meeting), services.CommitmentData(description="Promise in-meeting", category="access",
                                                               due_date=date(2026, 6, 1)),
            actor=coordinator, now=NOW).id
        db.session.commit()
    return {"client": client, "coordinator": coordinator, "partner": partner, "other_partner": other_partner,
            "un": un, "office": office, "elsewhere": elsewhere, "helene": helene, "kwame": kwame, "ids": ids}


def _shown(response) -> set[str]:
    text = response.get_data(as_text=True)
    return {key for key in ("root-funding", "office-policy", "elsewhere-data", "undated", "in-meeting")
            if f"Promise {key}<" in text}


def test_each_filter_narrows_the_register(register):
    client, r = register["client"], register
    everything = {"root-funding", "office-policy", "elsewhere-data", "undated", "in-meeting"}
    assert _shown(client.get("/commitments")) == everything
    cases = {
        f"contact={r['helene'].id}": {"office-policy", "in-meeting"},
        f"organisation={r['un'].id}&offices=y": {"root-funding", "office-policy", "in-meeting"},
        f"organisation={r['un'].id}": {"root-funding"},  # without its offices: the organisation alone
        f"organisation={r['office'].id}&offices=y": {"office-policy", "in-meeting"},
        f"accountable={r['other_partner'].id}": {"elsewhere-data", "undated"},
        "due_from=2026-06-01&due_to=2026-06-30": {"office-policy", "in-meeting"},  # both ends included
        "due_from=2026-06-15": {"office-policy", "elsewhere-data"},
        "due_to=2026-05-31": {"root-funding"},  # undated promises fall outside any due range
        "category=funding": {"root-funding", "undated"},
        "status=open": everything,
        "status=kept": set(),
    }
    for query, expected in cases.items():
        response = client.get(f"/commitments?{query}")
        assert response.status_code == 200, query
        assert _shown(response) == expected, query


def test_filters_combine(register):
    client, r = register["client"], register
    query = (f"/commitments?organisation={r['un'].id}&offices=y&accountable={r['partner'].id}&category=policy"
             f"&due_from=2026-06-01&due_to=2026-12-31&status=open&contact={r['helene'].id}")
    assert _shown(client.get(query)) == {"office-policy"}
    assert _shown(client.get(query.replace("category=policy", "category=funding"))) == set()
    assert _shown(client.get(query.replace("due_to=2026-12-31", "due_to=2026-06-29"))) == set()


def test_the_form_shows_what_the_url_holds(register):
    client, r = register["client"], register
    page = client.get(f"/commitments?contact={r['helene'].id}&organisation={r['un'].id}&offices=y"
                      f"&accountable={r['partner'].id}&due_from=2026-01-01").get_data(as_text=True)
    assert "Hélène Dupontregister" in page and "United Nations Register Test" in page
    assert r["partner"].name in page and 'value="2026-01-01"' in page
    assert TICKED in page
    for blank in ("/commitments", "/commitments?page=2"):  # no filter yet: offices ticked by default
        assert TICKED in client.get(blank).get_data(as_text=True)
    unticked = client.get(f"/commitments?organisation={r['un'].id}").get_data(as_text=True)
    assert TICKED not in unticked


def test_overdue_shortcut_keeps_the_other_filters(register, app):
    from outreach.meetings import services
    from outreach.meetings.models import Commitment

    client, r = register["client"], register
    with app.app_context():
        item = db.session.get(Commitment, r["ids"]["office-policy"])
        services.change_commitment_status(item, "overdue", note="Due date passed.", evidence=None,
                                          actor=None, now=NOW)
        db.session.commit()
    page = client.get(f"/commitments?contact={r['helene'].id}").get_data(as_text=True)
    link = next(line for line in page.splitlines() if "btn-outline-danger" in line)
    href = link.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(href).query) == {"contact": [str(r["helene"].id)], "status": ["overdue"]}
    assert _shown(client.get(href)) == {"office-policy"}


def test_pagination_links_keep_the_filters(app, login_as, make_contact):
    from outreach.meetings import services

    client, coordinator = login_as("coordinator")
    target = make_contact()
    with app.app_context():
        for i in range(51):
            services.record_commitment(None, services.CommitmentData(
                description=f"Paged promise {i}", contact_id=target.id, category="data",
                due_date=date(2026, 4, 1 + i % 28)), actor=coordinator, now=NOW)
        db.session.commit()
    first = client.get(f"/commitments?contact={target.id}&category=data&due_from=2026-04-01")
    assert first.status_code == 200
    text = first.get_data(as_text=True)
    nxt = text.split("Next")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(nxt).query) == {"contact": [str(target.id)], "category": ["data"],
                                             "due_from": ["2026-04-01"], "page": ["2"]}
    second = client.get(nxt).get_data(as_text=True)
    assert second.count("Paged promise") == 1


def test_a_partner_sees_no_more_through_filters(register, login_as):
    r = register
    client, _ = login_as("partner", user=r["partner"])
    mine = {"root-funding", "office-policy", "in-meeting"}  # accountable, or made in a meeting she attended
    assert _shown(client.get("/commitments")) == mine
    assert _shown(client.get(f"/commitments?accountable={r['other_partner'].id}")) == set()
    assert _shown(client.get(f"/commitments?contact={r['kwame'].id}")) == set()
    assert _shown(client.get(f"/commitments?organisation={r['elsewhere'].id}&offices=y")) == set()
    assert _shown(client.get("/commitments?category=funding")) == {"root-funding"}
    assert _shown(client.get(f"/commitments?organisation={r['un'].id}&offices=y")) == mine
    assert _shown(client.get("/commitments?due_from=2026-06-01")) == {"office-policy", "in-meeting"}
    # the export is a staff tool, like the directory's
    assert client.post("/commitments/export", data={"status": "open"}).status_code == 403


@pytest.mark.parametrize("query, message", [
    (f"contact={HUGE}", "Pick from the list"),
    ("contact=%C2%B2", "Pick from the list"),
    ("organisation=%D9%A3", "Pick from the list"),
    ("accountable=-1", "Pick from the list"),
    ("accountable=1%002", "Pick from the list"),
    ("due_from=2026-02-31", "Not a valid date"),
    ("due_to=2026-02-30", "Not a valid date"),
    ("due_from=1899-12-31", "Enter a date between 1900 and 2200"),
    ("due_to=2201-01-01", "Enter a date between 1900 and 2200"),
    ("due_from=0001-01-01", "Enter a date between 1900 and 2200"),
    ("due_to=9999-12-31", "Enter a date between 1900 and 2200"),
    ("due_from=2026-%00-01", "Not a valid date"),
    ("due_from=2026-07-01&due_to=2026-06-01", "The end of the due range is before its start"),
    ("status=lost", "Not a valid choice"),
])
def test_hostile_filters_answer_400_with_a_message(login_as, query, message):
    client, _ = login_as("coordinator")
    response = client.get(f"/commitments?{query}")
    assert response.status_code == 400, query
    assert message in response.get_data(as_text=True), query


def test_export_is_the_filtered_register_formula_safe_and_audited(register, app):
    from outreach.core.audit import AuditEvent
    from outreach.meetings import services

    client, r = register["client"], register
    with app.app_context():
        services.record_commitment(None, services.CommitmentData(
            description="=HYPERLINK(\"http://evil.example\")", contact_id=r["helene"].id, category="policy",
            due_date=date(2026, 6, 2)), actor=r["coordinator"], now=NOW)
        db.session.commit()
    response = client.post("/commitments/export", data={"contact": str(r["helene"].id), "due_from": "2026-06-01",
                                                         "due_to": "2026-06-30"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "promise", "target"]
    promises = sorted(row[1] for row in rows[1:])
    assert promises == ["'=HYPERLINK(\"http://evil.example\")", "Promise in-meeting", "Promise office-policy"]
    office = next(row for row in rows[1:] if row[1] == "Promise office-policy")
    assert office[2] == "Hélène Dupontregister" and office[7] == "2026-06-30" and office[8] == "Open"
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "commitment.export")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event is not None and "due_from" in str(event.details)
    bad = client.post("/commitments/export", data={"due_from": "2026-02-31"})
    assert bad.status_code == 303


def test_the_export_button_carries_the_filters(register):
    client, r = register["client"], register
    page = client.get(f"/commitments?accountable={r['partner'].id}&category=funding&page=1").get_data(as_text=True)
    form = page.split('action="/commitments/export"')[1].split("</form>")[0]
    assert f'name="accountable" value="{r["partner"].id}"' in form and 'name="category" value="funding"' in form
    assert 'name="page"' not in form


def test_target_picker_ignores_accents_and_case(register, login_as):
    client = register["client"]
    for typed in ("helene", "HÉLÈNE dupontreg", "Dupontregister"):
        response = client.get("/commitments/targets", query_string={"q": typed, "picker": "contact"})
        assert response.status_code == 200
        assert 'data-pick="contact"' in response.text and "Hélène Dupontregister" in response.text, typed
    partner_client, _ = login_as("partner")
    assert "Hélène Dupontregister" in partner_client.get("/commitments/targets?q=helene&picker=contact").text
    assert client.get("/commitments/targets?q=a%00b").status_code == 400


def test_register_with_every_filter_runs_a_fixed_number_of_queries(app, login_as, make_user, make_contact,
                                                                    make_organisation, count_queries):
    from outreach.meetings import services

    client, coordinator = login_as("coordinator")
    partner = make_user("partner")
    root = make_organisation()
    office = make_organisation(parent=root)
    target = make_contact(organisation=office)

    def add(n):
        with app.app_context():
            for i in range(n):
                services.record_commitment(None, services.CommitmentData(
                    description="Counted promise", contact_id=target.id, organisation_id=office.id,
                    category="funding", accountable_id=partner.id, due_date=date(2026, 6, 1 + i % 28)),
                    actor=coordinator, now=NOW)
            db.session.commit()

    query = (f"/commitments?status=open&category=funding&contact={target.id}&organisation={root.id}&offices=y"
             f"&accountable={partner.id}&due_from=2026-01-01&due_to=2026-12-31")
    add(2)
    with count_queries() as few:
        assert client.get(query).text.count("Counted promise") == 2
    add(15)
    with count_queries() as many:
        assert client.get(query).text.count("Counted promise") == 17
    assert many.count == few.count <= 12, many.statements
    partner_client, _ = login_as("partner")
    with count_queries() as as_partner:
        assert partner_client.get(query).status_code == 200
    assert as_partner.count <= 12, as_partner.statements


def test_scorecards_open_an_organisation_with_its_offices(register):
    client, r = register["client"], register
    page = client.get("/commitments/scorecards").get_data(as_text=True)
    links = [part.split('"')[0].replace("&amp;", "&") for part in page.split('href="')[1:]]
    href = next(link for link in links if link.startswith("/commitments?")
                and parse_qs(urlsplit(link).query).get("organisation") == [str(r["un"].id)])
    assert parse_qs(urlsplit(href).query) == {"organisation": [str(r["un"].id)], "offices": ["y"]}
    assert _shown(client.get(href)) == {"root-funding", "office-policy", "in-meeting"}
