"""How big a school the benchmark seeds, and how long it loads each page.

``BENCH_SCALE=full`` (the default) is the size SPEC.md "Speed and scale" names;
``BENCH_SCALE=small`` is a quick run for checking the benchmark itself. Single figures can be
overridden: ``BENCH_STUDENTS``, ``BENCH_COURSES``, ``BENCH_PROGRESS``, ``BENCH_REQUESTS``,
``BENCH_EXPORT_PROGRESS``, ``BENCH_DURATION`` (a wrk duration such as ``5s``, for each of the
rounds ``BENCH_ROUNDS`` says, three by default).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Scale:
    name: str
    students: int
    courses: int
    lessons_per_course: int
    progress: int  # lesson-progress rows over everybody's enrolments
    requests: int  # privacy requests, mixed types and states
    export_progress: int  # progress rows of the one student whose export is timed
    # What the signed-in student has: the tiny school has less, so a page whose query count
    # grows with the rows it shows is caught by the comparison.
    own_enrolments: int
    own_requests: int
    duration: str


FULL = Scale("full", 10_000, 60, 40, 200_000, 20_000, 5_000, 4, 8, "5s")
SMALL = Scale("small", 500, 10, 40, 10_000, 1_000, 1_000, 4, 8, "2s")
# The school the query counts are compared against: a handful of everything.
TINY = Scale("tiny", 3, 2, 3, 4, 2, 3, 1, 1, "1s")

OVERRIDES = {
    "BENCH_STUDENTS": "students",
    "BENCH_COURSES": "courses",
    "BENCH_PROGRESS": "progress",
    "BENCH_REQUESTS": "requests",
    "BENCH_EXPORT_PROGRESS": "export_progress",
}


def from_environment() -> Scale:
    chosen = {"full": FULL, "small": SMALL}[os.environ.get("BENCH_SCALE", "full").lower()]
    changes = {field: int(os.environ[var]) for var, field in OVERRIDES.items() if var in os.environ}
    if "BENCH_DURATION" in os.environ:
        changes["duration"] = os.environ["BENCH_DURATION"]
    if changes:
        chosen = replace(chosen, name=f"{chosen.name}+overrides", **changes)
    return chosen
