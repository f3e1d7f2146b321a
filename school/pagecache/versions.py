"""Which tables anonymous pages are built from, and bumping the content version with them.

Each domain names its public tables at start-up (:func:`watch`); the session events below
then bump :class:`ContentVersion` in the same transaction as any change to those rows,
whether it goes through the unit of work (a course edited, a policy published) or through an
ORM ``UPDATE``/``DELETE`` statement (the conditional UPDATE that takes or frees a seat). No
service has to remember to invalidate anything.
"""

from __future__ import annotations

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from school.database import Prebuilt, committed_value
from school.pagecache.models import SINGLE_ROW, ContentVersion

_WATCHED_TABLES: set[str] = set()

_BUMP = (
    update(ContentVersion)
    .where(ContentVersion.id == SINGLE_ROW)
    .values(version=ContentVersion.version + 1)
)
_READ = Prebuilt(select(ContentVersion.version).where(ContentVersion.id == SINGLE_ROW))


def watch(*models) -> None:
    """Pages shown to anonymous visitors are built from these models' rows."""
    _WATCHED_TABLES.update(model.__table__.name for model in models)


def current_version() -> int:
    """The content version as committed, on the connection kept for such reads.

    Read before the page is rendered, so a stored page is never older than its key.
    """
    return committed_value(_READ) or 0


def _touches_watched(objects) -> bool:
    return any(
        getattr(getattr(obj, "__table__", None), "name", None) in _WATCHED_TABLES for obj in objects
    )


@event.listens_for(Session, "after_flush")
def _bump_after_flush(session, flush_context) -> None:
    changed = [*session.new, *session.deleted]
    changed += [obj for obj in session.dirty if session.is_modified(obj)]
    if _touches_watched(changed):
        session.connection().execute(_BUMP)


@event.listens_for(Session, "do_orm_execute")
def _bump_with_statement(state) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _WATCHED_TABLES:
        state.session.connection().execute(_BUMP)
