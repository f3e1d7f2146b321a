"""Retention runs (``flask privacy retention``, for cron): data past its declared time goes.

Every retention the registry declares with a period (``Retention.has_period``) is carried
out by rules registered here, each keyed to that retention: the period comes from the
registry (:func:`registry.retention_days`, which the ``RETENTION_DAYS`` setting may
override), never from the rule. A rule says how many rows or files are past the cutoff
(``count``, for the dry run) and removes them in its own transaction (``apply``). Each
package registers its rules at start-up, in its ``init_app``, as erasure hooks are
registered: the core calls what it was given and imports no feature.

Tasks are the other work a run does that removes nothing by a period of its own (a request
never confirmed expires, a deferred erasure is carried out once nothing blocks it).

:func:`plan` (the dry run) and :func:`run` are the one service the command uses; a real run
is recorded (:class:`RetentionRun`), and the staff home reads :func:`last_run`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from school.database import utcnow
from school.extensions import db
from school.privacy.data import registry
from school.privacy.data.models import RetentionRun

# Given the cutoff (anything anchored before it is past its time), how many rows or files.
Counter = Callable[[datetime], int]


@dataclass(frozen=True)
class Rule:
    """How one declared retention is carried out for one kind of row or file."""

    key: str
    retention: registry.Retention
    description: object  # what goes, in words (lazy, shown on the staff home)
    # The tables and stores (``stores.STORES`` keys) whose values under ``retention`` it
    # removes: a test holds every declared (retention, table or store) to a rule covering it.
    covers: frozenset[str]
    count: Counter  # how many are past the cutoff; changes nothing
    apply: Counter  # removes them and commits; returns how many


@dataclass(frozen=True)
class Task:
    """Work run with retention that removes nothing by a retention period of its own."""

    key: str
    description: object
    run: Callable[[datetime], int]  # given the time of the run; commits; returns how many


@dataclass(frozen=True)
class Planned:
    """What a dry run found for one rule: how many would go, and from before when."""

    rule: Rule
    days: int
    cutoff: datetime
    count: int


_rules: dict[str, Rule] = {}
_tasks: dict[str, Task] = {}


def register_rule(
    retention: registry.Retention,
    name: str,
    description,
    *,
    covers: Iterable[str],
    count: Counter,
    apply: Counter,
) -> None:
    """Carry out ``retention`` on what ``count``/``apply`` find in the tables and stores it
    ``covers`` (``name`` unique within the retention)."""
    if not retention.has_period:
        raise ValueError(
            f"{retention.key} has no period: erasure or closure carries it out, not retention"
        )
    key = f"{retention.key}.{name}"
    _rules[key] = Rule(key, retention, description, frozenset(covers), count, apply)


def register_deletion(
    retention: registry.Retention, name: str, description, model, past: Callable
) -> None:
    """A rule that deletes the rows of ``model`` for which ``past(cutoff)`` holds: what most
    rules are, said once (``past`` gives the SQL condition, e.g. ``Row.at < cutoff``)."""

    def count(cutoff: datetime) -> int:
        return count_where(model, past(cutoff))

    def apply(cutoff: datetime) -> int:
        deleted = db.session.execute(
            delete(model).where(past(cutoff)).execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        return deleted

    covers = (model.__table__.name,)
    register_rule(retention, name, description, covers=covers, count=count, apply=apply)


def register_task(name: str, description, run: Callable[[datetime], int]) -> None:
    _tasks[name] = Task(name, description, run)


def rules() -> list[Rule]:
    return list(_rules.values())


def tasks() -> list[Task]:
    return list(_tasks.values())


def described(key: str):
    """The words for a rule or task recorded in a run (its key, if no longer registered)."""
    entry = _rules.get(key) or _tasks.get(key)
    return entry.description if entry is not None else key


def count_where(table, *conditions) -> int:
    """How many rows of ``table`` (a model or Table) match: what most ``count``s need."""
    return db.session.scalar(select(func.count()).select_from(table).where(*conditions))


def cutoff(retention: registry.Retention, now: datetime) -> datetime:
    """Anything anchored before this is past the period in force."""
    return now - timedelta(days=registry.retention_days(retention))


def plan(now: datetime | None = None) -> list[Planned]:
    """The dry run: per rule, how many rows or files would go now. Changes nothing."""
    now = now or utcnow()
    planned = []
    for rule in _rules.values():
        limit = cutoff(rule.retention, now)
        planned.append(
            Planned(rule, registry.retention_days(rule.retention), limit, rule.count(limit))
        )
    db.session.rollback()  # a count leaves nothing behind, not even an open transaction
    return planned


def run(now: datetime | None = None) -> RetentionRun:
    """Every rule, then every task, each in its own transaction; the run is recorded last."""
    now = now or utcnow()
    removed = [
        {
            "rule": rule.key,
            "retention": rule.retention.key,
            "removed": rule.apply(cutoff(rule.retention, now)),
        }
        for rule in list(_rules.values())
    ]
    removed += [
        {"rule": task.key, "retention": None, "removed": task.run(now)}
        for task in list(_tasks.values())
    ]
    record = RetentionRun(ran_at=now, removed=removed)
    db.session.add(record)
    db.session.commit()
    return record


def last_run() -> RetentionRun | None:
    return db.session.scalar(
        select(RetentionRun).order_by(RetentionRun.ran_at.desc(), RetentionRun.id.desc()).limit(1)
    )


@dataclass(frozen=True)
class RunReport:
    """The last run, in words: when, and what each rule and task removed."""

    ran_at: datetime
    removed: list[tuple[object, int]]  # (what, in words; how many)


def last_run_report() -> RunReport | None:
    """What the staff home shows; reads only."""
    record = last_run()
    if record is None:
        return None
    return RunReport(
        record.ran_at, [(described(line["rule"]), line["removed"]) for line in record.removed]
    )
