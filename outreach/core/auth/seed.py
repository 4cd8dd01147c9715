"""Bulk synthetic users for benchmark data sets: a coalition-shaped mix of roles."""
from __future__ import annotations

import random
import secrets
from datetime import datetime
from typing import Any
from collections.abc import Callable

from sqlalchemy import func, insert, select

from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.security import hash_password

#: Share of each role among synthetic users: mostly partners, a few staff, activists.
ROLE_MIX = (("partner", 0.55), ("activist", 0.25), ("coordinator", 0.12), ("manager", 0.05), ("admin", 0.03))
ZONES = ("Africa/Nairobi", "Africa/Addis_Ababa", "Africa/Bangui", "Africa/Dakar", "Europe/Paris", "Europe/Oslo",
         "America/New_York", "Asia/Jakarta", "Asia/Bangkok", "UTC")
BATCH = 1000


def seed_users(*, users: int, seed: int, now: datetime, progress: Callable[[int], Any] | None = None) -> int:
    """Insert *users* active accounts nobody can sign in to (one random password, hashed once); flushes only."""
    rng = random.Random(seed)
    step = progress or (lambda n: None)
    unusable = hash_password(secrets.token_urlsafe(32))
    start = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    roles = [role for role, _share in ROLE_MIX]
    weights = [share for _role, share in ROLE_MIX]
    rows: list[dict[str, Any]] = []
    for i in range(users):
        number = start + i
        role = rng.choices(roles, weights)[0]
        rows.append({"email": f"seed-{role}-{number}@outreach.example", "name": f"Seeded {role.title()} {number}",
                     "role": role, "password_hash": unusable, "is_active_account": True, "session_version": 1,
                     "timezone": rng.choice(ZONES), "locale": "en", "created_at": now, "updated_at": now})
        if len(rows) == BATCH:
            db.session.execute(insert(User), rows)
            step(len(rows))
            rows = []
    if rows:
        db.session.execute(insert(User), rows)
        step(len(rows))
    db.session.flush()
    return users
