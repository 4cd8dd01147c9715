"""The worker process: APScheduler ticks, the database decides what is due.

Run it in one or more processes per deployment (`outreach worker`); web processes and tests
never start a scheduler. Every job is safe to run twice, in two workers at once, and safe to kill.
"""
from __future__ import annotations

import logging
import signal
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import text

from outreach.core.db import db
from outreach.core.jobs import Job, due_jobs, register_job, registered_jobs
from outreach.core.time import now_utc

log = logging.getLogger("outreach.worker")


def _prune_login_attempts(now: Any) -> int:
    from outreach.core.auth.services import prune_login_attempts

    removed = prune_login_attempts(now)
    db.session.commit()
    return removed


STATISTICS_EVERY = timedelta(hours=1)


def _refresh_statistics(now: Any) -> int:
    """SQLite: refresh the query planner's statistics (PostgreSQL's autovacuum does this itself).

    Without them SQLite plans against the table sizes of the day the statistics were last taken
    (a table of 5 rows that grew to 30,000 is still scanned), and picks no index for a selective
    filter. Sampled (analysis_limit), it takes milliseconds on a large database; hourly at most.
    """
    if db.dialect != "sqlite":
        return 0
    db.session.execute(text("PRAGMA analysis_limit = 1000"))
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return 1


def _dispatch_outbox(now: Any) -> int:
    from flask import current_app

    from outreach.core.notifications import dispatch_due

    lease = timedelta(seconds=int(current_app.config.get("OUTBOX_LEASE_SECONDS", 300)))
    return dispatch_due(now, config=current_app.config, lease=lease)


def register_core_jobs() -> None:
    from outreach.introductions.jobs import register_jobs as register_introductions_jobs
    from outreach.meetings.jobs import register_jobs as register_meetings_jobs
    from outreach.monitoring.jobs import register_jobs as register_monitoring_jobs

    register_job(Job("core.prune_login_attempts", _prune_login_attempts, every_seconds=3600))
    register_job(Job("core.statistics", _refresh_statistics, every_seconds=int(STATISTICS_EVERY.total_seconds())))
    register_meetings_jobs()
    register_monitoring_jobs()
    register_introductions_jobs()
    # Named to run after the features' jobs in a tick, so what they enqueue goes out in the same tick.
    register_job(Job("notifications.dispatch", _dispatch_outbox, every_seconds=60))


def run_tick(app: Flask, *, now: Any = None) -> dict[str, int]:
    """Run each registered job whose interval has passed; a failing job is logged and does not stop the others."""
    register_core_jobs()
    results: dict[str, int] = {}
    for job in due_jobs(app.config["DATABASE_URL"], now or now_utc()):
        with app.app_context():
            try:
                results[job.name] = job.run(now or now_utc())
            except Exception:  # noqa: BLE001 - one broken job must not starve the rest
                db.session.rollback()
                log.exception("Job %s failed", job.name)
                results[job.name] = -1
    log.info("tick: %s", ", ".join(f"{k}={v}" for k, v in results.items()) or "no jobs")
    return results


def run_worker(app: Flask, *, tick_seconds: int = 60) -> None:
    """Start the blocking scheduler; returns when the process is told to stop."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    register_core_jobs()
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(run_tick, "interval", args=[app], seconds=tick_seconds, id="tick",
                      max_instances=1, coalesce=True, next_run_time=now_utc())

    def _stop(signum: int, _frame: Any) -> None:
        log.info("signal %s: stopping the worker", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("worker started; ticking every %s s with jobs: %s", tick_seconds,
             ", ".join(j.name for j in registered_jobs()))
    scheduler.start()
