"""Factories for directory records (organisations, contacts, posts)."""
from __future__ import annotations

from typing import Any
from collections.abc import Callable

import pytest

from tests.conftest import unique


@pytest.fixture
def make_org(app: Any, connection: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """Create an organisation through the service; returns it (detached)."""
    from outreach.contacts import services
    from outreach.core.db import db
    from outreach.core.time import now_utc

    def factory(name: str | None = None, **kw: Any) -> Any:
        with app.app_context():
            org = services.create_organisation({"name": name or unique("Office "), **kw}, actor=None, now=now_utc())
            db.session.commit()
            return org

    return factory


@pytest.fixture
def make_contact(app: Any, connection: Any) -> Callable[..., Any]:
    """Create a contact (optionally with a current post at *org*); returns it (detached)."""
    from outreach.contacts import services
    from outreach.contacts.models import Organisation
    from outreach.core.db import db
    from outreach.core.time import now_utc

    def factory(first_name: str = "Amina", last_name: str | None = None, *, org: Any = None, title: str = "Director",
                **kw: Any) -> Any:
        with app.app_context():
            now = kw.pop("now", None) or now_utc()
            contact = services.create_contact({"first_name": first_name, "last_name": last_name or unique("Diallo"),
                                               **kw}, actor=None, now=now)
            if org is not None:
                services.add_position(contact, organisation=db.session.get(Organisation, org.id), title=title,
                                      start_date=None, actor=None, now=now)
            db.session.commit()
            return contact

    return factory
