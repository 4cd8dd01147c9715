"""The worker's job list: features register what runs on each tick."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from collections.abc import Callable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], int]  #: (now) -> number of rows acted on; commits per batch itself
    every_seconds: int = 60  #: at most once per this many seconds

    def is_due(self, last_run: datetime | None, now: datetime) -> bool:
        """Whether the job's interval has passed since *last_run* (a tick may come a little early)."""
        return last_run is None or now - last_run >= timedelta(seconds=self.every_seconds) - TICK_SLACK


#: How early a tick may come and still run a job whose interval is about to pass.
TICK_SLACK = timedelta(seconds=5)


_JOBS: dict[str, Job] = {}


def register_job(job: Job) -> None:
    _JOBS[job.name] = job


def registered_jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda j: j.name)


#: (database, job name) -> when this process last started the job there.
_LAST_RUN: dict[tuple[str, str], datetime] = {}


def due_jobs(database: str, now: datetime) -> list[Job]:
    """The registered jobs whose interval has passed on *database*; each is marked as started now."""
    due = [job for job in registered_jobs() if job.is_due(_LAST_RUN.get((database, job.name)), now)]
    for job in due:
        _LAST_RUN[(database, job.name)] = now
    return due
