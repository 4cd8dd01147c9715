"""Directory rules through the services: validation, posts and moves, the tree, relationships."""
from __future__ import annotations

from datetime import date, datetime, UTC

import pytest
from sqlalchemy import select

from outreach.contacts import services
from outreach.contacts import queries as contact_queries
from outreach.contacts.models import Contact, Organisation, Relationship, Tag
from outreach.core.audit import AuditEvent
from outreach.core.auth.services import ServiceError

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _org(name, **kw):
    return services.create_organisation({"name": name, **kw}, actor=None, now=NOW)


def test_contact_details_are_validated_and_normalised(ctx):
    contact = services.create_contact({
        "first_name": "Hélène", "last_name": "Marchand", "country": "FR",
        "emails": "Helene.Marchand@Example.ORG\nhm@example.org\nhelene.marchand@example.org",
        "phones": "+33 6 12 34 56 78\n06 12 34 56 79", "languages": "fr, EN", "tags": "1325 NAP, budget, Budget",
    }, actor=None, now=NOW)
    assert [e.email for e in contact.emails] == ["helene.marchand@example.org", "hm@example.org"]
    assert contact.emails[0].is_primary and not contact.emails[1].is_primary
    assert [p.number for p in contact.phones] == ["+33612345678", "+33612345679"]  # national form uses the country
    assert sorted(lang.code for lang in contact.languages) == ["en", "fr"]
    assert sorted(t.name for t in contact.tags) == ["1325 NAP", "budget"]
    assert "helene marchand" in contact.search_text
    assert ctx.scalar(select(AuditEvent.action).where(AuditEvent.record_id == str(contact.id))) == "contact.create"


# Klingon is ISO 639-3 (tlh), and names are accepted since the review: a made-up language must still fail.
@pytest.mark.parametrize("field,value", [("emails", "not-an-address"), ("phones", "12345"), ("phones", "+999 1"),
                                         ("languages", "dothraki")])
def test_bad_contact_details_are_refused(ctx, field, value):
    with pytest.raises(ServiceError) as exc:
        services.create_contact({"first_name": "A", "last_name": "B", field: value}, actor=None, now=NOW)
    assert exc.value.field == field


def test_tags_are_shared_case_and_accent_insensitively(ctx):
    services.create_contact({"first_name": "A", "last_name": "B", "tags": "Sécurité"}, actor=None, now=NOW)
    services.create_contact({"first_name": "C", "last_name": "D", "tags": "securite"}, actor=None, now=NOW)
    ctx.flush()
    assert ctx.scalars(select(Tag.name).where(Tag.slug == "securite")).all() == ["Sécurité"]


def test_moving_to_a_new_post_ends_the_current_one_in_one_step(ctx):
    old, new = _org("Office of the SRSG"), _org("UN Women")
    person = services.create_contact({"first_name": "Amina", "last_name": "Diallo"}, actor=None, now=NOW)
    first = services.add_position(person, organisation=old, title="Chief of Staff", start_date=date(2022, 1, 1),
                                  actor=None, now=NOW)
    services.add_position(person, organisation=new, title="Director", start_date=date(2026, 3, 1), move=True,
                          actor=None, now=NOW)
    assert first.end_date == date(2026, 3, 1)
    current = [p for p in person.positions if p.end_date is None]
    assert [(p.organisation.name, p.title) for p in current] == [("UN Women", "Director")]
    assert ctx.scalar(select(AuditEvent.details).where(AuditEvent.action == "contact.move")).count(str(first.id))
    with pytest.raises(ServiceError):
        services.add_position(person, organisation=old, title="Back", start_date=date(2025, 1, 1), move=True,
                              actor=None, now=NOW)


def test_subtree_and_ancestors_follow_the_tree(ctx):
    un = _org("United Nations", acronym="UN")
    dpo = _org("Department of Peace Operations", acronym="DPO", parent_id=un.id)
    minusca = _org("MINUSCA", parent_id=dpo.id)
    srsg = _org("Office of the SRSG", parent_id=minusca.id)
    other = _org("African Union")
    assert set(ctx.scalars(contact_queries.organisation_subtree_ids(dpo.id))) == {dpo.id, minusca.id, srsg.id}
    assert other.id not in set(ctx.scalars(contact_queries.organisation_subtree_ids(un.id)))
    assert [o.acronym or o.name for o in services.organisation_ancestors(srsg)] == ["UN", "DPO", "MINUSCA"]
    with pytest.raises(ServiceError) as exc:  # no cycles
        services.update_organisation(dpo, {"parent_id": srsg.id}, actor=None, now=NOW)
    assert exc.value.field == "parent_id"


def test_relationship_is_one_per_partner_and_contact(ctx, make_user):
    partner = make_user("partner")
    person = services.create_contact({"first_name": "Kofi", "last_name": "Mensah"}, actor=None, now=NOW)
    services.set_relationship(person, partner, {"kind": "met_once", "strength": 2}, actor=partner, now=NOW)
    rel = services.set_relationship(person, partner, {"kind": "knows_personally", "strength": 5,
                                                      "since": date(2015, 1, 1)}, actor=partner, now=NOW)
    rows = ctx.scalars(select(Relationship).where(Relationship.contact_id == person.id)).all()
    assert rows == [rel] and rel.strength == 5 and rel.kind == "knows_personally"
    services.remove_relationship(rel, actor=partner, now=NOW)
    assert rel.is_archived


def test_archive_and_restore_keep_the_record(ctx):
    org = _org("Ministry of Gender")
    services.set_organisation_archived(org, True, actor=None, now=NOW)
    assert org.is_archived and org.archived_at == NOW
    services.set_organisation_archived(org, False, actor=None, now=NOW)
    assert not org.is_archived and ctx.get(Organisation, org.id) is org
    actions = ctx.scalars(select(AuditEvent.action).where(AuditEvent.record_type == "organisations",
                                                          AuditEvent.record_id == str(org.id))).all()
    assert actions == ["organisation.create", "organisation.archive", "organisation.restore"]


def test_list_filters_use_the_subtree_and_last_touch(ctx):
    dpo = _org("DPO")
    minusca = _org("MINUSCA", parent_id=dpo.id)
    inside = services.create_contact({"first_name": "In", "last_name": "Side", "country": "CF"}, actor=None, now=NOW)
    services.add_position(inside, organisation=minusca, title="SRSG", start_date=None, actor=None, now=NOW)
    outside = services.create_contact({"first_name": "Out", "last_name": "Side"}, actor=None, now=NOW)
    inside.last_touch_at = datetime(2026, 11, 1, tzinfo=UTC)
    ctx.flush()
    ids = lambda f: set(ctx.scalars(contact_queries.contact_list_statement(f, now=NOW).with_only_columns(Contact.id)))  # noqa: E731
    assert inside.id in ids({"organisation": dpo.id}) and outside.id not in ids({"organisation": dpo.id})
    assert ids({"country": "CF"}) & {inside.id, outside.id} == {inside.id}
    # Touched 27 days ago: "not contacted in 10 days" lists them, "in 30 days" does not; never touched is always cold.
    assert {inside.id, outside.id} <= ids({"cold_days": 10})
    assert outside.id in ids({"cold_days": 30}) and inside.id not in ids({"cold_days": 30})
