"""Factories for the practice hub's tests: vocabularies, resources in any state, collections."""
from __future__ import annotations

from datetime import datetime, UTC
from typing import Any
from collections.abc import Callable

import pytest

from tests.conftest import unique
from tests.meetings.conftest import make_contact, make_meeting, make_organisation  # noqa: F401

#: A fixed instant: tests pass time in rather than freezing the clock.
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_term(app: Any, connection: Any) -> Callable[..., Any]:
    from outreach.core.db import db
    from outreach.resources.models import Audience, Topic

    def factory(kind: str = "topic", name: str | None = None) -> Any:
        with app.app_context():
            model = Topic if kind == "topic" else Audience
            name = name or unique(f"{kind} ")
            term = model(slug=name.lower().replace(" ", "-"), name=name)
            db.session.add(term)
            db.session.commit()
            return term

    return factory


@pytest.fixture
def make_resource(app: Any, connection: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """A resource in *status* (draft, in_review, published, retired), submitted by *author* (a new coordinator)."""
    from outreach.core.db import db
    from outreach.resources import services

    state: dict[str, Any] = {}

    def factory(title: str | None = None, status: str = "published", author: Any = None, **kw: Any) -> Any:
        if author is None:
            author = state.get("author") or state.setdefault("author", make_user("coordinator"))
        curator = state.get("curator") or state.setdefault("curator", make_user("manager"))
        with app.app_context():
            resource = services.create_resource(services.ResourceData(title=title or unique("Toolkit "), **kw),
                                                actor=author, now=NOW)
            if status in ("in_review", "published", "retired"):
                services.submit_for_review(resource, actor=author, now=NOW)
            if status in ("published", "retired"):
                services.publish(resource, actor=curator, now=NOW)
            if status == "retired":
                services.retire(resource, "Replaced by a newer edition", actor=curator, now=NOW)
            db.session.commit()
            return resource

    return factory


@pytest.fixture
def make_collection(app: Any, connection: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    from outreach.core.db import db
    from outreach.resources import services

    def factory(resources: list[Any], title: str = "Briefing pack", slug: str | None = None) -> Any:
        curator = make_user("manager")
        with app.app_context():
            collection = services.create_collection(title, "For planners", slug=slug, actor=curator, now=NOW)
            services.set_collection_items(collection, [r.id for r in resources], actor=curator, now=NOW)
            db.session.commit()
            return collection

    return factory
