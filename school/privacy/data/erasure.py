"""Erasure: what the registry says to delete is deleted, to anonymise is anonymised.

The walk is generic: every table the registry says can belong to a person is visited, and
each personal column is treated as declared. A person is a ``Subject``: an account with its
address, or an address alone (a newsletter subscriber, someone who only wrote to us), whose
rows are those the registry ties to an address (``email_column``). Domains add what the
registry cannot say on its own through hooks (an enrolment that never completed goes
entirely; a photo, an export archive, a raw emailed message or a spooled email leaves the
disk), each counting what it did per store of ``school.privacy.data.stores``. Completed
courses and issued certificates stay, tied to an account that no longer has a name, so a
certificate still verifies. The caller commits; what cannot be rolled back (deleting files,
the journal entry, folding SQLite's log so no old value lives on in it) happens only once
that commit has succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import JSON, Boolean, Integer, String, Text, delete, event, select, update
from sqlalchemy.orm import Session

from school.accounts.models import User
from school.database import forget_overwritten_values, utcnow
from school.extensions import db
from school.privacy.data import journal, registry, stores
from school.privacy.data.personal_data import Subject, condition, fingerprint, subject_of, table

PLACEHOLDER = "[erased]"
_PENDING = "erasures_pending"


@dataclass
class ErasureResult:
    """What one erasure did: rows per table, and what each store of files or keys lost."""

    user_fingerprint: str = ""
    address_fingerprint: str = ""
    rows_deleted: dict[str, int] = field(default_factory=dict)
    rows_anonymised: dict[str, int] = field(default_factory=dict)
    stores: dict[str, int] = field(default_factory=dict)
    files_to_remove: list = field(default_factory=list)
    journaled: bool = True  # False when re-applying an erasure the journal already holds

    def count(self, store: str, number: int = 1) -> None:
        """Record that ``number`` items of ``store`` (a key of ``stores.STORES``) went."""
        if store not in stores.STORES and store not in stores.COUNTED:
            raise KeyError(f"{store} is not declared in school/privacy/data/stores.py")
        if number:
            self.stores[store] = self.stores.get(store, 0) + number

    def remove_file(self, store: str, path: Path) -> None:
        """Delete ``path`` once the erasure has committed, counted against ``store``."""
        self.files_to_remove.append(Path(path))
        self.count(store)

    def summary(self) -> str:
        """What was done, for the request's history; counts only, never a value."""
        parts = [f"{name}: {n}" for name, n in sorted(self.stores.items())]
        return "; ".join(parts) if parts else "no files or keys held"


# A hook returns the reasons erasure must wait (empty when it may go ahead).
BlockerHook = Callable[[User], list]
# A hook runs inside the erasure transaction, before the generic walk, for an account or an
# address alone (``subject.user_id`` is None then).
ErasureHook = Callable[[Subject, ErasureResult], None]
# Told, in the caller's transaction, that something which may have blocked a person's
# erasure has ended (a place cancelled, a course completed).
ResumeHook = Callable[[User], None]
_blockers: list[BlockerHook] = []
_hooks: list[ErasureHook] = []
_resumers: list[ResumeHook] = []


def register_blocker(hook: BlockerHook) -> None:
    if hook not in _blockers:
        _blockers.append(hook)


def register_hook(hook: ErasureHook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def register_resumer(hook: ResumeHook) -> None:
    if hook not in _resumers:
        _resumers.append(hook)


def blocker_ended(user: User) -> None:
    """A domain says something that could block ``user``'s erasure is over: a deferred
    erasure goes ahead now, in the caller's transaction, if nothing else still blocks it."""
    for hook in _resumers:
        hook(user)


def blockers(user: User) -> list:
    """Why erasure must wait now, in words for the person (an active course, say)."""
    reasons = []
    for hook in _blockers:
        reasons.extend(hook(user))
    return reasons


def _empty_value(column):
    if isinstance(column.type, String | Text):
        return ""
    if isinstance(column.type, JSON):
        return {}
    if isinstance(column.type, Boolean):
        return False
    if isinstance(column.type, Integer):
        return 0
    raise TypeError(f"{column.table.name}.{column.name} is marked delete but cannot be emptied")


def deleted_value(column):
    """What a DELETE column becomes when its row stays: NULL, or an empty value."""
    return None if column.nullable else _empty_value(column)


def anonymised_value(entry: registry.PersonalField, value, row_id):
    if value is None:
        return None
    if entry.anonymise_as == "fingerprint":
        # A hook may have fingerprinted it already (an address taken out of a header).
        text_value = str(value)
        return text_value if text_value.startswith("fp:") else fingerprint(text_value)
    if entry.anonymise_as == "unique_email":
        return f"erased-{row_id}@erased.invalid"
    return PLACEHOLDER


def erase(user: User, *, journaled: bool = True) -> ErasureResult:
    """Erase one account holder in the caller's transaction; returns what was done."""
    result = erase_subject(subject_of(user), journaled=journaled)
    db.session.expire(user)
    return result


def erase_address(address: str, *, journaled: bool = True) -> ErasureResult:
    """Erase everything tied to an address that has no account, in the caller's transaction:
    the same walk, hooks and journal as for an account holder."""
    return erase_subject(subject_of(None, address), journaled=journaled)


def erase_subject(subject: Subject, *, journaled: bool = True) -> ErasureResult:
    """Erase one person (an account, or an address alone) in the caller's transaction."""
    if not subject.email and subject.user_id is None:
        raise ValueError("an erasure needs an account or an address")
    result = ErasureResult(
        user_fingerprint=(
            journal.user_fingerprint(subject.user_id) if subject.user_id is not None else ""
        ),
        address_fingerprint=fingerprint(subject.email),
        journaled=journaled,
    )
    # Rows added in this transaction (the staff look that led here) are erased with the rest.
    db.session.flush()
    for hook in _hooks:
        hook(subject, result)
    for ownership in reversed(registry.ownerships()):
        entries = registry.fields_of(ownership.table)
        where = condition(ownership, subject)
        if where is None or not entries:
            continue
        t = table(ownership.table)
        erasable = [e for e in entries if e.erasure is not registry.Erasure.KEEP]
        if not erasable:
            continue
        if ownership.table != "user" and all(e.erasure is registry.Erasure.DELETE for e in entries):
            deleted = db.session.execute(delete(t).where(where)).rowcount
            result.rows_deleted[ownership.table] = deleted
            continue
        plain = {
            e.column: deleted_value(t.c[e.column])
            for e in erasable
            if e.erasure is registry.Erasure.DELETE
        }
        anonymise = [e for e in erasable if e.erasure is registry.Erasure.ANONYMISE]
        (key,) = t.primary_key.columns
        found = db.session.execute(
            select(key, *[t.c[e.column] for e in anonymise]).where(where)
        ).all()
        for row in found:
            values = dict(plain)
            for e in anonymise:
                values[e.column] = anonymised_value(e, row._mapping[e.column], row[0])
            db.session.execute(update(t).where(key == row[0]).values(**values))
        result.rows_anonymised[ownership.table] = len(found)
    if subject.user_id is not None:
        db.session.execute(
            update(User)
            .where(User.id == subject.user_id)
            .values(erased_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    db.session.info.setdefault(_PENDING, []).append(result)
    return result


@event.listens_for(Session, "after_commit")
def _finish_committed(session):
    """The erasure is in the database: now delete its files, journal it and fold the log."""
    finished = session.info.pop(_PENDING, None)
    if not finished:
        return
    for result in finished:
        for path in result.files_to_remove:
            path.unlink(missing_ok=True)
        if result.journaled:
            journal.record(result)
    # The overwritten values live on in SQLite's write-ahead log, or PostgreSQL's dead rows.
    touched = {"user"}
    for result in finished:
        touched.update(result.rows_deleted, result.rows_anonymised)
    forget_overwritten_values(db.engine, touched)
    current_app.logger.info("erasure finished for %d account(s)", len(finished))


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session):
    session.info.pop(_PENDING, None)
