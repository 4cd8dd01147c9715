"""Downloads: one meeting, a filtered list, a contact's or an organisation's meetings, the organisation-wide export."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.calendars.conftest import SOON


def uids(body: bytes) -> set[int]:
    return {int(x) for x in re.findall(rb"UID:meeting-(\d+)@outreach", body.replace(b"\r\n ", b""))}


@pytest.fixture
def records(login_as: Any, make_contact: Any, make_organisation: Any, make_meeting: Any) -> dict[str, Any]:
    partner_client, partner = login_as("partner")
    coordinator_client, coordinator = login_as("coordinator")
    au = make_organisation("African Union")
    office = make_organisation("AU Special Envoy", parent=au)
    envoy = make_contact("Bineta", "Diop", organisation=office)
    stranger = make_contact("Someone", "Else")
    hers = make_meeting(partner, title="Her meeting", contacts=(envoy,), start_at=SOON, status="planned")
    other = make_meeting(coordinator, title="Not hers", contacts=(stranger,), start_at=SOON, status="planned")
    old = make_meeting(coordinator, title="Long ago", contacts=(envoy,), start_at=SOON - timedelta(days=400))
    return {"partner": partner_client, "coordinator": coordinator_client, "au": au, "envoy": envoy, "hers": hers,
            "other": other, "old": old, "stranger": stranger}


def test_add_to_calendar_on_the_meeting_page(records):
    client = records["partner"]
    page = client.get(f"/meetings/{records['hers'].id}").get_data(as_text=True)
    assert f'href="/meetings/{records["hers"].id}/calendar.ics"' in page and "Add to calendar" in page
    response = client.get(f"/meetings/{records['hers'].id}/calendar.ics")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="meeting-{records["hers"].id}.ics"' in response.headers["Content-Disposition"]
    assert uids(response.data) == {records["hers"].id} and b"METHOD:PUBLISH" in response.data
    assert client.get(f"/meetings/{records['other'].id}/calendar.ics").status_code == 404


def test_same_uid_in_downloads_and_feeds(records, app):
    body = records["coordinator"].get(f"/meetings/{records['hers'].id}/calendar.ics").data
    again = records["partner"].get(f"/meetings/{records['hers'].id}/calendar.ics").data
    assert f"UID:meeting-{records['hers'].id}@outreach".encode() in body and uids(body) == uids(again)


def test_a_filtered_list_downloads_what_the_list_shows(records):
    client = records["coordinator"]
    page = client.get("/meetings?q=her+meeting").get_data(as_text=True)
    assert 'href="/calendars/meetings.ics?q=her+meeting"' in page
    assert uids(client.get("/calendars/meetings.ics?q=her+meeting").data) == {records["hers"].id}
    assert uids(client.get("/calendars/meetings.ics").data) == {records["hers"].id, records["other"].id}
    everything = client.get(f"/calendars/meetings.ics?date_from={(SOON - timedelta(days=500)).date()}").data
    assert records["old"].id in uids(everything)
    assert uids(records["partner"].get("/calendars/meetings.ics").data) == {records["hers"].id}
    assert client.get("/calendars/meetings.ics?date_from=9999-99-99").status_code == 400
    assert client.get("/calendars/meetings.ics?organisation=99999999999999999999").status_code == 400


def test_a_contacts_and_an_organisations_meetings(records):
    client = records["coordinator"]
    assert "Download .ics" in client.get(f"/directory/contacts/{records['envoy'].id}").get_data(as_text=True)
    assert uids(client.get(f"/calendars/contacts/{records['envoy'].id}.ics").data) == {records["hers"].id}
    assert uids(client.get(f"/calendars/organisations/{records['au'].id}.ics").data) == {records["hers"].id}
    # a partner downloads only the meetings she may open
    assert uids(records["partner"].get(f"/calendars/contacts/{records['stranger'].id}.ics").data) == set()
    assert client.get("/calendars/contacts/99999.ics").status_code == 404


def test_the_organisation_wide_export_is_for_managers_and_audited(records, login_as, app):
    client, manager = login_as("manager")
    assert client.get("/calendars/organisation-wide").status_code == 200
    response = client.post("/calendars/organisation-wide", data={"date_from": str((SOON - timedelta(days=500)).date()),
                                                                 "date_to": str((SOON + timedelta(days=1)).date())})
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert uids(response.data) == {records["hers"].id, records["other"].id, records["old"].id}
    from outreach.core.audit import AuditEvent
    from outreach.core.db import db
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="calendar.export", actor_id=manager.id).count() == 1
    bad = client.post("/calendars/organisation-wide", data={"date_from": "2027-01-01", "date_to": "2026-01-01"})
    assert bad.status_code == 422
    huge = client.post("/calendars/organisation-wide", data={"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert huge.status_code == 422
    assert records["coordinator"].post("/calendars/organisation-wide", data={}).status_code == 403
