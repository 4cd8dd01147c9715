"""The guards behind the concurrency proofs, quickly, through the web client and the services on both databases:
a save made on an outdated contact or commitment is refused (409) with the person's entries kept, and a
request that PostgreSQL aborts for a deadlock or serialization failure runs again a bounded number of times."""
from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import OperationalError

from outreach.core.db import TRANSIENT_ATTEMPTS, db, retry_transient
from tests.meetings.conftest import make_contact, make_meeting  # noqa: F401 - fixtures


def _hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)


def _contact_form(loaded_at: str, notes: str) -> dict[str, str]:
    return {"loaded_at": loaded_at, "first_name": "Amina", "last_name": "Guard", "stance": "neutral",
            "influence": "3", "private_notes": notes}


def test_a_contact_saved_on_an_outdated_copy_is_refused_with_the_entries_kept(app, login_as, make_contact):
    from outreach.contacts.models import Contact

    first, _ = login_as("coordinator")
    second, _ = login_as("manager")
    contact = make_contact("Amina", "Guard")
    token_a = _hidden(first.get(f"/directory/contacts/{contact.id}/edit").text, "loaded_at")
    token_b = _hidden(second.get(f"/directory/contacts/{contact.id}/edit").text, "loaded_at")
    assert token_a == token_b
    assert (
        second.post(f"/directory/contacts/{contact.id}/edit", data=_contact_form(token_b, "Theirs")).status_code == 302
    )
    refused = first.post(f"/directory/contacts/{contact.id}/edit", data=_contact_form(token_a, "Mine, typed long"))
    assert refused.status_code == 409
    assert "changed since you opened it" in refused.text and "Mine, typed long</textarea>" in refused.text
    fresh = _hidden(refused.text, "loaded_at")
    assert fresh != token_a  # saving again now is a deliberate choice, made on the current version
    with app.app_context():
        assert db.session.get(Contact, contact.id).private_notes == "Theirs"
    assert first.post(f"/directory/contacts/{contact.id}/edit", data=_contact_form(fresh, "Mine")).status_code == 302


def test_a_commitment_status_chosen_on_an_outdated_page_is_refused(app, login_as, make_contact, make_meeting):
    from outreach.meetings import services
    from outreach.meetings.models import Commitment
    from tests.meetings.conftest import NOW

    first, coordinator = login_as("coordinator")
    second, _ = login_as("manager")
    contact = make_contact()
    with app.app_context():
        meeting = services.log_meeting(services.MeetingData(title="Guarded", start_at=NOW, timezone="UTC",
                                                            attendees=[f"c:{contact.id}"]),
                                       commitments=[services.CommitmentData(description="A promise",
                                                                            contact_id=contact.id)],
                                       actor=db.session.merge(coordinator), now=NOW)
        db.session.commit()
        commitment_id = meeting.commitments[0].id
    seen = _hidden(first.get(f"/commitments/{commitment_id}").text, "seen_status")
    assert seen == "open"
    assert second.post(f"/commitments/{commitment_id}/status",
                       data={"seen_status": "open", "status": "kept"}).status_code == 302
    refused = first.post(f"/commitments/{commitment_id}/status", data={"seen_status": "open", "status": "broken"})
    assert refused.status_code == 409 and "since you opened this commitment" in refused.text
    assert _hidden(refused.text, "seen_status") == "kept"
    with app.app_context():
        item = db.session.get(Commitment, commitment_id)
        assert item.status == "kept" and [c.to_status for c in item.changes] == ["kept", "open"]  # no "broken"


class _Deadlock(Exception):
    sqlstate = "40P01"


class _Other(Exception):
    sqlstate = "23505"


def test_a_deadlocked_request_runs_again_a_bounded_number_of_times(ctx):
    calls = []

    def flaky(failures: int, orig: Exception):  # type: ignore[no-untyped-def]
        def view() -> str:
            calls.append(1)
            if len(calls) <= failures:
                raise OperationalError("UPDATE …", {}, orig)
            return "done"
        return retry_transient(view)

    assert flaky(TRANSIENT_ATTEMPTS - 1, _Deadlock())() == "done"
    assert len(calls) == TRANSIENT_ATTEMPTS
    calls.clear()
    with pytest.raises(OperationalError):
        flaky(99, _Deadlock())()
    assert len(calls) == TRANSIENT_ATTEMPTS  # bounded
    calls.clear()
    with pytest.raises(OperationalError):
        flaky(99, _Other())()
    assert len(calls) == 1  # anything else is not retried


def test_a_sqlite_writer_waits_out_a_lock_held_longer_than_one_busy_timeout(tmp_path):
    import sqlite3
    import threading
    import time

    from sqlalchemy import text

    from outreach.core.db import SQLITE_BEGIN_ATTEMPTS, make_engine

    path = tmp_path / "busy.db"
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=400)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.6, lambda: holder.execute("ROLLBACK"))  # longer than one wait, shorter than all
    release.start()
    began = time.monotonic()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    assert 0.5 < time.monotonic() - began < 0.4 * SQLITE_BEGIN_ATTEMPTS + 1
    release.join()
    holder.close()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    engine.dispose()
