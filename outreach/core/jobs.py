"""The worker's job list: features register what runs on each tick."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], int]  #: (now) -> number of rows acted on; commits per batch itself
    every_seconds: int = 60


_JOBS: dict[str, Job] = {}


def register_job(job: Job) -> None:
    _JOBS[job.name] = job


def registered_jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda j: j.name)
