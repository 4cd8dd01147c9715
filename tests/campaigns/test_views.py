"""Campaign pages through the web client: what each role can do and see, and what bad input gets."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

from sqlalchemy import func, select

from outreach.campaigns.models import Campaign, Objective, StageChange, Target, campaign_meetings
from outreach.core.audit import AuditEvent
from outreach.core.db import db
from outreach.core.time import now_utc
from tests.meetings.conftest import NOW


def _campaign_form(**kw):
    data = {"name": "Women in AU and ECOWAS mediation teams", "goal": "At least a third of mediators are women",
            "start_date": "2026-01-01", "end_date": "2026-12-31", "status": "active", "tags": "AU, ECOWAS"}
    data.update(kw)
    return data


def test_a_manager_creates_a_campaign_and_sets_an_objective(app, login_as):
    client, manager = login_as("manager")
    assert client.get("/campaigns/new").status_code == 200
    response = client.post("/campaigns/new", data=_campaign_form(owner_id=str(manager.id)))
    assert response.status_code == 302
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.name.like("Women in AU%")))
        assert [t.name for t in campaign.tags] == ["AU", "ECOWAS"] and campaign.owner_id == manager.id
        cid = campaign.id
    bad = client.post(f"/campaigns/{cid}/objectives/new", data={
        "metric": "Women mediators", "baseline": "10", "target_value": "33", "deadline": "2025-06-30",
        "source": "manual"})
    assert bad.status_code == 422 and "before the campaign starts" in bad.text
    ok = client.post(f"/campaigns/{cid}/objectives/new", data={
        "metric": "Women mediators", "unit": "%", "baseline": "10", "target_value": "33", "deadline": "2026-12-01",
        "source": "manual"})
    assert ok.status_code == 302
    with app.app_context():
        objective_id = db.session.scalar(select(Objective.id).where(Objective.campaign_id == cid))
    value = client.post(f"/campaigns/objectives/{objective_id}/values", data={
        "value": "14", "as_of": (NOW - timedelta(days=3)).date().isoformat(), "note": "AU PSC roster"})
    assert value.status_code == 303
    page = client.get(f"/campaigns/objectives/{objective_id}")
    assert page.status_code == 200 and "<svg" in page.text and "AU PSC roster" in page.text
    overview = client.get(f"/campaigns/{cid}")
    assert "Women mediators" in overview.text and "Add targets" in overview.text


def test_bad_campaign_input_gets_a_message_and_a_4xx_and_writes_nothing(app, login_as):
    client, _manager = login_as("manager")
    cases = [_campaign_form(end_date="2025-12-31"), _campaign_form(start_date="0001-01-01"),
             _campaign_form(end_date="9999-12-31"), _campaign_form(name="x\x00y"), _campaign_form(name="x" * 1_000_000),
             _campaign_form(owner_id="99999999999"), _campaign_form(owner_id="١٢")]
    for data in cases:
        response = client.post("/campaigns/new", data=data)
        assert 400 <= response.status_code < 500, data
    assert "ends before it starts" in client.post("/campaigns/new", data=_campaign_form(end_date="2025-12-31")).text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
    for url in ("/campaigns/99999999999", "/campaigns/targets/99999999999", "/campaigns/objectives/0"):
        assert client.get(url).status_code == 404


def test_coordinator_adds_targets_in_bulk_from_a_filtered_directory_list(app, login_as, make_campaign, make_contact,
                                                                         make_user):
    client, _coordinator = login_as("coordinator")
    partner = make_user("partner", name="Gen. Margaret Kiplagat")
    campaign = make_campaign()
    for _ in range(12):
        make_contact(country="NG")
    make_contact(country="KE")
    page = client.get(f"/campaigns/{campaign.id}/targets/add?country=NG")
    assert page.status_code == 200 and page.text.count('name="ids"') == 12
    response = client.post(f"/campaigns/{campaign.id}/targets/add?country=NG",
                           data={"scope": "all", "kind": "contact", "priority": "1", "partners": [str(partner.id)]})
    assert response.status_code == 303
    assert "12 targets added." in client.get(response.headers["Location"]).text
    with app.app_context():
        targets = db.session.scalars(select(Target).where(Target.campaign_id == campaign.id)).all()
        assert len(targets) == 12 and {t.priority for t in targets} == {1}
        assert all(t.partner_ids == [partner.id] for t in targets)
        one = targets[0].contact_id
    again = client.post(f"/campaigns/{campaign.id}/targets/add", data={"ids": [str(one)], "single": "1"})
    assert again.status_code == 409 and "already a target" in again.text
    nothing = client.post(f"/campaigns/{campaign.id}/targets/add", data={"scope": "ticked"})
    assert nothing.status_code == 422 and "Tick at least one" in nothing.text
    listed = client.get(f"/campaigns/{campaign.id}/targets/add?country=NG")
    assert listed.text.count("already a target") == 12


def test_board_moves_by_button_and_refuses_a_skip_without_reason(app, login_as, make_campaign, make_contact,
                                                                 add_target):
    client, coordinator = login_as("coordinator")
    campaign = make_campaign()
    target = add_target(campaign, coordinator, contact=make_contact("Bineta", "Diop"))
    board = client.get(f"/campaigns/{campaign.id}/board")
    assert board.status_code == 200 and "Bineta Diop" in board.text and "Move Bineta Diop to Contacted" in board.text
    moved = client.post(f"/campaigns/targets/{target.id}/stage", data={"stage": "contacted", "view": "board"},
                        headers={"HX-Request": "true"})
    assert moved.status_code == 200 and "Now at “Contacted”" in moved.text
    assert 'hx-swap-oob="afterbegin:#cards-contacted"' in moved.text  # the card moves to its new column
    assert '<span class="text-body-secondary" id="count-identified" hx-swap-oob="true">0</span>' in moved.text
    assert '<span class="text-body-secondary" id="count-contacted" hx-swap-oob="true">1</span>' in moved.text
    skip = client.post(f"/campaigns/targets/{target.id}/stage", data={"stage": "delivered"})
    assert skip.status_code == 422 and "give a reason" in skip.text
    ok = client.post(f"/campaigns/targets/{target.id}/stage", data={"stage": "delivered", "reason": "Announced"})
    assert ok.status_code == 303
    with app.app_context():
        assert db.session.get(Target, target.id).stage == "delivered"
        assert db.session.scalar(select(func.count()).select_from(StageChange)
                                 .where(StageChange.target_id == target.id)) == 3


def test_partners_see_only_their_campaigns_and_targets(app, login_as, make_user, make_campaign, make_contact,
                                                       add_target):
    coordinator = make_user("coordinator")
    client, partner = login_as("partner")
    other = make_user("partner")
    mine_campaign, other_campaign = make_campaign(name="Hers"), make_campaign(name="Not hers")
    mine = add_target(mine_campaign, coordinator, contact=make_contact("Amina", "Mohammed"), partners=(partner,))
    theirs = add_target(mine_campaign, coordinator, contact=make_contact("Other", "Target"), partners=(other,))
    add_target(other_campaign, coordinator, contact=make_contact(), partners=(other,))
    listing = client.get("/campaigns")
    assert "Hers" in listing.text and "Not hers" not in listing.text
    assert client.get(f"/campaigns/{other_campaign.id}").status_code == 404
    assert client.get(f"/campaigns/targets/{theirs.id}").status_code == 404
    assert client.post(f"/campaigns/targets/{theirs.id}/stage", data={"stage": "contacted"}).status_code == 404
    table = client.get(f"/campaigns/{mine_campaign.id}/targets")
    assert "Amina Mohammed" in table.text and "Other Target" not in table.text
    assert "Other Target" not in client.get(f"/campaigns/{mine_campaign.id}/board").text
    assert client.get(f"/campaigns/{mine_campaign.id}/targets/add").status_code == 403
    moved = client.post(f"/campaigns/targets/{mine.id}/stage", data={"stage": "contacted"})
    assert moved.status_code == 303
    saved = client.post(f"/campaigns/targets/{mine.id}", data={"next_step": "Send the brief", "priority": "1",
                                                                "next_step_due": "2026-03-20"})
    assert saved.status_code == 303
    with app.app_context():
        t = db.session.get(Target, mine.id)
        assert (t.stage, t.next_step, t.priority) == ("contacted", "Send the brief", 2)  # priority: staff only
    activist, _a = login_as("activist")
    for url in ("/campaigns", f"/campaigns/{mine_campaign.id}", "/my-targets", f"/campaigns/targets/{mine.id}"):
        assert activist.get(url).status_code == 403


def test_my_targets_puts_what_needs_me_first_and_marks_steps_done(app, login_as, make_user, make_campaign,
                                                                 make_contact, add_target):
    from outreach.campaigns import services

    from outreach.core.time import now_utc

    coordinator = make_user("coordinator")
    client, partner = login_as("partner")
    now = now_utc()  # the page reads the clock
    campaign = make_campaign(name="Fund the WPS Act implementation plans", end_date=now.date() + timedelta(days=90))
    fresh = make_contact("Fresh", "Contact", last_touch_at=now - timedelta(days=2), cadence_days=30)
    late = make_contact("Late", "Step", last_touch_at=now - timedelta(days=2), cadence_days=30)
    cold = make_contact("Cold", "Contact", last_touch_at=now - timedelta(days=300))
    for person in (fresh, late, cold):
        add_target(campaign, coordinator, contact=person, partners=(partner,))
    paused = make_campaign(name="Paused one", status="paused")
    add_target(paused, coordinator, contact=make_contact("Paused", "Target"), partners=(partner,))
    with app.app_context():
        t = db.session.scalar(select(Target).where(Target.contact_id == late.id))
        services.update_target(t, next_step="Call the chief of staff", next_step_due=(now - timedelta(days=1)).date(),
                               actor=coordinator, now=NOW)
        db.session.commit()
        late_id = t.id
    page = client.get("/my-targets")
    assert page.status_code == 200 and "Paused Target" not in page.text
    order = [page.text.index(name) for name in ("Late Step", "Cold Contact", "Fresh Contact")]
    assert order == sorted(order) and "Going cold" in page.text and "Overdue" in page.text
    assert f"/meetings/new?attendees=c:{late.id}&amp;campaign_id={campaign.id}" in page.text
    done = client.post(f"/campaigns/targets/{late_id}/step-done", data={"back": "mine"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/my-targets")
    with app.app_context():
        t = db.session.get(Target, late_id)
        assert t.next_step is None and t.history[0].reason == "Done: Call the chief of staff"
    today = client.get("/")
    assert "My targets" in today.text and "Cold Contact" in today.text


def test_the_meeting_form_suggests_and_files_the_campaign(app, login_as, make_user, make_campaign, make_contact,
                                                          add_target):
    coordinator = make_user("coordinator")
    client, partner = login_as("partner")
    person = make_contact("Leymah", "Gbowee")
    campaign = make_campaign(name="Women in AU and ECOWAS mediation teams")
    make_campaign(name="Another running campaign")
    target = add_target(campaign, coordinator, contact=person, partners=(partner,))
    form = client.get(f"/meetings/new?attendees=c:{person.id}")
    assert form.status_code == 200 and 'name="campaign_id"' in form.text
    assert f'<option value="{campaign.id}" selected>' in form.text and "Suggested" in form.text
    assert "Another running campaign" not in form.text  # a partner: her campaigns only
    response = client.post("/meetings/new", data={
        "kind": "meeting", "title": "Mediation roster", "date": "2026-03-09", "start_time": "10:00",
        "timezone": "Africa/Monrovia", "status": "held", "attendees": [f"c:{person.id}"],
        "campaign_id": str(campaign.id)})
    assert response.status_code == 302, response.text
    meeting_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert db.session.scalar(select(campaign_meetings.c.campaign_id).where(
            campaign_meetings.c.meeting_id == meeting_id)) == campaign.id
        assert db.session.get(Target, target.id).stage == "met"
    shown = client.get(f"/meetings/{meeting_id}")
    assert "Women in AU and ECOWAS mediation teams" in shown.text
    refused = client.post("/meetings/new", data={
        "kind": "meeting", "title": "Bad", "date": "2026-03-09", "start_time": "10:00", "timezone": "UTC",
        "status": "planned", "campaign_id": "99999999999"})
    assert refused.status_code == 422 and "Choose a campaign from the list." in refused.text


def test_csv_exports_are_formula_safe_and_reports_render(app, login_as, make_user, make_campaign, make_contact,
                                                         add_target):
    client, manager = login_as("manager")
    campaign = make_campaign(manager)
    add_target(campaign, manager, contact=make_contact("=HYPERLINK(1)", "Evil"))
    exported = client.post(f"/campaigns/{campaign.id}/targets.csv", data={})
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "target" and rows[1][0] == "'=HYPERLINK(1) Evil" and rows[1][4] == "identified"
    objectives = client.post(f"/campaigns/{campaign.id}/objectives.csv", data={})
    assert objectives.status_code == 200 and objectives.get_data(as_text=True).lstrip("\ufeff").startswith("metric")
    report = client.get(f"/campaigns/{campaign.id}/report")
    assert report.status_code == 200 and report.text.count("<svg") == 3 and "Targets by stage" in report.text
    dashboard = client.get("/campaigns/dashboard")
    assert dashboard.status_code == 200 and campaign.name in dashboard.text
    coordinator, _c = login_as("coordinator")
    assert coordinator.get(f"/campaigns/{campaign.id}/report").status_code == 403


def test_editing_closing_and_the_rules_that_follow(app, login_as, make_contact, add_target):
    client, manager = login_as("manager")
    response = client.post("/campaigns/new", data=_campaign_form())
    cid = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/campaigns/{cid}/objectives/new", data={"metric": "Mediators", "baseline": "0", "target_value": "5",
                                                          "deadline": "2026-11-30", "source": "manual"})
    shorter = client.post(f"/campaigns/{cid}/edit", data=_campaign_form(end_date="2026-06-30"))
    assert shorter.status_code == 422 and "falls outside these dates" in shorter.text
    renamed = client.post(f"/campaigns/{cid}/edit", data=_campaign_form(name="Women mediators, AU and ECOWAS"))
    assert renamed.status_code == 302
    with app.app_context():
        objective_id = db.session.scalar(select(Objective.id).where(Objective.campaign_id == cid))
    edited = client.post(f"/campaigns/objectives/{objective_id}/edit", data={
        "metric": "Women mediators deployed", "baseline": "1", "target_value": "6", "deadline": "2026-10-31",
        "source": "manual"})
    assert edited.status_code == 302
    assert "Women mediators deployed" in client.get(f"/campaigns/objectives/{objective_id}").text
    with app.app_context():
        campaign = db.session.get(Campaign, cid)
    target = add_target(campaign, manager, contact=make_contact())
    assert client.post(f"/campaigns/{cid}/status", data={"status": "closed"}).status_code == 303
    closed = client.post(f"/campaigns/targets/{target.id}/stage", data={"stage": "contacted"})
    assert closed.status_code == 409 and "closed" in closed.text
    again = client.post(f"/campaigns/{cid}/status", data={"status": "closed"}, follow_redirects=True)
    assert "already in this status" in again.text
    coordinator, _c = login_as("coordinator")
    assert coordinator.post(f"/campaigns/{cid}/status", data={"status": "active"}).status_code == 403
    assert coordinator.get(f"/campaigns/{cid}/edit").status_code == 403


def _loaded_at(page: str, form_action: str) -> str:
    """The version token of the form posting to *form_action* on a target's page."""
    form = page[page.index(f'action="{form_action}"'):]
    found = re.search(r'name="loaded_at" type="hidden" value="([^"]*)"', form[:form.index("</form>")])
    assert found, "no loaded_at in the form"
    return found.group(1)


def test_two_people_editing_a_target_the_later_save_is_refused_and_nothing_is_lost(app, login_as, make_user,
                                                                                   make_campaign, make_contact,
                                                                                   add_target):
    alice, coordinator = login_as("coordinator")
    bob, _manager = login_as("manager")
    partner = make_user("partner", name="Amb. Ruth Ndlovu")
    campaign = make_campaign()
    target = add_target(campaign, coordinator, contact=make_contact("Bineta", "Diop"))
    save_url, move_url = f"/campaigns/targets/{target.id}", f"/campaigns/targets/{target.id}/stage"
    page_a, page_b = alice.get(save_url).text, bob.get(save_url).text
    token_a, token_b = _loaded_at(page_a, save_url), _loaded_at(page_b, save_url)
    assert token_a == token_b == _loaded_at(page_a, move_url)
    first = alice.post(
        save_url,
        data={
            "next_step": "Send the draft language",
            "next_step_due": (now_utc() + timedelta(days=20)).date().isoformat(),
            "priority": "1",
            "partners": [str(partner.id)],
            "loaded_at": token_a,
        },
    )
    assert first.status_code == 303
    envoy = make_user("partner", name="Dr. Nguyen Thi Lan")
    late = bob.post(save_url, data={"next_step": "Call the chief of staff", "next_step_due": "",
                                    "priority": "3", "partners": [str(envoy.id)], "loaded_at": token_b})
    assert late.status_code == 409
    assert "changed since you opened it" in late.text and "nothing was saved" in late.text
    assert 'value="Call the chief of staff"' in late.text  # what Bob typed is still in his form
    assert f'<option value="{envoy.id}" selected>' in late.text
    assert f'<option value="{partner.id}" selected>' not in late.text
    with app.app_context():
        stored = db.session.get(Target, target.id)
        assert (stored.next_step, stored.priority, stored.partner_ids) == ("Send the draft language", 1, [partner.id])
    # The stage move made on the page opened before Alice's save is refused the same way, on the page and the board.
    stale_move = bob.post(move_url, data={"stage": "contacted", "loaded_at": token_b})
    assert stale_move.status_code == 409 and "changed since you opened it" in stale_move.text
    stale_card = bob.post(move_url, data={"stage": "contacted", "view": "board", "loaded_at": token_b},
                          headers={"HX-Request": "true"})
    assert stale_card.status_code == 200 and "changed since you opened it" in stale_card.text
    fresh = _loaded_at(late.text, save_url)  # the refusal shows the latest version: saving again works
    assert fresh != token_b
    again = bob.post(save_url, data={"next_step": "Call the chief of staff", "next_step_due": "", "priority": "3",
                                     "partners": [str(partner.id)], "loaded_at": fresh})
    assert again.status_code == 303
    moved = alice.post(move_url, data={"stage": "contacted", "loaded_at": token_a})  # Alice's page is old now
    assert moved.status_code == 409
    with app.app_context():
        stored = db.session.get(Target, target.id)
        assert (stored.next_step, stored.priority, stored.stage) == ("Call the chief of staff", 3, "identified")
        assert (
            db.session.scalar(select(func.count()).select_from(StageChange).where(StageChange.target_id == target.id))
            == 1
        )  # its arrival only: no move went through
        changes = db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "campaign_target.update")
                                     .order_by(AuditEvent.id)).all()
        assert [json.loads(c) for c in changes] == [{"changed": ["next_step", "next_step_due", "priority", "partners"]},
                                {"changed": ["next_step", "next_step_due", "priority"]}]


def test_the_targets_table_sorts_people_and_offices_by_name_and_finds_them(login_as, make_user, make_campaign,
                                                                          make_contact, make_organisation,
                                                                          add_target):
    coordinator = make_user("coordinator")
    client, _user = login_as("coordinator", user=coordinator)
    campaign = make_campaign()
    for target in (dict(contact=make_contact("Zainab", "Bello")),
                   dict(organisation=make_organisation("Cabinet Office")),
                   dict(contact=make_contact("Amina", "Bello")), dict(contact=make_contact("Yaw", "Acheampong")),
                   dict(organisation=make_organisation("Africa Desk"))):
        add_target(campaign, coordinator, **target)
    page = client.get(f"/campaigns/{campaign.id}/targets?sort=name").text
    names = ["Yaw Acheampong", "Africa Desk", "Amina Bello", "Zainab Bello", "Cabinet Office"]
    assert [page.index(n) for n in names] == sorted(page.index(n) for n in names)
    found = client.get(f"/campaigns/{campaign.id}/targets?sort=name&q=bello").text
    assert "Amina Bello" in found and "Zainab Bello" in found
    assert "Cabinet Office" not in found and "Acheampong" not in found


def test_the_partner_filter_is_picked_by_name_shown_escaped_and_keeps_only_her_targets(
        login_as, make_user, make_campaign, make_contact, add_target):
    """Partners are picked by typing (the people picker), not from a list of every partner of the campaign."""
    coordinator = make_user("coordinator")
    client, _user = login_as("coordinator", user=coordinator)
    ama, kofi = make_user("partner", name="Ama <b>Owusu</b>"), make_user("partner", name="Kofi Mensah")
    campaign = make_campaign()
    add_target(campaign, coordinator, contact=make_contact("Zainab", "Bello"), partners=(ama,))
    add_target(campaign, coordinator, contact=make_contact("Yaw", "Acheampong"), partners=(kofi, ama))
    assert "Kofi Mensah" not in client.get(f"/campaigns/{campaign.id}/targets?kind=organisation").text
    page = client.get(f"/campaigns/{campaign.id}/targets?partner={ama.id}").text
    assert f'name="partner" id="partner" value="{ama.id}"' in page
    assert 'data-empty="Any partner">Ama &lt;b&gt;Owusu&lt;/b&gt;</span>' in page and "<b>Owusu" not in page
    assert "Zainab Bello" in page and "Yaw Acheampong" in page
    page = client.get(f"/campaigns/{campaign.id}/targets?partner={kofi.id}").text
    assert "Yaw Acheampong" in page and "Zainab Bello" not in page
    found = client.get("/meetings/people", query_string={"picker": "partner", "role": "partner", "q": "kofi"}).text
    assert f'data-pick="partner" data-pick-id="{kofi.id}"' in found
    assert client.get(f"/campaigns/{campaign.id}/targets?partner=%C2%B2").status_code == 400
