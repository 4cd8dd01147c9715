"""Every audited action reads as words in the audit log, never as its code."""
from __future__ import annotations

import ast
from pathlib import Path

import outreach
from outreach.core.audit_text import has_action_label
from outreach.meetings.models import FollowUpStatus

PACKAGE = Path(outreach.__file__).parent
#: Actions whose name is built at run time, as they can be built.
BUILT = {f"follow_up.{s.value}" for s in FollowUpStatus if s is not FollowUpStatus.OPEN} | {
    f"{kind}.{verb}" for kind in ("contact", "organisation") for verb in ("import", "export")}


def recorded_actions() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and node.args
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record_event"):
                continue
            action = node.args[0]
            choices = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]  # "x" if y else "z"
            found |= {c.value for c in choices if isinstance(c, ast.Constant)}
    return found


def test_every_audited_action_has_a_label(app):
    actions = recorded_actions() | BUILT
    assert {"meeting.log", "contact.merge", "auth.login", "contact.restore"} <= actions  # the scan finds them
    assert sorted(a for a in actions if not has_action_label(a)) == []


def test_the_audit_log_shows_words_for_a_feature_event(app, login_as):
    from outreach.contacts.services import create_contact
    from outreach.core.auth.models import User
    from outreach.core.db import db
    from outreach.core.time import now_utc

    m, manager = login_as("manager", name="Mona Manager")
    with app.app_context():
        contact = create_contact({"first_name": "Awa", "last_name": "Touré"}, actor=db.session.get(User, manager.id),
                                 now=now_utc())
        db.session.commit()
        contact_id = contact.id
    page = m.get("/audit/?action=contact.create").text
    assert f'Mona Manager</span> added the contact <a href="/directory/contacts/{contact_id}">Awa Touré</a>' in page
