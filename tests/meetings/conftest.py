"""Factories for meetings tests: organisations, contacts, meetings."""
from __future__ import annotations

from datetime import datetime, timedelta, UTC
from typing import Any
from collections.abc import Callable

import pytest

from tests.conftest import unique

#: A fixed instant: tests pass time in rather than freezing the clock.
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_organisation(app: Any, connection: Any) -> Callable[..., Any]:
    from outreach.contacts.models import Organisation
    from outreach.core.db import db

    def factory(name: str | None = None, parent: Any = None, **kw: Any) -> Any:
        with app.app_context():
            org = Organisation(name=name or unique("Office "), parent_id=getattr(parent, "id", parent),
                               created_at=NOW, updated_at=NOW, **kw)
            db.session.add(org)
            db.session.commit()
            return org

    return factory


@pytest.fixture
def make_contact(app: Any, connection: Any) -> Callable[..., Any]:
    from outreach.contacts.models import Contact, Position
    from outreach.contacts.services import refresh_contact_search
    from outreach.core.db import db

    def factory(first: str = "Amina", last: str | None = None, organisation: Any = None, **kw: Any) -> Any:
        with app.app_context():
            contact = Contact(first_name=first, last_name=last or unique("Diallo"), created_at=NOW, updated_at=NOW,
                              **kw)
            db.session.add(contact)
            db.session.flush()
            if organisation is not None:
                db.session.add(Position(contact_id=contact.id, organisation_id=organisation.id, title="Director",
                                        created_at=NOW))
                db.session.flush()
            refresh_contact_search(contact)  # so the directory search (and the attendee picker) finds them
            db.session.commit()
            return contact

    return factory


@pytest.fixture
def make_meeting(app: Any, connection: Any) -> Callable[..., Any]:
    from outreach.core.db import db
    from outreach.meetings import services

    def factory(actor: Any, *, contacts: tuple[Any, ...] = (), users: tuple[Any, ...] = (), **kw: Any) -> Any:
        with app.app_context():
            start_at = kw.pop("start_at", NOW - timedelta(days=1))
            data = services.MeetingData(  # a meeting still to come cannot be held: planned by default
                title=kw.pop("title", unique("Meeting ")), start_at=start_at,
                timezone=kw.pop("timezone", "Africa/Addis_Ababa"), status=kw.pop("status", "held" if start_at <= NOW
                                                                               else "planned"),
                attendees=[f"c:{c.id}" for c in contacts] + [f"u:{u.id}" for u in users], **kw)
            meeting = services.log_meeting(data, actor=actor, now=NOW)
            db.session.commit()
            return meeting

    return factory
