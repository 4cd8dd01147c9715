"""Who may read and change monitoring records.

Coordinators, managers and admins read and change everything; partners read instruments and
assessments and see, of the work linked to them, only what they may open elsewhere; activists
read only summaries an admin published. A record the user may not read answers 404.
"""
from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import select

from outreach.core.db import db
from outreach.core.permissions import STAFF, Role
from outreach.monitoring.models import Instrument, InstrumentVersion


def can_change(user: Any) -> bool:
    return Role(user.role) in STAFF


def get_instrument_or_404(instrument_id: int, user: Any, *, need: str = "view") -> Instrument:
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None or Role(user.role) == Role.ACTIVIST:
        abort(404)
    if need == "edit" and not can_change(user):
        abort(403)
    return instrument


def get_version_or_404(instrument: Instrument, version_id: int) -> InstrumentVersion:
    version = db.session.scalar(select(InstrumentVersion).where(InstrumentVersion.id == version_id,
                                                                InstrumentVersion.instrument_id == instrument.id))
    if version is None:
        abort(404)
    return version
