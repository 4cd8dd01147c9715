"""The hub's pages run a fixed number of statements whatever the number of resources."""
from __future__ import annotations

import pytest


def _grow(make_resource, make_term, n, prefix):
    topic, audience = make_term("topic"), make_term("audience")
    return [make_resource(f"{prefix} mediation toolkit {i}", topic_ids=[topic.id], audience_ids=[audience.id],
                          languages=["en", "fr"], places=["ML", "Sahel"]) for i in range(n)]


@pytest.mark.parametrize("url", ["/hub", "/hub?q=mediation", "/hub?language=fr", "/hub?country=ML"])
def test_the_hub_list_runs_a_fixed_number_of_statements(app, connection, count_queries, make_resource, make_term,
                                                        url):
    client = app.test_client()
    _grow(make_resource, make_term, 2, "Few")
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _grow(make_resource, make_term, 22, "Many")
    with count_queries() as many:
        page = client.get(url)
    assert page.status_code == 200 and "Many mediation toolkit" in page.text
    assert many.count == few.count, many.statements
    assert many.count <= 12


def test_a_collection_and_a_resource_page_run_a_fixed_number_of_statements(app, connection, count_queries,
                                                                           make_resource, make_term,
                                                                           make_collection):
    client = app.test_client()
    small = make_collection(_grow(make_resource, make_term, 2, "Small"), slug="small-pack")
    large = make_collection(_grow(make_resource, make_term, 15, "Large"), slug="large-pack")
    with count_queries() as few:
        assert client.get(f"/c/{small.slug}").status_code == 200
    with count_queries() as many:
        assert client.get(f"/c/{large.slug}").status_code == 200
    assert many.count == few.count <= 10, many.statements
    one = _grow(make_resource, make_term, 1, "Single")[0]
    with count_queries() as detail:
        assert client.get(f"/hub/r/{one.id}").status_code == 200
    assert detail.count <= 10, detail.statements


def test_a_repeat_visit_with_the_etag_skips_the_page_queries(app, connection, count_queries, make_resource):
    make_resource("Cached")
    client = app.test_client()
    etag = client.get("/hub").headers["ETag"]
    with count_queries() as revisit:
        assert client.get("/hub", headers={"If-None-Match": etag}).status_code == 304
    assert revisit.count <= 2, revisit.statements
