"""Which pages the benchmark measures, with the records they show chosen from the data set.

Each feature adds its pages here as it lands. A page whose route does not exist in this
version of Outreach is left out (and listed as such in the results).
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench.common import Page
from datetime import UTC

PageSource = Callable[[Any], list[Page]]


def _scalar(conn: Any, sql: str, **params: Any) -> Any:
    try:
        return conn.execute(text(sql), params).scalar()
    except Exception:  # the table may not exist in this version
        conn.rollback()
        return None


def foundation_pages(conn: Any) -> list[Page]:
    pages = [Page(f"today ({role})", role, "/") for role in ("admin", "manager", "coordinator", "partner", "activist")]
    pages += [
        Page("users list", "admin", "/admin/users"),
        Page("audit log", "manager", "/audit/"),
        Page("audit log filtered", "manager", "/audit/?action=auth."),
        Page("account", "partner", "/account/"),
    ]
    return pages


def _typo(word: str) -> str:
    """Swap two inner letters: "Diallo" -> "Dialol"."""
    if len(word) < 4:
        return word + "e"
    i = len(word) // 2
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1:]


def _misspelt(word: str) -> str:
    """Change one inner letter: "Diallo" -> "Diaklo" (a typo no swapped-back spelling finds)."""
    if len(word) < 4:
        return word + "e"
    i = len(word) // 2
    return word[:i] + ("k" if word[i].lower() != "k" else "m") + word[i + 1:]


def directory_pages(conn: Any) -> list[Page]:
    contact = _scalar(conn, """SELECT c.id FROM contacts c JOIN positions p ON p.contact_id = c.id
                               WHERE c.is_archived = :f GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1""", f=False)
    if contact is None:
        return []
    busiest = _scalar(conn, """SELECT a.contact_id FROM meeting_attendees a WHERE a.contact_id IS NOT NULL
                               GROUP BY a.contact_id ORDER BY count(*) DESC LIMIT 1""") or contact
    root = _scalar(conn, """SELECT o.parent_id FROM organisations o WHERE o.parent_id IS NOT NULL
                            GROUP BY o.parent_id ORDER BY count(*) DESC LIMIT 1""")
    country = _scalar(conn, "SELECT country FROM contacts WHERE country IS NOT NULL GROUP BY country "
                            "ORDER BY count(*) DESC LIMIT 1") or "US"
    last = _scalar(conn, "SELECT last_name FROM contacts WHERE id = :id", id=busiest) or "Diallo"
    first = _scalar(conn, "SELECT first_name FROM contacts WHERE id = :id", id=busiest) or "Amina"
    acronym = _scalar(conn, "SELECT acronym FROM organisations WHERE acronym IS NOT NULL ORDER BY id LIMIT 1") or "UN"
    email = _scalar(conn, "SELECT email FROM contact_emails ORDER BY id LIMIT 1") or "a@example.org"
    pages = [
        Page("contact list", "coordinator", "/directory/contacts"),
        Page("contact list filtered", "coordinator", f"/directory/contacts?country={country}&stance=supportive"),
        Page("contact list deep page", "coordinator", "/directory/contacts?page=200"),
        Page("contact detail (busiest)", "coordinator", f"/directory/contacts/{busiest}"),
        Page("public directory", "activist", "/directory/public"),
        Page("people I know", "partner", "/directory/people-i-know"),
        Page("organisation list", "coordinator", "/directory/organisations"),
        Page("search: last name", "coordinator", f"/directory/search?q={last}", kind="search"),
        Page("search: full name", "coordinator", f"/directory/search?q={first}+{last}", kind="search"),
        Page("search: typo", "coordinator", f"/directory/search?q={_typo(last)}", kind="search"),
        Page("search: a wrong letter", "coordinator", f"/directory/search?q={_misspelt(last)}", kind="search"),
        Page("search: acronym", "coordinator", f"/directory/search?q={acronym}", kind="search"),
        Page("search: e-mail", "coordinator", f"/directory/search?q={email.split('@')[0]}", kind="search"),
    ]
    largest_list = _scalar(conn, "SELECT list_id FROM contact_list_members GROUP BY list_id ORDER BY count(*) DESC, "
                                 "list_id LIMIT 1")
    pages.append(Page("contact lists", "coordinator", "/directory/lists"))
    if largest_list is not None:
        pages.append(Page("contact list page (largest)", "coordinator", f"/directory/lists/{largest_list}"))
        pages.append(Page("contacts on a list", "coordinator", f"/directory/contacts?list_id={largest_list}"))
    if root is not None:
        pages.append(Page("organisation with subtree", "coordinator", f"/directory/organisations/{root}"))
        pages.append(Page("contacts in a subtree", "coordinator", f"/directory/contacts?organisation={root}"))
    return pages


def meeting_pages(conn: Any) -> list[Page]:
    meeting = _scalar(conn, "SELECT meeting_id FROM meeting_attendees GROUP BY meeting_id ORDER BY count(*) DESC, "
                            "meeting_id LIMIT 1")
    if meeting is None:
        return []
    root = _scalar(conn, """SELECT o.parent_id FROM organisations o WHERE o.parent_id IS NOT NULL
                            GROUP BY o.parent_id ORDER BY count(*) DESC LIMIT 1""")
    commitment = _scalar(conn, "SELECT commitment_id FROM commitment_changes GROUP BY commitment_id "
                               "ORDER BY count(*) DESC LIMIT 1") or _scalar(conn, "SELECT min(id) FROM commitments")
    last = _scalar(conn, "SELECT last_name FROM contacts ORDER BY id LIMIT 1") or "Diallo"
    pages = [
        Page("meetings list", "coordinator", "/meetings"),
        Page("meetings list (partner)", "partner", "/meetings"),
        Page("meetings list (activist)", "activist", "/meetings"),
        Page("meeting detail (most attendees)", "coordinator", f"/meetings/{meeting}"),
        Page("meeting edit form", "coordinator", f"/meetings/{meeting}/edit"),
        Page("new meeting form", "coordinator", "/meetings/new"),
        Page("attendee typeahead", "coordinator", f"/meetings/attendees?q={last[:4]}", kind="search"),
        Page("commitments register", "coordinator", "/commitments"),
        Page("commitments register overdue", "coordinator", "/commitments?status=overdue"),
        Page("scorecards", "manager", "/commitments/scorecards"),
        Page("scorecards (partner)", "partner", "/commitments/scorecards"),
        Page("my follow-ups (partner)", "partner", "/follow-ups"),
        Page("my follow-ups (coordinator)", "coordinator", "/follow-ups"),
        Page("inbox (partner)", "partner", "/inbox"),
    ]
    if commitment:
        pages.append(Page("commitment detail", "coordinator", f"/commitments/{commitment}"))
    if root is not None:
        pages.append(Page("meetings in an organisation subtree", "coordinator", f"/meetings?organisation={root}"))
    partner = _scalar(conn, "SELECT accountable_id FROM commitments WHERE accountable_id IS NOT NULL "
                            "GROUP BY accountable_id ORDER BY count(*) DESC LIMIT 1")
    if root is not None and partner is not None:
        # every filter at once: the organisation with its offices, the busiest partner, a category, a due range
        pages.append(Page("commitments register filtered", "coordinator",
                          f"/commitments?organisation={root}&offices=y&accountable={partner}&category=funding"
                          "&due_from=2020-01-01&due_to=2030-12-31&status=open"))
        pages.append(Page("commitments register due this year", "coordinator",
                          "/commitments?due_from=2026-01-01&due_to=2026-12-31"))
    return pages


def campaign_pages(conn: Any) -> list[Page]:
    big = _scalar(conn, "SELECT campaign_id FROM campaign_targets GROUP BY campaign_id ORDER BY count(*) DESC, "
                        "campaign_id LIMIT 1")
    if big is None:
        return []
    target = _scalar(conn, "SELECT target_id FROM campaign_stage_changes WHERE campaign_id = :c GROUP BY target_id "
                           "ORDER BY count(*) DESC, target_id LIMIT 1", c=big)
    objective = _scalar(conn, "SELECT min(id) FROM campaign_objectives WHERE campaign_id = :c AND source = :s",
                        c=big, s="targets_committed")
    country = _scalar(conn, "SELECT country FROM contacts WHERE country IS NOT NULL GROUP BY country "
                            "ORDER BY count(*) DESC LIMIT 1") or "US"
    pages = [
        Page("campaigns list", "manager", "/campaigns"),
        Page("campaigns list (partner)", "partner", "/campaigns"),
        Page("campaign overview (the largest)", "manager", f"/campaigns/{big}"),
        Page("campaign board", "coordinator", f"/campaigns/{big}/board"),
        Page("campaign board (partner)", "partner", f"/campaigns/{big}/board"),
        Page("campaign targets table", "coordinator", f"/campaigns/{big}/targets"),
        Page("campaign targets at a stage, by name", "coordinator", f"/campaigns/{big}/targets?stage=met&sort=name"),
        Page("campaign targets, page 20", "coordinator", f"/campaigns/{big}/targets?page=20"),
        Page("my targets (partner, 300)", "partner", "/my-targets"),
        Page("campaign report", "manager", f"/campaigns/{big}/report"),
        Page("campaigns dashboard", "manager", "/campaigns/dashboard"),
        Page("add targets from the directory", "coordinator", f"/campaigns/{big}/targets/add?country={country}"),
    ]
    if target:
        pages.append(Page("campaign target", "coordinator", f"/campaigns/targets/{target}"))
    if objective:
        pages.append(Page("campaign objective (derived)", "manager", f"/campaigns/objectives/{objective}"))
    return pages


#: A calendar feed the benchmark subscribes to: its token is fixed so that the page list can name its URL.
BENCH_FEED_TOKEN = "ocal_benchmark-feed-token-not-secret-0001"


def _bench_feed(conn: Any, name: str, token: str, owner_sql: str, scope: str, organisation_id: Any = None) -> bool:
    """Give the data set a feed with *token* (once): the owner and scope as a user would choose them."""
    import hashlib
    from datetime import datetime

    digest = hashlib.sha256(token.encode()).hexdigest()
    if _scalar(conn, "SELECT id FROM calendar_feeds WHERE token_hash = :h", h=digest) is not None:
        return True
    owner = _scalar(conn, owner_sql)
    if owner is None:
        return False
    now = datetime.now(UTC)
    conn.execute(text("""INSERT INTO calendar_feeds (user_id, name, scope, organisation_id, includes, follow_ups_as,
                         privacy, token_hash, token_hint, created_at, updated_at)
                         VALUES (:u, :n, :s, :o, 'meetings,follow_ups,commitments', 'todo', 'full', :h, 'ocal_…bench',
                                 :now, :now)"""),
                 {"u": owner, "n": name, "s": scope, "o": organisation_id, "h": digest, "now": now})
    conn.commit()
    return True


def calendar_pages(conn: Any) -> list[Page]:
    if _scalar(conn, "SELECT count(*) FROM calendar_feeds") is None:  # calendars not in this version
        return []
    meeting = _scalar(conn, "SELECT meeting_id FROM meeting_attendees GROUP BY meeting_id ORDER BY count(*) DESC, "
                            "meeting_id LIMIT 1")
    root = _scalar(conn, """SELECT o.parent_id FROM organisations o WHERE o.parent_id IS NOT NULL
                            GROUP BY o.parent_id ORDER BY count(*) DESC LIMIT 1""")
    pages = [Page("calendars page", "partner", "/calendars")]
    partner_feed = BENCH_FEED_TOKEN.replace("0001", "0002")
    if _bench_feed(conn, "Bench: a partner's own", partner_feed,
                   "SELECT u.id FROM users u JOIN meetings m ON m.organiser_id = u.id WHERE u.role = 'partner' "
                   "GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1", "mine"):
        pages.append(Page("calendar feed (partner's own)", None, f"/calendars/feed/{partner_feed}.ics", kind="feed"))
    if root is not None and _bench_feed(conn, "Bench: an organisation subtree", BENCH_FEED_TOKEN,
                                        "SELECT id FROM users WHERE role = 'coordinator' ORDER BY id LIMIT 1",
                                        "subtree", root):
        path = f"/calendars/feed/{BENCH_FEED_TOKEN}.ics"
        pages.append(Page("calendar feed (organisation subtree)", None, path, kind="feed"))
        pages.append(Page("calendar feed unchanged (304)", None, path, kind="feed", headers={"If-None-Match": "*"},
                          expect=304))
    # An export (up to 5,000 events), held to the feed's rate rather than to a page's time (bench/common.py).
    pages.append(Page("calendar download: meetings list", "coordinator", "/calendars/meetings.ics", kind="export"))
    if meeting is not None:
        pages.append(Page("calendar download: one meeting", "coordinator", f"/meetings/{meeting}/calendar.ics",
                          kind="feed"))
    if root is not None:
        pages.append(Page("calendar download: organisation subtree", "coordinator",
                          f"/calendars/organisations/{root}.ics", kind="feed"))
    return pages



def monitoring_pages(conn: Any) -> list[Page]:
    busiest = _scalar(conn, "SELECT instrument_id FROM instrument_links GROUP BY instrument_id "
                            "ORDER BY count(*) DESC, instrument_id LIMIT 1")
    criterion = _scalar(conn, "SELECT id FROM monitoring_criteria WHERE key = 'participation'")
    if busiest is None:
        return []
    # Page 20 at the large size; the last full page where there are fewer (a page that exists at both sizes, so
    # that their ratio compares full pages).
    active = _scalar(conn, "SELECT count(*) FROM instruments WHERE is_archived = :f", f=False) or 0
    deep = max(1, min(20, active // 50))
    pages = [
        Page("watchlist", "coordinator", "/monitoring"),
        Page("watchlist (partner)", "partner", "/monitoring"),
        Page("watchlist deep page", "coordinator", f"/monitoring?page={deep}"),
        Page("instrument detail (most linked work)", "coordinator", f"/monitoring/instruments/{busiest}"),
    ]
    if criterion:
        pages.append(Page("watchlist: weak participation, decision within 90 days", "coordinator",
                          f"/monitoring?criterion={criterion}&at_most=1&within=90"))
    return pages


def introduction_pages(conn: Any) -> list[Page]:
    """Triage, the ranking on the request whose target has met most, and the activist's own pages."""
    ranked = _scalar(conn, """SELECT r.id FROM introduction_requests r
                              JOIN (SELECT contact_id, count(*) AS n FROM meeting_attendees WHERE contact_id IS NOT NULL
                                    GROUP BY contact_id) a ON a.contact_id = r.contact_id
                              WHERE r.state IN ('triaged', 'submitted', 'declined') ORDER BY a.n DESC, r.id LIMIT 1""")
    if ranked is None:
        ranked = _scalar(conn, "SELECT id FROM introduction_requests WHERE state = 'triaged' ORDER BY id LIMIT 1")
    if ranked is None:
        return []
    # the benchmark's activist is the busiest one by attendance (bench/run.py), and she owns a profile
    own = _scalar(conn, """SELECT r.id FROM introduction_requests r JOIN activist_profiles p ON p.id = r.profile_id
                           WHERE p.user_id = (SELECT u.id FROM users u JOIN meeting_attendees a ON a.user_id = u.id
                                              WHERE u.role = 'activist' GROUP BY u.id ORDER BY count(*) DESC, u.id
                                              LIMIT 1)
                           ORDER BY r.id DESC LIMIT 1""")
    pages = [
        Page("introductions triage queue", "coordinator", "/introductions/"),
        Page("introductions: all open", "coordinator", "/introductions/?queue=open"),
        Page("introduction with ranked partners", "coordinator", f"/introductions/{ranked}"),
        Page("introductions (activist)", "activist", "/introductions/"),
        Page("introductions (partner)", "partner", "/introductions/"),
        Page("introductions dashboard", "manager", "/introductions/dashboard"),
        Page("activist profiles", "coordinator", "/introductions/activists"),
    ]
    if own is not None:
        pages.append(Page("introduction detail (activist)", "activist", f"/introductions/{own}"))
    return pages


def hub_pages(conn: Any) -> list[Page]:
    """The practice hub: the public pages as an anonymous reader, and the staff's list and reach dashboard."""
    resource = _scalar(conn, "SELECT max(id) FROM resources WHERE status = 'published'")
    if resource is None:
        return []
    slug = _scalar(conn, "SELECT c.slug FROM resource_collections c JOIN resource_collection_items i "
                         "ON i.collection_id = c.id GROUP BY c.slug ORDER BY count(*) DESC, c.slug LIMIT 1")
    topic = _scalar(conn, "SELECT t.slug FROM resource_topics t ORDER BY t.id LIMIT 1") or "mediation"
    pages = [
        Page("public hub", None, "/hub"),
        Page("public hub deep page", None, f"/hub?after={max(int(resource) - 2000, 1)}"),
        Page("public hub filtered (topic, language)", None, f"/hub?topic={topic}&language=fr"),
        Page("public hub filtered (country)", None, "/hub?country=ML"),
        Page("public hub search", None, "/hub?q=mediation", kind="search"),
        Page("public hub search: accents and a typo", None, "/hub?q=m%C3%A9diatoin", kind="search"),
        Page("public hub search: a wrong letter", None, "/hub?q=mediatian", kind="search"),
        Page("public resource page", None, f"/hub/r/{resource}"),
        Page("resources list", "coordinator", "/resources"),
        Page("resources review queue", "manager", "/resources?status=in_review"),
        Page("hub reach dashboard", "manager", "/resources/reach"),
    ]
    if slug:
        pages.append(Page("public collection page", None, f"/c/{slug}"))
    return pages


SOURCES: list[PageSource] = [foundation_pages, directory_pages, meeting_pages, campaign_pages, introduction_pages,
                             calendar_pages, monitoring_pages, hub_pages]


def catalog(engine: Engine, url_exists: Callable[[str], bool]) -> tuple[list[Page], list[str]]:
    pages: list[Page] = []
    with engine.connect() as conn:
        for source in SOURCES:
            pages.extend(source(conn))
    kept = [p for p in pages if url_exists(p.path)]
    missing = [p.name for p in pages if p not in kept]
    return kept, missing

