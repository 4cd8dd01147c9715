"""Large synthetic campaigns for the benchmark, in bulk (no ORM objects, no audit rows).

The first campaign is the big one (*targets* contacts, 5,000 at the large size); the others carry a few
hundred each. Stages follow a narrowing funnel, each target with its dated history; every target has a
partner, and the first partner (the benchmark's own, created before the seed) holds 300 targets across the
running campaigns. Uses the contacts and users that exist: run the directory and users seeds first.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from collections.abc import Callable

from sqlalchemy import func, insert, select

from outreach.campaigns.models import (Campaign, Objective, ObjectiveValue, StageChange, Target, TargetAssignment)
from outreach.contacts.models import Contact
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.permissions import Role
from outreach.core.time import now_utc

CHUNK = 5000
#: The funnel: share of targets at each stage.
FUNNEL = (("identified", 0.30), ("contacted", 0.25), ("met", 0.20), ("committed", 0.12), ("delivered", 0.08),
          ("dropped", 0.05))
#: Targets the benchmark's partner holds across the running campaigns.
PARTNER_TARGETS = 300


class SeedError(RuntimeError):
    """The database lacks what the generator builds on."""


def _next_id(model: type) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _stage(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for stage, share in FUNNEL:
        total += share
        if roll < total:
            return stage
    return "identified"


def seed_campaigns(*, campaigns: int, targets: int, seed: int = 1325, now: datetime | None = None,
                   progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Insert *campaigns* campaigns, the first with *targets* targets; *progress* gets the rows just written."""
    if not campaigns:
        return {"campaigns": 0, "targets": 0}
    rng = random.Random(seed + 13)
    now = now or now_utc()
    step = progress or (lambda _n: None)
    contact_ids = list(db.session.scalars(select(Contact.id).where(Contact.is_archived.is_(False))
                                          .order_by(Contact.id)))
    users = db.session.execute(select(User.id, User.role).where(User.is_active_account.is_(True))
                               .order_by(User.id)).all()
    partners = [uid for uid, role in users if role == Role.PARTNER.value]
    staff = [uid for uid, role in users if role in (Role.MANAGER.value, Role.COORDINATOR.value, Role.ADMIN.value)]
    if not contact_ids or not partners or not staff:
        raise SeedError("Seed users and contacts first: campaigns need targets, partners and staff.")
    first_campaign, first_target, first_objective = _next_id(Campaign), _next_id(Target), _next_id(Objective)
    sizes = [min(targets, len(contact_ids))] + [min(rng.randint(50, 400), len(contact_ids))
                                                for _ in range(campaigns - 1)]
    campaign_rows, objective_rows, value_rows = [], [], []
    for i in range(campaigns):
        start = (now - timedelta(days=rng.randint(60, 400))).date()
        status = "active" if i == 0 or rng.random() < 0.7 else rng.choice(("paused", "closed", "draft"))
        campaign_rows.append(dict(id=first_campaign + i, name=f"Campaign {first_campaign + i}",
                                  goal="A measurable, time-bound goal.", start_date=start,
                                  end_date=start + timedelta(days=rng.randint(300, 700)), status=status,
                                  owner_id=rng.choice(staff), created_by_id=rng.choice(staff),
                                  created_at=now - timedelta(days=400), updated_at=now - timedelta(days=1)))
        for j, source in enumerate(("manual", "targets_committed", "commitments_kept")):
            oid = first_objective + 3 * i + j
            objective_rows.append(dict(id=oid, campaign_id=first_campaign + i, metric=f"Objective {oid}", unit=None,
                                       baseline=0.0, target_value=float(rng.randint(5, 50)),
                                       deadline=campaign_rows[-1]["end_date"], source=source, organisation_id=None,
                                       is_archived=False, created_at=now - timedelta(days=400),
                                       updated_at=now - timedelta(days=1)))
            if source == "manual":
                value_rows += [dict(objective_id=oid, value=float(k * 2), as_of=(now - timedelta(days=30 * k)).date(),
                                    note="Tracking sheet", recorded_by_id=rng.choice(staff),
                                    recorded_at=now - timedelta(days=30 * k)) for k in range(1, 6)]
    db.session.execute(insert(Campaign), campaign_rows)
    db.session.execute(insert(Objective).execution_options(render_nulls=True), objective_rows)
    db.session.execute(insert(ObjectiveValue), value_rows)
    step(len(campaign_rows))
    running = [i for i, row in enumerate(campaign_rows) if row["status"] == "active"]
    mine_left = PARTNER_TARGETS
    tid = first_target
    added = 0
    for i, size in enumerate(sizes):
        cid = first_campaign + i
        chosen = rng.sample(contact_ids, size)
        # the benchmark partner's share: spread over the running campaigns, most of it in the big one
        mine = 0
        if i in running and mine_left:
            if i == 0:
                mine = min(mine_left, size, PARTNER_TARGETS * 2 // 3)
            elif i == running[-1]:
                mine = min(mine_left, size)
            else:
                mine = min(mine_left, size // 2, rng.randint(10, 40))
            mine_left -= mine
        for offset in range(0, size, CHUNK):
            target_rows, assignment_rows, change_rows = [], [], []
            for k in range(offset, min(offset + CHUNK, size)):
                stage = _stage(rng)
                created = now - timedelta(days=rng.randint(30, 300))
                moved = created + (now - created) * rng.random() if stage != "identified" else created
                partner = partners[0] if k < mine else rng.choice(partners)
                target_rows.append(dict(
                    id=tid, campaign_id=cid, contact_id=chosen[k], organisation_id=None, stage=stage,
                    drop_reason="Left the post." if stage == "dropped" else None, priority=rng.choice((1, 2, 2, 3)),
                    next_step="Send the brief" if rng.random() < 0.4 else None,
                    next_step_due=(now + timedelta(days=rng.randint(-10, 30))).date() if rng.random() < 0.4 else None,
                    stage_changed_at=moved, created_by_id=staff[0], created_at=created, updated_at=moved))
                assignment_rows.append(dict(target_id=tid, user_id=partner, assigned_at=created,
                                            assigned_by_id=staff[0]))
                change_rows.append(dict(target_id=tid, campaign_id=cid, from_stage=None, to_stage="identified",
                                        reason=None, source="manual", source_id=None, changed_at=created,
                                        changed_by_id=staff[0]))
                if stage != "identified":
                    change_rows.append(dict(target_id=tid, campaign_id=cid, from_stage="identified", to_stage=stage,
                                            reason="Seeded", source="manual", source_id=None, changed_at=moved,
                                            changed_by_id=partner))
                tid += 1
            db.session.execute(insert(Target).execution_options(render_nulls=True), target_rows)
            db.session.execute(insert(TargetAssignment), assignment_rows)
            db.session.execute(insert(StageChange).execution_options(render_nulls=True), change_rows)
            added += len(target_rows)
            step(len(target_rows))
    db.session.flush()
    return {"campaigns": campaigns, "targets": added}

