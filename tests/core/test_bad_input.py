"""Bad input answers 4xx with a clear message, never 500 (issue 10, items 5-7), on both databases.

Zones every formatter knows; ids beyond the databases' range or written in other digits; blank
hidden ids; dates at the calendar's edges; NUL and control characters in search boxes; and a 503
only when the database is really out of reach.
"""
from __future__ import annotations

import logging
import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.errors import database_unreachable
from outreach.core.ids import MAX_ID, parse_id
from outreach.core.time import iana_zones, is_valid_zone

HUGE = "99999999999999999999"


@pytest.mark.parametrize("zone", ["localtime", "Factory"])
def test_a_zone_a_formatter_does_not_know_is_refused_and_a_stored_one_breaks_nothing(app, login_as, zone):
    import pytz

    assert not is_valid_zone(zone) and iana_zones() <= pytz.all_timezones_set and "Africa/Addis_Ababa" in iana_zones()
    client, user = login_as("partner")
    refused = client.post("/account/", data={"name": "Someone", "timezone": zone, "locale": "en"})
    assert refused.status_code == 422 and "Choose a time zone" in refused.text
    with app.app_context():  # a value stored before this rule, or by hand
        db.session.get(User, user.id).timezone = zone
        db.session.commit()
    for page in ("/", "/account/", "/meetings", "/follow-ups", "/inbox"):
        assert client.get(page).status_code == 200, page
    fixed = client.post("/account/", data={"name": "Someone", "timezone": "Africa/Nairobi", "locale": "en"})
    assert fixed.status_code == 302


def test_one_id_parser():
    assert [parse_id(v) for v in ("1", " 42 ", str(MAX_ID), "0", "-1", "²", "٣", " ", "", HUGE, "1e3", "0x1", None,
                                  True, 7, 2**40)] == [1, 42, MAX_ID, None, None, None, None, None, None, None, None,
                                                       None, None, None, 7, None]


@pytest.mark.parametrize("path", [f"/admin/users/{HUGE}", "/admin/users/%C2%B2", "/admin/users/%D9%A3",
                                  f"/directory/contacts/{HUGE}", f"/meetings/{HUGE}", f"/commitments/{2**31}"])
def test_ids_in_urls_beyond_range_or_in_other_digits_are_404(login_as, path):
    client, _ = login_as("admin")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("query", [f"/meetings?partner={HUGE}", "/meetings?contact=%C2%B2",
                                   f"/meetings?organisation={HUGE}", f"/commitments?accountable={HUGE}",
                                   f"/directory/contacts?organisation={HUGE}", "/meetings?date_from=0001-01-01",
                                   "/meetings?date_to=9999-12-31", "/audit/?until=9999-12-31",
                                   "/audit/?since=0001-01-01"])
def test_filters_with_impossible_ids_or_dates_answer_400(login_as, query):
    client, _ = login_as("admin")
    response = client.get(query)
    assert response.status_code == 400, query
    assert "Pick from the list" in response.text or "Enter a date between" in response.text


@pytest.mark.parametrize("role", ["admin", "manager", "coordinator", "partner", "activist"])
def test_calendar_edge_dates_in_the_meeting_list_for_every_role(login_as, role):
    client, _ = login_as(role)
    assert client.get("/meetings?date_from=0001-01-01").status_code == 400
    assert client.get("/meetings?date_to=9999-12-31&date_from=0001-01-01").status_code == 400


@pytest.mark.parametrize("cursor", [HUGE, "%C2%B2", "-5", f"{HUGE}_{HUGE}", "99999999999999_1", "1_²"])
def test_cursors_beyond_range_are_ignored(login_as, cursor):
    client, _ = login_as("admin")
    assert client.get(f"/audit/?after={cursor}").status_code == 200
    assert client.get(f"/audit/?before={cursor}").status_code == 200
    assert client.get(f"/meetings?after={cursor}").status_code == 200
    assert client.get(f"/directory/contacts?page={cursor}").status_code == 200


def _meeting(**kw):
    data = {"kind": "meeting", "title": "Edge case", "date": "2026-03-09", "start_time": "10:00", "end_time": "",
            "timezone": "UTC", "status": "held", "location": "", "online_url": "", "agenda": "", "notes": "",
            "outcome": "", "commitments-0-description": "", "commitments-0-category": "other",
            "follow_ups-0-task": ""}
    data.update(kw)
    return data


@pytest.mark.parametrize("fields", [
    {"date": "9999-12-31", "timezone": "Pacific/Pago_Pago", "start_time": "23:30"},
    {"date": "0001-01-01", "timezone": "Pacific/Kiritimati", "start_time": "00:10"},
    {"follow_ups-0-task": "Call back", "follow_ups-0-due_date": "2026-03-10", "follow_ups-0-assignee_id": HUGE},
    {"follow_ups-0-task": "Call back", "follow_ups-0-due_date": "2026-03-10", "follow_ups-0-assignee_id": "²"},
    {"commitments-0-description": "A promise", "commitments-0-accountable_id": HUGE},
    {"commitments-0-description": "A promise", "commitments-0-contact_id": "٣"},
    {"attendees": f"u:{HUGE}"},
])
def test_meeting_form_refuses_edge_values_without_writing(login_as, fields):
    client, _ = login_as("coordinator")
    response = client.post("/meetings/new", data=_meeting(**fields))
    assert response.status_code == 422
    assert "alert" in response.text or "invalid-feedback" in response.text


def test_a_blank_hidden_id_means_nobody_chosen(login_as):
    client, user = login_as("coordinator")
    response = client.post("/meetings/new", data=_meeting(**{
        "follow_ups-0-task": "Call back", "follow_ups-0-due_date": "2026-03-10", "follow_ups-0-assignee_id": " ",
        "commitments-0-description": "", "commitments-0-accountable_id": " "}))
    assert response.status_code == 302  # the follow-up falls to the person logging, as when left empty


@pytest.mark.parametrize("path", ["/directory/public?q=abc%00def", "/directory/search?q=abc%00def",
                                  "/directory/search?q=a%1bb&picker=parent", "/directory/contacts/1/merge?q=%00x",
                                  "/directory/organisations/1/merge?q=%00x", "/meetings/attendees?q=%00",
                                  "/meetings/people?q=a%0db", "/directory/contacts?q=abc%00def",
                                  "/directory/organisations?q=abc%00def", "/meetings?q=abc%00def",
                                  "/admin/users?q=%00", "/audit/?actor=%00"])
def test_control_characters_in_search_text_are_a_400_with_a_message(login_as, path):
    client, _ = login_as("admin")
    response = client.get(path)
    assert response.status_code in (400, 404), path  # 404: no record 1 to merge into
    if response.status_code == 400:
        assert "control characters" in response.text


def _operational(orig: Exception) -> OperationalError:
    return OperationalError("SELECT 1", {}, orig)


def test_only_a_real_connection_failure_is_a_503(caplog):
    import psycopg

    assert not database_unreachable(_operational(sqlite3.OperationalError('unrecognized token: "\'abc"')))
    assert database_unreachable(_operational(sqlite3.OperationalError("unable to open database file")))
    assert database_unreachable(_operational(sqlite3.OperationalError("database is locked")))
    assert database_unreachable(_operational(psycopg.OperationalError("connection failed: Connection refused")))
    assert not database_unreachable(_operational(sqlite3.ProgrammingError("bad parameter")))


def test_a_bad_statement_is_a_logged_500_not_database_down(app, login_as, monkeypatch, caplog):
    def broken():
        raise _operational(sqlite3.OperationalError("near \"x\": syntax error"))

    monkeypatch.setitem(app.view_functions, "home.today", broken)
    app.testing, propagate = False, app.config.get("PROPAGATE_EXCEPTIONS")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        client, _ = login_as("coordinator")
        with caplog.at_level(logging.ERROR, logger="outreach.core.errors"):
            response = client.get("/")
    finally:
        app.testing = True
        app.config["PROPAGATE_EXCEPTIONS"] = propagate
    assert response.status_code == 500 and "briefly unavailable" not in response.text
    assert "syntax error" in caplog.text  # the message is logged, not only the class name


def test_nothing_half_written_after_refusals(app, login_as):
    from outreach.meetings.models import Meeting

    client, _ = login_as("coordinator")
    client.post("/meetings/new", data=_meeting(date="9999-12-31", timezone="Pacific/Pago_Pago"))
    with app.app_context():
        assert db.session.scalar(select(Meeting.id).where(Meeting.title == "Edge case")) is None
