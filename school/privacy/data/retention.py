"""Retention runs (``flask privacy retention``, for cron): data past its declared time goes.

Each package registers its own jobs at start-up (``register_job`` in its ``init_app``), as
erasure hooks are registered: the data core calls the jobs it was given and imports no
feature to purge it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

# A job deletes or forgets what is past its time, commits, and returns how many rows it touched.
RetentionJob = Callable[[datetime | None], int]
_jobs: list[tuple[str, RetentionJob]] = []


def register_job(description: str, job: RetentionJob) -> None:
    """Run ``job`` on every retention run; ``description`` names what it counts."""
    if (description, job) not in _jobs:
        _jobs.append((description, job))


def run_retention(now: datetime | None = None) -> list[str]:
    """Every registered retention job, in registration order, each in its own transaction."""
    return [f"{description}: {job(now)}" for description, job in _jobs]
