"""Monitoring through the web: the forms, the watchlist, who sees what, hostile input, query counts."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import unique
from tests.monitoring.conftest import NOW


def _criterion_id(app, key):
    from outreach.core.db import db
    from outreach.monitoring.models import Criterion

    with app.app_context():
        return db.session.scalar(select(Criterion.id).where(Criterion.key == key))


def test_coordinator_tracks_a_mandate_records_a_version_rates_it_and_the_watchlist_shows_it(app, login_as):
    client, _ = login_as("coordinator")
    response = client.post("/monitoring/instruments/new", data={
        "kind": "mandate", "title": "Mandate of MINUSCA", "short_name": "MINUSCA mandate", "countries": "cf",
        "region": "Central Africa", "adopted_on": "2014-04-10", "next_decision_on": "2026-11-15",
        "next_decision_kind": "renewal", "reminder_days": "90,30,7"})
    assert response.status_code == 302
    instrument_url = response.headers["Location"]
    page = client.get(instrument_url).get_data(as_text=True)
    assert "Mandate of MINUSCA" in page and "CF" in page and "Leila" not in page
    response = client.post(f"{instrument_url}/versions/new", data={"reference": "S/RES/2759 (2024)",
                                                                   "effective_on": "2024-11-14"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/rate")
    participation = _criterion_id(app, "participation")
    response = client.post(response.headers["Location"], data={
        f"c{participation}-rating": "1", f"c{participation}-evidence_quote": "Encourages women's participation",
        f"c{participation}-evidence_page": "OP 33"})
    assert response.status_code == 302
    page = client.get(instrument_url).get_data(as_text=True)
    assert "Encourages women&#39;s participation" in page and "OP 33" in page
    weak = client.get(f"/monitoring?criterion={participation}&at_most=1").get_data(as_text=True)
    assert "MINUSCA mandate" in weak
    adequate_only = client.get(f"/monitoring?criterion={participation}&at_most=0").get_data(as_text=True)
    assert "MINUSCA mandate" not in adequate_only


def test_bad_input_gets_a_message_and_writes_nothing(app, login_as):
    from outreach.core.db import db
    from outreach.monitoring.models import Instrument

    client, _ = login_as("coordinator")
    response = client.post("/monitoring/instruments/new", data={
        "kind": "mandate", "title": "Backwards", "adopted_on": "2024-05-01", "expires_on": "2023-01-01",
        "next_decision_kind": "renewal"})
    assert response.status_code == 422
    assert "The expiry date is before the adoption date." in response.get_data(as_text=True)
    for data in (
        {"kind": "mandate", "title": "Nul\x00", "next_decision_kind": "renewal"},
        {"kind": "mandate", "title": "x" * 1_000_000, "next_decision_kind": "renewal"},
        {"kind": "mandate", "title": "Edge", "next_decision_on": "0001-01-01", "next_decision_kind": "renewal"},
        {"kind": "mandate", "title": "Edge", "body_id": "99999999999999999999", "next_decision_kind": "renewal"},
        {"kind": "mandate", "title": "Edge", "body_id": "²", "next_decision_kind": "renewal"},
        {"kind": "mandate", "title": "Edge", "body_id": " ", "next_decision_kind": "renewal"},
    ):
        assert client.post("/monitoring/instruments/new", data=data).status_code == 422
    with app.app_context():
        assert db.session.scalars(select(Instrument)).all() == []
    for url in ("/monitoring?within=%C2%B2", "/monitoring?body=99999999999999999999", "/monitoring?country=ZZ",
                "/monitoring?q=abc%00def", "/monitoring?criterion=1e5"):
        assert client.get(url).status_code == 400, url
    assert client.get("/monitoring/instruments/99999999999999999999").status_code == 404


def test_an_amount_needs_its_currency(app, login_as, make_instrument):
    client, user = login_as("coordinator")
    instrument = make_instrument(user, kind="budget_line")
    response = client.post(f"/monitoring/instruments/{instrument.id}/funding",
                           data={"year": "2026", "kind": "allocated", "amount": "5000000", "currency": ""})
    assert response.status_code == 422 and "This field is required." in response.get_data(as_text=True)
    response = client.post(f"/monitoring/instruments/{instrument.id}/funding",
                           data={"year": "2026", "kind": "allocated", "amount": "5000000", "currency": "NOK"})
    assert response.status_code == 303
    assert "5,000,000" in client.get(f"/monitoring/instruments/{instrument.id}").get_data(as_text=True)


def test_a_stale_edit_is_refused_with_a_conflict(app, login_as, make_instrument):
    client, user = login_as("coordinator")
    instrument = make_instrument(user, title="Norway NAP")
    form = {"kind": "national_action_plan", "title": "Norway NAP 2023-2030", "next_decision_kind": "review",
            "revision": "1", "adopted_on": "2020-01-01"}
    assert client.post(f"/monitoring/instruments/{instrument.id}/edit", data=form).status_code == 302
    response = client.post(f"/monitoring/instruments/{instrument.id}/edit", data={**form, "title": "Older tab"})
    assert response.status_code == 409 and "changed this instrument since you opened it" in response.get_data(
        as_text=True)


def test_meetings_are_tagged_from_their_page_by_who_may_edit_them(app, login_as, make_instrument, make_meeting):
    client, coordinator = login_as("coordinator")
    partner_client, partner = login_as("partner")
    instrument = make_instrument(coordinator, short_name="UNMISS mandate")
    meeting = make_meeting(coordinator, title="Briefing on UNMISS", users=(partner,))
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Link an instrument" in page and "UNMISS mandate" in page
    response = client.post(f"/meetings/{meeting.id}/instruments", data={"instrument_id": str(instrument.id),
                                                                        "next": f"/meetings/{meeting.id}"})
    assert response.status_code == 303 and response.headers["Location"] == f"/meetings/{meeting.id}"
    assert "Briefing on UNMISS" in client.get(f"/monitoring/instruments/{instrument.id}").get_data(as_text=True)
    # the partner attended: she sees the tag, cannot add or remove one on a meeting she did not organise
    assert "UNMISS mandate" in partner_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert partner_client.post(f"/meetings/{meeting.id}/instruments",
                               data={"instrument_id": str(instrument.id)}).status_code == 403
    assert "Briefing on UNMISS" in partner_client.get(f"/monitoring/instruments/{instrument.id}").get_data(
        as_text=True)


def test_a_partner_does_not_see_linked_meetings_she_may_not_open(app, login_as, make_instrument, make_meeting):
    from outreach.core.db import db
    from outreach.monitoring import services
    from outreach.monitoring.models import Instrument

    client, coordinator = login_as("coordinator")
    partner_client, _partner = login_as("partner")
    instrument = make_instrument(coordinator)
    secret = make_meeting(coordinator, title="Internal strategy on the renewal")
    with app.app_context():
        services.link_work(db.session.get(Instrument, instrument.id), meeting_id=secret.id, actor=coordinator,
                           now=NOW)
        db.session.commit()
    assert "Internal strategy" in client.get(f"/monitoring/instruments/{instrument.id}").get_data(as_text=True)
    page = partner_client.get(f"/monitoring/instruments/{instrument.id}")
    assert page.status_code == 200 and "Internal strategy" not in page.get_data(as_text=True)
    assert partner_client.get(f"/monitoring/instruments/{instrument.id}/edit").status_code == 403


def test_activists_read_only_published_summaries(app, login_as, make_instrument):
    from outreach.core.db import db
    from outreach.monitoring import services
    from outreach.monitoring.models import Instrument

    admin_client, admin = login_as("admin")
    activist_client, _ = login_as("activist")
    published = make_instrument(admin, short_name="CAR NAP", summary="INTERNAL-MARKER-4411")
    make_instrument(admin, short_name="Unpublished plan")
    response = admin_client.post(f"/monitoring/instruments/{published.id}/publish",
                                 data={"public_summary": "The coalition presses for a funded NAP."})
    assert response.status_code == 303
    page = activist_client.get("/monitoring/published").get_data(as_text=True)
    assert "The coalition presses for a funded NAP." in page and "CAR NAP" in page
    assert "INTERNAL-MARKER-4411" not in page and "Unpublished plan" not in page
    assert activist_client.get("/monitoring").status_code == 403
    assert activist_client.get(f"/monitoring/instruments/{published.id}").status_code == 403
    with app.app_context():
        services.set_archived(db.session.get(Instrument, published.id), True, actor=admin, now=NOW)
        db.session.commit()
    assert "CAR NAP" not in activist_client.get("/monitoring/published").get_data(as_text=True)


def test_watchlist_export_is_formula_safe_and_audited(app, login_as, make_instrument):
    from outreach.core.audit import AuditEvent
    from outreach.core.db import db

    client, user = login_as("manager")
    make_instrument(user, title="=HYPERLINK(\"http://evil\")", next_decision_on=date(2027, 1, 1))
    response = client.post("/monitoring/export", data={})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "instrument.export"))


@pytest.mark.parametrize("instruments", [2, 12])
def test_watchlist_and_instrument_page_run_a_fixed_number_of_queries(app, login_as, make_instrument, make_meeting,
                                                                     count_queries, instruments):
    from outreach.core.db import db
    from outreach.monitoring import services
    from outreach.monitoring.models import Instrument

    client, user = login_as("coordinator")
    criteria = services.active_criteria
    last = None
    with app.app_context():
        ids = [c.id for c in criteria()]
    for n in range(instruments):
        instrument = make_instrument(user, next_decision_on=date(2027, 1, 1 + n))
        with app.app_context():
            item = db.session.get(Instrument, instrument.id)
            for year in (2023, 2024):
                version = services.add_version(item, {"reference": f"v{year}", "effective_on": date(year, 1, 1)},
                                               actor=user, now=NOW)
                services.rate_version(version, [services.Rating(cid, n % 4) for cid in ids], actor=user, now=NOW)
            services.add_funding(item, {"year": 2024, "kind": "required", "amount": "10", "currency": "USD"},
                                 actor=user, now=NOW)
            db.session.commit()
        meeting = make_meeting(user)
        with app.app_context():
            services.link_work(db.session.get(Instrument, instrument.id), meeting_id=meeting.id, actor=user, now=NOW)
            db.session.commit()
        last = instrument
    with count_queries() as watchlist:
        assert client.get("/monitoring").status_code == 200
    with count_queries() as detail:
        assert client.get(f"/monitoring/instruments/{last.id}").status_code == 200
    assert watchlist.count <= 12, watchlist.statements
    assert detail.count <= 16, detail.statements


def _listed(page: str, token: str) -> list[str]:
    import re

    return re.findall(rf">({token} \d+)</a>", page)


def test_watchlist_pages_list_the_soonest_decision_first_and_undated_instruments_last(app, login_as,
                                                                                       make_instrument):
    """Dated by decision (entry order on a tie), then every undated one in entry order, the same across pages."""
    client, user = login_as("coordinator")
    token = unique("Order") + "x"
    dates = [date(2027, 3, 1), None, date(2027, 1, 5), date(2027, 1, 5), None] + [
        date(2027, 2, 1 + n % 20) for n in range(50)]
    made = [(make_instrument(user, short_name=f"{token} {n}", next_decision_on=when).id, when)
            for n, when in enumerate(dates)]
    expected = [f"{token} {n}" for n, _ in sorted(enumerate(made), key=lambda item: (
        item[1][1] is None, item[1][1] or date.min, item[1][0]))]
    first = client.get(f"/monitoring?q={token}").get_data(as_text=True)
    second = client.get(f"/monitoring?q={token}&page=2").get_data(as_text=True)
    assert _listed(first, token) == expected[:50]
    assert _listed(second, token) == expected[50:]
    assert expected[-2:] == [f"{token} 1", f"{token} 4"]


def test_the_body_filter_is_picked_by_name_and_keeps_only_that_bodys_instruments(app, login_as, make_instrument,
                                                                                  make_organisation):
    """Bodies are picked by typing (the directory's organisation search, as in the commitments register), not from a
    list of every body."""
    client, user = login_as("coordinator")
    council, other = make_organisation(name=unique("Peace and Security Council ")), make_organisation()
    mine = make_instrument(user, body_id=council.id, short_name=unique("Communique "))
    theirs = make_instrument(user, body_id=other.id, short_name=unique("Communique "))
    assert f">{council.name}</option>" not in client.get("/monitoring").get_data(as_text=True)
    page = client.get(f"/monitoring?body={council.id}").get_data(as_text=True)
    assert f'name="body" id="body" value="{council.id}"' in page
    assert f'data-empty="None chosen">{council.name}</span>' in page
    assert mine.short_name in page and theirs.short_name not in page
