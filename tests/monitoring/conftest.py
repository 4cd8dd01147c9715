"""Monitoring tests reuse the meetings factories (organisations, contacts, meetings) and add instruments."""
from __future__ import annotations

from datetime import date
from typing import Any
from collections.abc import Callable

import pytest

from tests.conftest import unique
from tests.meetings.conftest import NOW, make_contact, make_meeting, make_organisation  # noqa: F401


@pytest.fixture
def make_instrument(app: Any, connection: Any) -> Callable[..., Any]:
    from outreach.core.db import db
    from outreach.monitoring import services

    def factory(actor: Any, **kw: Any) -> Any:
        with app.app_context():
            data = {"kind": "mandate", "title": unique("Mandate "), "adopted_on": date(2020, 1, 1), **kw}
            instrument = services.create_instrument(data, actor=actor, now=NOW)
            db.session.commit()
            return instrument

    return factory
