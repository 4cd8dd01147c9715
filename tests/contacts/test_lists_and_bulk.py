"""The contact list's total and bulk actions, and contact lists, through the web client and the services."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from outreach.contacts import bulk
from outreach.contacts.models import Contact, ContactList, ContactListMember, Tag, contact_tags
from outreach.core.audit import AuditEvent
from outreach.core.db import db


def _tags_of(app, contact_id):
    with app.app_context():
        return sorted(db.session.scalars(select(Tag.name).join(contact_tags, contact_tags.c.tag_id == Tag.id)
                                         .where(contact_tags.c.contact_id == contact_id)))


def _members(app, list_id):
    with app.app_context():
        return set(db.session.scalars(select(ContactListMember.contact_id).where(ContactListMember.list_id == list_id)))


def _events(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def _new_list(app, name="Security Council desk officers", **kw):
    from outreach.contacts import lists
    from outreach.core.time import now_utc

    with app.app_context():
        lst = lists.create_list(lists.ListData(name, kw.get("description")), actor=None, now=now_utc())
        db.session.commit()
        return lst.id


# -- the total ---------------------------------------------------------------------------------

def test_the_contact_list_shows_an_exact_total_for_the_filters(app, login_as, make_contact):
    c, _user = login_as("coordinator")
    for i in range(3):
        make_contact("Total", f"Kenyan{i}", country="KE")
    make_contact("Total", "Swede", country="SE")
    page = c.get("/directory/contacts?country=KE")
    assert '<p class="small text-body-secondary mb-2" id="contact-total">3 contacts</p>' in page.text
    assert 'id="contact-total">1 contact</p>' in c.get("/directory/contacts?country=SE").text
    searched = c.get("/directory/contacts?q=kenyan1")
    assert re.search(r"id=\"contact-total\">\d+ match(es)?</p>", searched.text) and "Kenyan1" in searched.text


def test_the_total_is_bounded_on_large_data(app, login_as, make_contact, monkeypatch, count_queries):
    c, _user = login_as("coordinator")
    for i in range(5):
        make_contact("Capped", f"Person{i}", country="GH")
    monkeypatch.setattr("outreach.contacts.views.PAGE_SIZE", 2)
    monkeypatch.setattr(bulk, "COUNT_CAP", 3)
    page = c.get("/directory/contacts?country=GH")
    assert 'id="contact-total">3+ contacts</p>' in page.text
    # "all matching" is not offered beyond the bulk cap either
    monkeypatch.setattr(bulk, "MAX_SELECTION", 3)
    page = c.get("/directory/contacts?country=GH")
    assert 'id="scope-all" disabled' in page.text and "More than 3 match" in page.text
    monkeypatch.setattr(bulk, "COUNT_CAP", 10)
    assert 'id="contact-total">5 contacts</p>' in c.get("/directory/contacts?country=GH&page=2").text
    with app.app_context():
        stmt = select(Contact).where(Contact.country == "GH")
        with count_queries() as counter:
            assert bulk.count_matches(stmt, cap=2) == (2, True)
            assert bulk.count_matches(stmt, cap=5) == (5, False)
        assert counter.count == 2
        counts = [s for s in counter.statements if "count(" in s.lower()]
        assert len(counts) == 2 and all("LIMIT" in s.upper() for s in counts)


# -- bulk actions ------------------------------------------------------------------------------

def test_coordinator_tags_the_ticked_contacts_in_one_audited_change(app, login_as, make_contact):
    c, _user = login_as("coordinator")
    a, b, other = (make_contact("Bulk", f"Tagged{i}", country="NG") for i in range(3))
    response = c.post("/directory/contacts/bulk?country=NG", data={"scope": "selected", "ids": [a.id, b.id],
                                                                   "action": "tag_add", "bulk_tag": "AU PSC"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/directory/contacts?country=NG")
    assert _tags_of(app, a.id) == ["AU PSC"] == _tags_of(app, b.id) and _tags_of(app, other.id) == []
    events = _events(app, "contact.bulk_tag")
    assert len(events) == 1 and json.loads(events[0].details)["count"] == 2
    # the tag is searchable straight away (the search text was refreshed)
    assert "Tagged0" in c.get("/directory/contacts?q=au psc").text
    assert "Tagged2" not in c.get("/directory/contacts?tag=au psc").text
    # removing it: only those who have it count
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [a.id, other.id],
                                                        "action": "tag_remove", "bulk_tag": "au psc"})
    assert response.status_code == 303
    assert _tags_of(app, a.id) == [] and _tags_of(app, b.id) == ["AU PSC"]
    assert json.loads(_events(app, "contact.bulk_untag")[0].details)["count"] == 1
    page = c.get("/directory/contacts").text
    assert "Removed the tag “AU PSC” from 1 contact." in page


def test_select_all_on_the_page_and_all_matching_the_filters(app, login_as, make_contact, monkeypatch):
    c, _user = login_as("coordinator")
    people = [make_contact("Scope", f"Person{i}", country="ML") for i in range(4)]
    make_contact("Scope", "Outsider", country="SN")
    page_ids = [p.id for p in people[:2]]
    assert (
        c.post(
            "/directory/contacts/bulk?country=ML",
            data={"scope": "page", "page_ids": page_ids, "action": "tag_add", "bulk_tag": "page"},
        ).status_code
        == 303
    )
    assert [bool(_tags_of(app, p.id)) for p in people] == [True, True, False, False]
    assert c.post("/directory/contacts/bulk?country=ML", data={"scope": "all", "action": "tag_add",
                                                               "bulk_tag": "all"}).status_code == 303
    assert all("all" in _tags_of(app, p.id) for p in people)
    with app.app_context():
        outsider = db.session.scalar(select(Contact.id).where(Contact.last_name == "Outsider"))
    assert _tags_of(app, outsider) == []
    # beyond the cap: a clear message, nothing changed
    monkeypatch.setattr(bulk, "MAX_SELECTION", 3)
    response = c.post("/directory/contacts/bulk?country=ML", data={"scope": "all", "action": "tag_add",
                                                                   "bulk_tag": "capped"})
    assert response.status_code == 422 and "match more than 3 contacts" in response.text
    assert not any("capped" in _tags_of(app, p.id) for p in people)
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [p.id for p in people],
                                                        "action": "tag_add", "bulk_tag": "capped"})
    assert response.status_code == 422 and "at most 3 contacts" in response.text
    assert not any("capped" in _tags_of(app, p.id) for p in people)


@pytest.mark.parametrize("bad", ["99999999999", "٣", "²", "-1", "", "1\x00", "abc"])
def test_hostile_ids_refuse_the_whole_selection(app, login_as, make_contact, bad):
    c, _user = login_as("coordinator")
    person = make_contact("Hostile", "Ids")
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [str(person.id), bad],
                                                        "action": "tag_add", "bulk_tag": "hostile"})
    assert response.status_code == 400 and "not a contact" in response.text
    assert _tags_of(app, person.id) == []


def test_duplicates_and_missing_contacts_refuse_the_whole_selection(app, login_as, make_contact):
    c, _user = login_as("coordinator")
    person = make_contact("Dup", "Licate")
    lst = _new_list(app, "Duplicates")
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [person.id, person.id],
                                                        "action": "list_add", "bulk_list": lst})
    assert response.status_code == 400 and "names a contact twice" in response.text
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [person.id, 2_000_000_000],
                                                        "action": "list_add", "bulk_list": lst})
    assert response.status_code == 409 and "1 of the selected contacts no longer exist" in response.text
    assert _members(app, lst) == set()
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "action": "tag_add", "bulk_tag": "x"})
    assert response.status_code == 422 and "Tick at least one contact" in response.text
    for data, text in [({"action": "tag_add", "bulk_tag": ""}, "Type the tag"),
                       ({"action": "tag_add", "bulk_tag": "a\x00b"}, "control characters"),
                       ({"action": "tag_remove", "bulk_tag": "never used"}, "No contact has the tag"),
                       ({"action": "list_add", "bulk_list": "٣"}, "Choose a list"),
                       ({"action": "launch"}, "Choose what to do")]:
        response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [person.id], **data})
        assert 400 <= response.status_code < 500 and text in response.text, data
    assert c.post("/directory/contacts/bulk?country=XX", data={"scope": "all", "action": "tag_add",
                                                               "bulk_tag": "x"}).status_code == 400
    assert _tags_of(app, person.id) == [] and not _events(app, "contact.bulk_tag")


def test_add_the_selection_to_a_list_or_a_new_one(app, login_as, make_contact):
    c, _user = login_as("coordinator")
    a, b = make_contact("Listed", "One"), make_contact("Listed", "Two")
    lst = _new_list(app, "AU PSC contacts")
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [a.id], "action": "list_add",
                                                        "bulk_list": lst})
    assert response.status_code == 303
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [a.id, b.id],
                                                        "action": "list_add", "bulk_list": lst}, follow_redirects=True)
    assert "Added 1 contact to the list “AU PSC contacts”. 1 was already on it." in response.text
    assert _members(app, lst) == {a.id, b.id}
    added = _events(app, "contact_list.add_members")
    assert [json.loads(e.details)["count"] for e in added] == [1, 1]
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [b.id], "action": "list_add",
                                                        "bulk_new_list": "CSW side event"})
    assert response.status_code == 303
    with app.app_context():
        new = db.session.scalar(select(ContactList).where(ContactList.name == "CSW side event"))
    assert _members(app, new.id) == {b.id}
    # a list named like a live one is refused, and nothing is added anywhere
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [a.id], "action": "list_add",
                                                        "bulk_new_list": "csw SIDE event"})
    assert response.status_code == 409 and _members(app, new.id) == {b.id}


def test_export_the_selection_is_formula_safe_and_audited(app, login_as, make_contact):
    c, _user = login_as("coordinator")
    a = make_contact("=HYPERLINK(1)", "Exported")
    b = make_contact("Not", "Exported")
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [a.id], "action": "export"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert "'=HYPERLINK(1)" in body and "Exported" in body and f"\r\n{b.id}," not in body
    assert len(_events(app, "contact.export_selection")) == 1


def test_partners_and_activists_see_no_bulk_controls_and_cannot_post(app, login_as, make_contact):
    person = make_contact("Guarded", "Person")
    partner, _p = login_as("partner")
    page = partner.get("/directory/contacts").text
    assert "Guarded" in page and 'id="bulk-form"' not in page and 'name="ids"' not in page
    for role in ("partner", "activist"):
        client, _u = login_as(role)
        for action in ("tag_add", "export", "list_add"):
            response = client.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [person.id],
                                                                      "action": action, "bulk_tag": "x"})
            assert response.status_code == 403, (role, action)
    assert _tags_of(app, person.id) == []
    coordinator, _c = login_as("coordinator")
    assert 'id="bulk-form"' in coordinator.get("/directory/contacts").text


def test_campaigns_offer_add_as_targets_on_the_selection(app, login_as, make_contact, make_user):
    from outreach.campaigns import services as campaigns
    from outreach.campaigns.models import Target
    from outreach.core.time import now_utc

    manager = make_user("manager")
    with app.app_context():
        now = now_utc()
        campaign = campaigns.create_campaign(campaigns.CampaignData(
            name="Bulk campaign", goal="Goal", start_date=now.date(), end_date=now.date(), status="active"),
            actor=manager, now=now)
        db.session.commit()
        campaign_id = campaign.id
    a, b = make_contact("Target", "One"), make_contact("Target", "Two")
    c, _user = login_as("coordinator")
    page = c.get("/directory/contacts").text
    assert 'value="ext:campaign_targets"' in page and "Bulk campaign" in page
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [a.id, b.id],
                                                        "action": "ext:campaign_targets",
                                                        "bulk_choice_campaign_targets": campaign_id},
                      follow_redirects=True)
    assert "2 added as targets of Bulk campaign." in response.text
    with app.app_context():
        assert set(db.session.scalars(select(Target.contact_id).where(Target.campaign_id == campaign_id))) == {
            a.id,
            b.id,
        }
    response = c.post("/directory/contacts/bulk", data={"scope": "selected", "ids": [a.id],
                                                        "action": "ext:campaign_targets",
                                                        "bulk_choice_campaign_targets": "99999999999"})
    assert response.status_code == 422 and "Choose a campaign" in response.text


# -- lists -------------------------------------------------------------------------------------

def test_lists_crud_archive_restore_and_history(app, login_as, make_contact):
    c, me = login_as("coordinator")
    person = make_contact("Member", "Person")
    response = c.post("/directory/lists/new", data={"name": "Security Council desk officers",
                                                    "description": "E10 and P5 desks", "owner_id": me.id})
    assert response.status_code == 302
    with app.app_context():
        lst = db.session.scalar(select(ContactList).where(ContactList.name == "Security Council desk officers"))
        list_id = lst.id
        assert lst.owner_id == me.id and lst.description == "E10 and P5 desks"
    assert c.post("/directory/lists/new", data={"name": "security council DESK officers"}).status_code == 409
    assert c.post("/directory/lists/new", data={"name": ""}).status_code == 422
    assert c.post("/directory/lists/new", data={"name": "x" * 121}).status_code == 422
    assert c.post("/directory/lists/new", data={"name": "Bad\x00name"}).status_code == 422
    # a member from the contact's page, shown on the list page and the contact's page
    assert c.post(f"/directory/contacts/{person.id}/lists", data={"list_id": list_id}).status_code == 303
    assert "Member Person" in c.get(f"/directory/lists/{list_id}").text
    assert "Security Council desk officers" in c.get(f"/directory/contacts/{person.id}").text
    assert c.post(f"/directory/contacts/{person.id}/lists", data={"list_id": "٣"}).status_code == 303
    # the contact list filters by list
    make_contact("Not", "Member")
    filtered = c.get(f"/directory/contacts?list_id={list_id}").text
    assert "Member Person" in filtered and "Not Member" not in filtered
    assert c.get("/directory/contacts?list_id=99999999999").status_code == 400
    # edit, archive (kept, out of the menus), restore
    assert c.post(f"/directory/lists/{list_id}/edit", data={"name": "UNSC desks", "owner_id": me.id}).status_code == 302
    assert c.post(f"/directory/lists/{list_id}/archive").status_code == 303
    assert f'href="/directory/lists/{list_id}"' not in c.get("/directory/lists").text
    assert f'href="/directory/lists/{list_id}"' in c.get("/directory/lists?archived=1").text
    response = c.post(f"/directory/contacts/{person.id}/lists", data={"list_id": list_id}, follow_redirects=True)
    assert "is archived" in response.text
    assert c.post(f"/directory/lists/{list_id}/restore").status_code == 303
    # remove one member
    assert c.post(f"/directory/lists/{list_id}/members/{person.id}/remove").status_code == 303
    assert _members(app, list_id) == set()
    assert c.post(f"/directory/lists/{list_id}/members/{person.id}/remove").status_code == 404
    actions = [e.action for e in _events(app, "contact_list.create")] + [
        e.action for a in ("update", "archive", "restore", "add_members", "remove_member")
        for e in _events(app, f"contact_list.{a}")]
    assert actions == ["contact_list.create", "contact_list.update", "contact_list.archive", "contact_list.restore",
                       "contact_list.add_members", "contact_list.remove_member"]
    audit, _m = login_as("manager")
    log = audit.get("/audit/").text
    assert "took a contact off the list" in log and "UNSC desks" in log


def test_list_pages_paginate_and_export(app, login_as, make_contact, monkeypatch):
    c, _user = login_as("coordinator")
    list_id = _new_list(app, "Paged list")
    people = [make_contact("Paged", f"Member{i}") for i in range(3)]
    from outreach.contacts import lists
    from outreach.core.time import now_utc

    with app.app_context():
        lists.add_members(db.session.get(ContactList, list_id), [p.id for p in people], actor=None, now=now_utc())
        db.session.commit()
    monkeypatch.setattr("outreach.contacts.list_views.PAGE_SIZE", 2)
    first = c.get(f"/directory/lists/{list_id}").text
    assert "Member0" in first and "Member1" in first and "Member2" not in first and "3 contacts" in first
    assert "Member2" in c.get(f"/directory/lists/{list_id}?page=2").text
    listing = c.get("/directory/lists").text
    assert "Paged list" in listing
    export = c.post(f"/directory/lists/{list_id}/export")
    assert export.status_code == 200 and export.get_data(as_text=True).count("Paged") == 3
    assert len(_events(app, "contact_list.export")) == 1


def test_partners_read_lists_but_cannot_change_them(app, login_as, make_contact):
    list_id = _new_list(app, "Read only")
    person = make_contact("Partner", "Sees")
    partner, _p = login_as("partner")
    assert partner.get("/directory/lists").status_code == 200
    page = partner.get(f"/directory/lists/{list_id}").text
    assert "Read only" in page and "Remove" not in page and "Export" not in page
    for url in (f"/directory/lists/{list_id}/archive", f"/directory/lists/{list_id}/export",
                f"/directory/contacts/{person.id}/lists", "/directory/lists/new"):
        assert partner.post(url, data={"list_id": list_id, "name": "x"}).status_code == 403, url
    activist, _a = login_as("activist")
    assert activist.get(f"/directory/lists/{list_id}").status_code == 403


def test_list_pages_run_a_fixed_number_of_queries(app, login_as, make_contact, count_queries):
    from outreach.contacts import lists
    from outreach.core.time import now_utc

    c, _user = login_as("coordinator")
    ids = [_new_list(app, f"Counted {i}") for i in range(3)]
    people = [make_contact("Counted", f"Person{i}", tags="x") for i in range(3)]
    counts = []
    for n in (1, 3):
        with app.app_context():
            for list_id in ids:
                lists.add_members(db.session.get(ContactList, list_id), [p.id for p in people[:n]], actor=None,
                                  now=now_utc())
            db.session.commit()
        with count_queries() as index:
            assert c.get("/directory/lists").status_code == 200
        with count_queries() as one:
            assert c.get(f"/directory/lists/{ids[0]}").status_code == 200
        counts.append((index.count, one.count))
    assert counts[0] == counts[1] == (LISTS_QUERIES, LIST_QUERIES), counts


def test_the_contact_list_with_a_total_runs_a_fixed_number_of_queries(app, login_as, make_contact, make_org,
                                                                      count_queries, monkeypatch):
    c, _user = login_as("coordinator")
    partner, _p = login_as("partner")
    _new_list(app, "Pinned")
    monkeypatch.setattr("outreach.contacts.views.PAGE_SIZE", 2)
    counts = []
    for n in (1, 6):
        while _count_contacts(app) < n:
            make_contact("Pinned", f"Person{_count_contacts(app)}", tags="t", org=make_org())
        row = []
        for client in (c, partner):
            with count_queries() as counter:
                page = client.get("/directory/contacts")
            assert 'id="contact-total">' in page.text
            row.append(counter.count)
        counts.append(row)
    # coordinator: CONTACT_LIST_QUERIES; a partner has no bulk actions, so no campaign menu
    assert counts == [[CONTACT_LIST_QUERIES, CONTACT_LIST_QUERIES - 1]] * 2, counts


def _count_contacts(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Contact))


#: The contact list, one page or many: as in tests/contacts/test_review_fixes.py.
CONTACT_LIST_QUERIES = 8
#: The Lists page: user, the page of lists with owners, the member counts. A list page: user, list, members (with
#: posts, organisations and tags), the count.
LISTS_QUERIES = 4
LIST_QUERIES = 7
