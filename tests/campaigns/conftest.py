"""Factories for campaign tests: campaigns with objectives and targets, on top of the meetings factories."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from collections.abc import Callable

import pytest

from tests.conftest import unique
from tests.meetings.conftest import NOW, make_contact, make_meeting, make_organisation  # noqa: F401

START = date(2026, 1, 1)
END = date(2026, 12, 31)


@pytest.fixture
def make_campaign(app: Any, connection: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    from outreach.campaigns import services
    from outreach.core.db import db

    def factory(actor: Any = None, **kw: Any) -> Any:
        actor = actor or make_user("manager")
        with app.app_context():
            data = services.CampaignData(name=kw.pop("name", unique("Campaign ")), goal=kw.pop("goal", "A goal"),
                                         start_date=kw.pop("start_date", START), end_date=kw.pop("end_date", END),
                                         status=kw.pop("status", "active"), tags=kw.pop("tags", []))
            campaign = services.create_campaign(data, actor=actor, now=NOW)
            db.session.commit()
            return campaign

    return factory


@pytest.fixture
def add_target(app: Any, connection: Any) -> Callable[..., Any]:
    """Add a contact (or organisation) as a target, optionally assigned to partners; returns the target."""
    from outreach.campaigns import services
    from outreach.core.db import db

    def factory(campaign: Any, actor: Any, *, contact: Any = None, organisation: Any = None,
                partners: tuple[Any, ...] = (), priority: int = 2) -> Any:
        with app.app_context():
            campaign = db.session.merge(campaign)
            result = services.add_targets(campaign, contact_ids=[contact.id] if contact else [],
                                          organisation_ids=[organisation.id] if organisation else [],
                                          partner_ids=[p.id for p in partners], priority=priority, actor=actor,
                                          now=NOW)
            db.session.commit()
            return result.added[0]

    return factory


def later(days: int) -> Any:
    return NOW + timedelta(days=days)
