"""The ranking on small worlds where the right answer is obvious: order and the words that explain it."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC

from outreach.introductions.matching import Candidate, Target, rank, score

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TARGET = Target(countries=frozenset({"CF"}), languages=frozenset({"fr"}))


def test_recent_meetings_beat_old_ones():
    recent = Candidate(1, "Recent", meetings=2, meetings_90d=2, meetings_365d=2, last_met_at=NOW - timedelta(days=21))
    old = Candidate(2, "Old", meetings=2, last_met_at=NOW - timedelta(days=900))
    ranked = rank([old, recent], TARGET, NOW)
    assert [r.candidate.name for r in ranked] == ["Recent", "Old"]
    assert ranked[0].reasons[0] == "met the target 2 times, last 3 weeks ago"
    assert ranked[1].reasons[0] == "met the target 2 times, last 2 years ago"


def test_contact_the_target_sought_weighs_more():
    sought = Candidate(1, "Sought", meetings=2, meetings_90d=2, meetings_365d=2, last_met_at=NOW - timedelta(days=21),
                       met_at_their_request=1)
    ours = Candidate(2, "Ours", meetings=2, meetings_90d=2, meetings_365d=2, last_met_at=NOW - timedelta(days=21))
    ranked = rank([ours, sought], TARGET, NOW)
    assert [r.candidate.name for r in ranked] == ["Sought", "Ours"]
    assert ranked[0].score > ranked[1].score
    assert ranked[0].reasons[0] == "met the target 2 times, last 3 weeks ago, once at the target's request"
    assert ranked[1].reasons[0] == "met the target 2 times, last 3 weeks ago"
    single = score(Candidate(3, "One", meetings=1, last_met_at=NOW, met_at_their_request=1), TARGET, NOW)
    assert single.reasons[0] == "met the target once, last today, at the target's request"
    # More meetings sought than held together cannot happen; a bad fact never counts beyond the meetings.
    assert score(Candidate(4, "Odd", meetings=1, last_met_at=NOW, met_at_their_request=9), TARGET, NOW).score == \
        single.score


def test_frequency_counts_and_is_capped():
    many = Candidate(1, "Many", meetings=40, meetings_90d=40, meetings_365d=40, last_met_at=NOW)
    few = Candidate(2, "Few", meetings=3, meetings_90d=3, meetings_365d=3, last_met_at=NOW)
    assert score(many, TARGET, NOW).score > score(few, TARGET, NOW).score
    assert score(many, TARGET, NOW).score <= 40.0


def test_the_example_from_the_brief_reads_as_words():
    c = Candidate(7, "Hélène", meetings=4, meetings_90d=2, meetings_365d=4, last_met_at=NOW - timedelta(days=21),
                  same_office=3, languages=frozenset({"fr", "en"}), open_introductions=1)
    ranked = score(c, TARGET, NOW)
    assert ranked.explanation == ("met the target 4 times, last 3 weeks ago; knows 3 people in the same office; "
                                  "speaks French; 1 open introduction")


def test_proximity_through_the_organisation_tree_and_former_posts():
    office = Candidate(1, "Office", same_office=2)
    former = Candidate(2, "Former", former_office=2)
    near = Candidate(3, "Near", near_office=2)
    stranger = Candidate(4, "Stranger")
    ranked = rank([stranger, near, former, office], TARGET, NOW)
    assert [r.candidate.name for r in ranked] == ["Office", "Former", "Near", "Stranger"]
    assert ranked[1].reasons == ["knows 2 people where the target used to work"]
    assert ranked[2].reasons == ["knows 2 people in the parent or sister offices"]
    assert ranked[3].reasons == ["no known link to the target"]


def test_self_rated_relationship_language_and_region():
    rated = Candidate(1, "Rated", strength=5)
    speaks = Candidate(2, "Speaks", languages=frozenset({"fr"}), countries=frozenset({"CF"}))
    ranked = rank([speaks, rated], TARGET, NOW)
    assert [r.candidate.name for r in ranked] == ["Rated", "Speaks"]
    assert ranked[0].reasons == ["rates her relationship with the target 5/5"]
    assert ranked[1].reasons == ["speaks French", "works in Central African Republic"]


def test_load_lowers_the_score_and_declined_ones_go_last():
    busy = Candidate(1, "Busy", strength=4, open_introductions=4)
    free = Candidate(2, "Free", strength=4)
    declined = Candidate(3, "Declined", strength=5, meetings=9, meetings_90d=9, meetings_365d=9, declined_before=True)
    ranked = rank([declined, busy, free], TARGET, NOW)
    assert [r.candidate.name for r in ranked] == ["Free", "Busy", "Declined"]
    assert ranked[1].reasons[-1] == "4 open introductions"
    assert ranked[2].reasons[-1] == "declined this request before"


def test_ties_are_broken_the_same_way_every_time():
    a, b, c = Candidate(3, "beta"), Candidate(1, "Alpha"), Candidate(2, "alpha")
    first = [r.candidate.user_id for r in rank([a, b, c], TARGET, NOW)]
    assert first == [r.candidate.user_id for r in rank([c, a, b], TARGET, NOW)] == [1, 2, 3]
