"""The public hub, as an anonymous reader: published resources only, search, filters, short links, caching,
rate limiting and the reach beacon."""
from __future__ import annotations

from sqlalchemy import select

from outreach.core.db import db
from outreach.resources.models import ReachCount


def test_the_hub_lists_published_resources_only(client, make_resource):
    make_resource("Published mediation toolkit")
    for status in ("draft", "in_review", "retired"):
        make_resource(f"Hidden {status} brief", status=status)
    page = client.get("/hub")
    assert page.status_code == 200
    assert "Published mediation toolkit" in page.text
    assert "Hidden" not in page.text


def test_search_forgives_accents_case_and_typos(client, make_resource):
    make_resource("Médiation communautaire au Sahel")
    make_resource("Budget tracking data set")
    for q in ("mediation", "MÉDIATION", "meditaion", "sahel"):
        page = client.get("/hub", query_string={"q": q})
        assert page.status_code == 200
        assert "Médiation communautaire au Sahel" in page.text, q
        assert "Budget tracking" not in page.text, q
    assert "Nothing matches" in client.get("/hub", query_string={"q": "zzqqxx"}).text


def test_filters_by_topic_audience_country_and_language(client, make_resource, make_term):
    topic, audience = make_term("topic", "Peacekeeping"), make_term("audience", "Mission planners")
    make_resource("Planner checklist", topic_ids=[topic.id], audience_ids=[audience.id], places=["CF"],
                  languages=["fr"])
    make_resource("Other study", places=["ML"], languages=["en"])
    for args in ({"topic": topic.slug}, {"audience": audience.slug}, {"country": "CF"}, {"language": "fr"}):
        page = client.get("/hub", query_string=args)
        assert "Planner checklist" in page.text and "Other study" not in page.text, args
    odd = client.get("/hub", query_string={"topic": "\x00" * 3, "country": "x" * 5000, "language": "١٢",
                                           "q": "a\x00b" + "y" * 10_000, "after": "99999999999999999999"})
    assert odd.status_code == 200


def test_a_resource_page_and_a_collection_at_its_short_link(client, make_resource, make_collection):
    first, second = make_resource("Women protection checklist"), make_resource("Adviser staffing data")
    hidden = make_resource("Draft in the pack", status="draft")
    pack = make_collection([second, first, hidden], title="Briefing pack for mission planners", slug="planners")
    page = client.get("/c/planners")
    assert page.status_code == 200 and "Briefing pack for mission planners" in page.text
    assert page.text.index("Adviser staffing data") < page.text.index("Women protection checklist")
    assert "Draft in the pack" not in page.text
    assert f'data-reach-id="{pack.id}"' in page.text
    one = client.get(f"/hub/r/{first.id}")
    assert one.status_code == 200 and "Women protection checklist" in one.text
    assert client.get(f"/hub/r/{hidden.id}").status_code == 404
    assert client.get("/c/nope").status_code == 404
    assert client.get("/c/..%2F..").status_code == 404
    assert client.get("/hub/r/99999999999999").status_code == 404


def test_public_pages_carry_an_etag_and_answer_304_until_something_changes(app, client, make_resource):
    resource = make_resource("Cached toolkit")
    first = client.get("/hub")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=300" and "Set-Cookie" not in first.headers
    assert "Cookie" in first.headers["Vary"]
    again = client.get("/hub", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    make_resource("A newer toolkit")
    changed = client.get("/hub", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "A newer toolkit" in changed.text
    detail = client.get(f"/hub/r/{resource.id}")
    assert client.get(f"/hub/r/{resource.id}", headers={"If-None-Match": detail.headers["ETag"]}).status_code == 304


def test_the_hub_is_rate_limited_per_address(app, connection, dialect):
    client = app.test_client()
    app.config["HUB_RATE_LIMIT"] = 5
    busy, quiet = ("203.0.113.9", "203.0.113.10") if dialect == "sqlite" else ("203.0.113.19", "203.0.113.20")
    try:
        answers = [client.get("/hub", environ_base={"REMOTE_ADDR": busy}) for _ in range(7)]
        codes = [a.status_code for a in answers]
        other = client.get("/hub", environ_base={"REMOTE_ADDR": quiet}).status_code
    finally:
        app.config["HUB_RATE_LIMIT"] = 0
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    assert answers[-1].headers["Retry-After"] == "60" and "Wait a minute" in answers[-1].text
    assert other == 200


def test_the_beacon_counts_opens_without_anything_about_the_reader(app, client, make_resource, make_collection):
    resource = make_resource()
    draft = make_resource(status="draft")
    pack = make_collection([resource])
    for subject, subject_id in (("resource", resource.id), ("resource", resource.id), ("collection", pack.id)):
        assert client.post("/hub/opened", data={"subject": subject, "id": str(subject_id)}).status_code == 204
    for bad in ({"subject": "resource", "id": str(draft.id)}, {"subject": "user", "id": "1"},
                {"subject": "resource", "id": "١"}, {"subject": "resource", "id": "9" * 30}, {}):
        assert client.post("/hub/opened", data=bad).status_code in (400, 404)
    with app.app_context():
        counts = {(r.subject, r.subject_id): r.opens for r in db.session.scalars(select(ReachCount))}
    assert counts == {("resource", resource.id): 2, ("collection", pack.id): 1}


def test_the_login_page_links_to_the_hub(client):
    assert 'href="/hub"' in client.get("/login").text
