"""Two people edit the same meeting, contact, commitment or campaign target, in randomised interleavings,
through a real server with two worker processes.

Each trial opens the record's page as both people and saves as both, in a random order (a save after its
own opening). When both pages were opened before either save, the first save wins and the second is
answered 409 with a clear message; most such trials send the two saves at the same moment from two
threads — a true race — and exactly one wins.
When one person opened the page after the other saved, both saves succeed (the second saw the first).
Nothing is lost: the stored value is always that of the last successful save, and it was made on the
version that was current.
"""
from __future__ import annotations

import random
import re
import threading
from collections import Counter
from typing import Any
from collections.abc import Callable

from outreach.core.time import now_utc
from tests.reliability.conftest import dialect_of
from tests.reliability.harness import (Client, app_env, create_users, dispose, meeting_form, prepared_app, processes,
                                       report, sized, start_server)

STATUSES = ["on_track", "kept", "partly_kept", "broken", "withdrawn", "open"]
KINDS = ("meeting", "contact", "commitment", "target")
#: What a save answers when it lands (the pages redirect: 302, or 303 after a POST that changed a target).
SAVED = (302, 303)


def _records(app: Any, actor: Any) -> dict[str, int]:
    from outreach.campaigns import services as campaigns
    from outreach.contacts.models import Contact
    from outreach.core.db import db
    from outreach.meetings import services

    now = now_utc()
    with app.app_context():
        contact = Contact(first_name="Amina", last_name="Race", created_at=now, updated_at=now)
        db.session.add(contact)
        db.session.flush()
        actor = db.session.merge(actor)
        meeting = services.log_meeting(
            services.MeetingData(title="Raced meeting", start_at=now, timezone="UTC", attendees=[f"c:{contact.id}"]),
            commitments=[services.CommitmentData(description="Raced promise", contact_id=contact.id)],
            actor=actor, now=now)
        campaign = campaigns.create_campaign(campaigns.CampaignData(
            name="Raced campaign", goal="Women in the mediation team", start_date=now.date(),
            end_date=now.date().replace(year=now.year + 1), status="active", tags=[]), actor=actor, now=now)
        target = campaigns.add_targets(campaign, contact_ids=[contact.id], organisation_ids=[], partner_ids=[],
                                       priority=2, actor=actor, now=now).added[0]
        db.session.commit()
        return {"meeting": meeting.id, "contact": contact.id, "commitment": meeting.commitments[0].id,
                "target": target.id}


def _field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    assert found, f"no {name} in the page"
    return found.group(1)


class Editor:
    """One person's open page and the save it will make."""

    def __init__(self, client: Client, kind: str, record_id: int, label: str, rng: random.Random) -> None:
        self.client, self.kind, self.record_id, self.label, self.rng = client, kind, record_id, label, rng
        self.token = self.value = None
        self.status = 0
        self.stages: list[str] = []  #: a target's page offers the stages other than its current one

    def open(self) -> None:
        if self.kind == "target":
            page = self.client.get(f"/campaigns/targets/{self.record_id}").text
            self.token = _field(page, "loaded_at")
            select = page[page.index('<select class="form-select" id="stage"'):]
            self.stages = re.findall(r'<option value="([a-z]+)"', select[:select.index("</select>")])
        elif self.kind == "meeting":
            self.token = _field(self.client.get(f"/meetings/{self.record_id}/edit").text, "revision")
        elif self.kind == "contact":
            self.token = _field(self.client.get(f"/directory/contacts/{self.record_id}/edit").text, "loaded_at")
        else:
            self.token = _field(self.client.get(f"/commitments/{self.record_id}").text, "seen_status")

    def save(self) -> None:
        tag = f"{self.label}-{self.rng.randrange(10**9)}"
        if self.kind == "target" and self.rng.random() < 0.5:  # a stage move (a reason, so any move is allowed)
            self.value = ("stage", self.rng.choice(self.stages))
            response = self.client.post(f"/campaigns/targets/{self.record_id}/stage",
                                        {"loaded_at": self.token, "stage": self.value[1], "reason": tag})
        elif self.kind == "target":  # the next step with priority (partners travel in the same form)
            self.value = ("next_step", f"Next step {tag}")
            response = self.client.post(f"/campaigns/targets/{self.record_id}", {
                "loaded_at": self.token, "next_step": self.value[1], "next_step_due": "",
                "priority": str(self.rng.randint(1, 3))})
        elif self.kind == "meeting":
            self.value = f"Raced meeting {tag}"
            response = self.client.post(f"/meetings/{self.record_id}/edit",
                                        meeting_form(self.value, revision=self.token))
        elif self.kind == "contact":
            self.value = f"Notes {tag}"
            response = self.client.post(f"/directory/contacts/{self.record_id}/edit", {
                "loaded_at": self.token, "honorific": "", "first_name": "Amina", "last_name": "Race", "country": "",
                "emails": "", "phones": "", "languages": "", "tags": "", "stance": "neutral", "influence": "3",
                "cadence_days": "", "private_notes": self.value})
        else:
            self.value = self.rng.choice([s for s in STATUSES if s != self.token])
            response = self.client.post(f"/commitments/{self.record_id}/status",
                                        {"seen_status": self.token, "status": self.value, "note": tag,
                                         "evidence": ""})
        self.status = 302 if response.status in SAVED else response.status
        if response.status == 409:
            assert "since you opened" in response.text, response.text[:500]


def _stored(app: Any, kind: str, record_id: int, value: Any) -> Any:
    """The stored value of what *value* set (a target's stage or next step: the field is named with it)."""
    from outreach.campaigns.models import Target
    from outreach.contacts.models import Contact
    from outreach.core.db import db
    from outreach.meetings.models import Commitment, Meeting

    with app.app_context():
        if kind == "target":
            value = (value[0], getattr(db.session.get(Target, record_id), value[0]))
        elif kind == "meeting":
            value = db.session.get(Meeting, record_id).title
        elif kind == "contact":
            value = db.session.get(Contact, record_id).private_notes
        else:
            value = db.session.get(Commitment, record_id).status
        db.session.rollback()
    return value


def test_two_people_editing_the_same_record_never_lose_a_save(scratch_url, instance, tmp_path):
    app = prepared_app(scratch_url, instance)
    alice, bob = create_users(app, ["coordinator", "manager"])
    records = _records(app, alice)
    rng = random.Random(18)
    trials = sized(40, 500)
    outcomes: Counter[str] = Counter()
    try:
        with processes() as started:
            started.append(server := start_server(app_env(scratch_url, instance), tmp_path / "web.log", workers=2))
            clients = [Client(server.port), Client(server.port)]
            for client, user in zip(clients, (alice, bob), strict=False):
                client.login(user.email)
            for trial in range(trials):
                kind = KINDS[trial % len(KINDS)]
                editors = [Editor(c, kind, records[kind], label, rng) for c, label in zip(clients, "AB", strict=False)]
                # A random interleaving of open A, open B, save A, save B, each save after its own open.
                steps: list[tuple[str, Editor]] = []
                pending = [("open", e) for e in editors]
                while pending:
                    step = pending.pop(rng.randrange(len(pending)))
                    steps.append(step)
                    if step[0] == "open":
                        pending.append(("save", step[1]))
                both_opened_first = [s for s, _ in steps[:2]] == ["open", "open"]
                if both_opened_first and rng.random() < 0.6:  # a true race: both saves at the same moment
                    for _, editor in steps[:2]:
                        editor.open()
                    barrier = threading.Barrier(2)
                    threads = [threading.Thread(target=lambda e=e, b=barrier: (b.wait(30), e.save())) for e in editors]
                    for thread in threads:
                        thread.start()
                    for thread in threads:
                        thread.join(60)
                    statuses = sorted(e.status for e in editors)
                    assert statuses == [302, 409], (kind, statuses)
                    winner = next(e for e in editors if e.status == 302)
                    outcomes[f"{kind}: raced, one refused"] += 1
                else:
                    order: list[Callable[[], None]] = [getattr(e, s) for s, e in steps]
                    for action in order:
                        action()
                    saves = [e for s, e in steps if s == "save"]
                    first_save = steps.index(("save", saves[0]))
                    opened_after = steps.index(("open", saves[1])) > first_save
                    if opened_after:  # the second editor saw the first save: both count
                        assert [e.status for e in saves] == [302, 302], (kind, steps)
                        winner = saves[1]
                        outcomes[f"{kind}: in turn, both saved"] += 1
                    else:
                        assert [e.status for e in saves] == [302, 409], (kind, [e.status for e in saves])
                        winner = saves[0]
                        outcomes[f"{kind}: overlapping, second refused"] += 1
                assert _stored(app, kind, records[kind], winner.value) == winner.value, (kind, trial)
            log = server.log_text()
    finally:
        dispose(app)
    assert "Traceback" not in log, log[-3000:]
    report(f"concurrent_edits_{dialect_of(scratch_url)}", {"trials": trials, "lost_saves": 0,
                                                           "outcomes": dict(sorted(outcomes.items()))})
