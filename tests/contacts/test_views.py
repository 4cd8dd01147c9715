"""Directory pages through the web client: lists, filters, forms, posts, relationships, query counts."""
from __future__ import annotations

from sqlalchemy import func, select

from outreach.contacts.models import Contact, Organisation, Position, Relationship
from outreach.core.audit import AuditEvent
from outreach.core.db import db


def test_contact_list_filters_and_searches(app, login_as, make_org, make_contact):
    c, _user = login_as("coordinator")
    dpo = make_org("Department of Peace Operations", acronym="DPO")
    minusca = make_org("MINUSCA", parent_id=dpo.id)
    elsewhere = make_org("Sida")
    make_contact("Valentine", "Rugwabiza", org=minusca, title="SRSG", country="RW", stance="champion", tags="mandate")
    make_contact("Birgitta", "Holst", org=elsewhere, title="Head of Section", country="SE", stance="sceptical")
    page = c.get("/directory/contacts")
    assert page.status_code == 200 and "Rugwabiza" in page.text and "Holst" in page.text
    for query, shown, hidden in [
        ("country=RW", "Rugwabiza", "Holst"),
        ("stance=sceptical", "Holst", "Rugwabiza"),
        ("tag=Mandate", "Rugwabiza", "Holst"),
        (f"organisation={dpo.id}", "Rugwabiza", "Holst"),
        ("q=rugwabiza", "Rugwabiza", "Holst"),
        ("q=holts", "Holst", "Rugwabiza"),
    ]:
        response = c.get(f"/directory/contacts?{query}")
        assert response.status_code == 200, query
        assert shown in response.text and hidden not in response.text, query
    partial = c.get("/directory/contacts?q=rugwab", headers={"HX-Request": "true"})
    assert "Rugwabiza" in partial.text and "<html" not in partial.text
    assert c.get("/directory/contacts?cold_days=-3").status_code == 400
    assert c.get("/directory/contacts?country=XX").status_code == 400


def test_create_contact_then_move_post_and_see_former_people(app, login_as, make_org):
    c, _user = login_as("coordinator")
    old, new = make_org("Office of the SRSG, UNMISS"), make_org("UN Women")
    bad = c.post("/directory/contacts/new", data={"first_name": "Nicholas", "last_name": "", "emails": "nope"})
    assert bad.status_code == 422 and "Enter the last name." in bad.text
    bad = c.post("/directory/contacts/new", data={"first_name": "Nicholas", "last_name": "Haysom", "phones": "12"})
    assert bad.status_code == 422 and "is not a phone number" in bad.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 0  # nothing half-written
    created = c.post("/directory/contacts/new", data={"first_name": "Nicholas", "last_name": "Haysom",
                                                      "emails": "N.Haysom@un.example", "phones": "+211 912 345 678",
                                                      "stance": "supportive", "influence": "4", "country": "SS"})
    assert created.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(Contact).where(Contact.last_name == "Haysom"))
        assert person.phones[0].number == "+211912345678" and person.emails[0].email == "n.haysom@un.example"
    assert c.post(f"/directory/contacts/{person.id}/positions/new",
                  data={"organisation_id": old.id, "title": "SRSG", "start_date": "2021-01-01"}).status_code == 302
    moved = c.post(f"/directory/contacts/{person.id}/positions/new",
                   data={"organisation_id": new.id, "title": "Senior Adviser", "start_date": "2025-04-01", "move": "y"})
    assert moved.status_code == 302
    page = c.get(f"/directory/contacts/{person.id}")
    assert "Senior Adviser" in page.text and "SRSG" in page.text
    old_page = c.get(f"/directory/organisations/{old.id}")
    former = old_page.text.split("Former people", 1)[1]
    assert "Nicholas Haysom" in former
    assert "Nicholas Haysom" in c.get(f"/directory/organisations/{new.id}").text.split("Former people", 1)[0]
    refused = c.post(f"/directory/contacts/{person.id}/positions/new", data={"organisation_id": 999999, "title": "X"})
    assert refused.status_code == 422 and "Choose an organisation from the list." in refused.text


def test_organisation_pages_tree_and_breadcrumbs(app, login_as, make_org):
    c, _user = login_as("manager")
    un = make_org("United Nations", acronym="UN")
    dpo = make_org("Department of Peace Operations", acronym="DPO", parent_id=un.id)
    made = c.post("/directory/organisations/new", data={"name": "MINUSCA", "kind": "un_peace_operation",
                                                        "parent_id": dpo.id, "country": "CF", "region": "Africa",
                                                        "website": "https://minusca.example"})
    assert made.status_code == 302
    with app.app_context():
        minusca = db.session.scalar(select(Organisation).where(Organisation.name == "MINUSCA"))
    page = c.get(f"/directory/organisations/{minusca.id}")
    crumbs = page.text.split('class="breadcrumb"', 1)[1].split("</ol>", 1)[0]
    assert crumbs.index(">UN<") < crumbs.index(">DPO<") < crumbs.index("MINUSCA")
    tree = c.get("/directory/organisations?view=tree")
    assert "UN" in tree.text and f"/directory/organisations/{un.id}/children" in tree.text
    children = c.get(f"/directory/organisations/{un.id}/children")
    assert "DPO" in children.text
    bad = c.post("/directory/organisations/new", data={"name": "", "website": "javascript:alert(1)"})
    assert bad.status_code == 422 and "Start the address with https://" in bad.text
    cycle = c.post(f"/directory/organisations/{un.id}/edit", data={"name": "United Nations", "kind": "un_entity",
                                                                  "parent_id": minusca.id})
    assert cycle.status_code == 422 and "cannot sit under itself" in cycle.text


def test_archive_and_restore_from_the_ui(app, login_as, make_contact):
    c, _user = login_as("coordinator")
    person = make_contact("Archie", "Vedd")
    archived = c.post(f"/directory/contacts/{person.id}/archive", follow_redirects=True)
    assert "Archie Vedd is archived" in archived.text and "Restore" in archived.text
    assert "Vedd" not in c.get("/directory/contacts").text
    assert "Vedd" in c.get("/directory/contacts?archived=y").text
    assert c.post(f"/directory/contacts/{person.id}/restore").status_code == 302
    assert "Vedd" in c.get("/directory/contacts").text


def test_partner_records_whom_they_know_but_cannot_edit(app, login_as, make_contact):
    c, partner = login_as("partner", name="Margaret Kiplagat")
    person = make_contact("Bintou", "Keita")
    assert c.get(f"/directory/contacts/{person.id}/edit").status_code == 403
    assert c.post(f"/directory/contacts/{person.id}/archive").status_code == 403
    saved = c.post(f"/directory/contacts/{person.id}/relationship",
                   data={"kind": "former_colleague", "strength": "4", "since": "2012-05-01", "note": "Bamako days"})
    assert saved.status_code == 302
    assert "Margaret Kiplagat" in c.get(f"/directory/contacts/{person.id}").text
    assert "Bintou Keita" in c.get("/directory/people-i-know").text
    assert "Bintou Keita" in c.get("/").text  # the Today panel
    assert (
        c.post(f"/directory/contacts/{person.id}/relationship", data={"kind": "x", "strength": "9"}).status_code == 422
    )
    assert c.post(f"/directory/contacts/{person.id}/relationship/remove").status_code == 302
    with app.app_context():
        rel = db.session.scalar(select(Relationship).where(Relationship.user_id == partner.id))
        assert rel.is_archived
    assert "Bintou Keita" not in c.get("/directory/people-i-know").text


def _fill(app, make_org, make_contact, n):
    org = make_org()
    child = make_org(parent_id=org.id)
    for i in range(n):
        make_contact("Person", f"Number{i:03d}", org=child if i % 2 else org, tags="budget, mandate",
                     emails=f"p{i}@example.org\np{i}b@example.org", phones="+33612345678", languages="fr, en")
    return org


def _count(count_queries, client, url):
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def test_list_and_detail_pages_run_a_fixed_number_of_queries(app, login_as, make_org, make_contact, count_queries):
    c, partner = login_as("partner")
    small = _fill(app, make_org, make_contact, 3)
    urls = [
        "/directory/contacts",
        "/directory/contacts?sort=updated",
        f"/directory/contacts?organisation={small.id}",
        "/directory/organisations",
        "/directory/organisations?sort=updated&kind=other",
        "/directory/organisations?view=tree",
        f"/directory/organisations/{small.id}",
        "/directory/public",
        "/directory/people-i-know",
        "/",
    ]
    with app.app_context():
        first = db.session.scalar(select(Contact.id).order_by(Contact.id))
        for cid in db.session.scalars(select(Contact.id)):
            db.session.add(Relationship(user_id=partner.id, contact_id=cid, kind="met_once", strength=2,
                                        created_at=db.session.get(Contact, cid).created_at,
                                        updated_at=db.session.get(Contact, cid).created_at))
        db.session.commit()
    before = {u: _count(count_queries, c, u) for u in urls + [f"/directory/contacts/{first}"]}
    # Search adds the typo-tolerant pass only when few rows contain the words: bounded, not per row.
    searches = [_count(count_queries, c, "/directory/contacts?q=number")]
    big = _fill(app, make_org, make_contact, 60)
    with app.app_context():
        for cid in db.session.scalars(select(Contact.id).where(Contact.id > first + 2)):
            db.session.add(Relationship(user_id=partner.id, contact_id=cid, kind="met_once", strength=2,
                                        created_at=db.session.get(Contact, cid).created_at,
                                        updated_at=db.session.get(Contact, cid).created_at))
        db.session.add(Position(contact_id=first, organisation_id=big.id, title="Also here",
                                created_at=db.session.get(Contact, first).created_at))
        db.session.commit()
    after = {u.replace(str(small.id), str(big.id)): _count(count_queries, c, u.replace(str(small.id), str(big.id)))
             for u in urls + [f"/directory/contacts/{first}"]}
    assert list(before.values()) == list(after.values()), (before, after)
    searches.append(_count(count_queries, c, "/directory/contacts?q=number"))
    assert max(searches) <= 14, searches
    assert max(after.values()) <= 16, after  # the contact page includes the meetings timeline panel


def test_coordinators_see_whom_a_partner_knows_and_download_a_vcard(app, login_as, make_user, make_contact):
    from outreach.contacts import services
    from outreach.core.time import now_utc

    partner = make_user("partner", name="Kwame Mensah-Bonsu")
    person = make_contact("Leymah", "Gbowee", emails="lg@example.org", phones="+231 77 012 3456")
    with app.app_context():
        services.set_relationship(db.session.get(Contact, person.id), partner, {"kind": "met_once", "strength": 3},
                                  actor=partner, now=now_utc())
        db.session.commit()
    c, _user = login_as("coordinator")
    page = c.get(f"/directory/partners/{partner.id}")
    assert page.status_code == 200 and "Whom Kwame Mensah-Bonsu knows" in page.text and "Leymah Gbowee" in page.text
    card = c.post(f"/directory/contacts/{person.id}/vcard")
    assert card.status_code == 200 and card.mimetype == "text/vcard"
    text = card.get_data(as_text=True)
    assert (
        "FN:Leymah Gbowee" in text and "EMAIL;TYPE=work;PREF=1:lg@example.org" in text and "tel:+231770123456" in text
    )
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "contact.export_vcard"))
    other, _p = login_as("partner")
    assert other.get(f"/directory/partners/{partner.id}").status_code == 403
