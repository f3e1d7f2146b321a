"""Erasure: what the registry says to delete is deleted, to anonymise is anonymised.

The walk is generic: every table the registry says can belong to a person is visited, and
each personal column is treated as declared. Domains add what the registry cannot say on its
own through hooks (an enrolment that never completed goes entirely; a photo file leaves the
disk). Completed courses and issued certificates stay, tied to an account that no longer
has a name, so a certificate still verifies. The caller commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import JSON, Boolean, Integer, String, Text, delete, select, update

from school.accounts.models import User, new_session_token
from school.database import utcnow
from school.extensions import db
from school.privacy.data import registry
from school.privacy.data.personal_data import Subject, condition, fingerprint, table

PLACEHOLDER = "[erased]"


@dataclass
class ErasureResult:
    rows_deleted: dict[str, int] = field(default_factory=dict)
    rows_anonymised: dict[str, int] = field(default_factory=dict)
    files_to_remove: list = field(default_factory=list)


# A hook returns the reasons erasure must wait (empty when it may go ahead).
BlockerHook = Callable[[User], list]
# A hook runs inside the erasure transaction, before the generic walk.
ErasureHook = Callable[[User, ErasureResult], None]
_blockers: list[BlockerHook] = []
_hooks: list[ErasureHook] = []


def register_blocker(hook: BlockerHook) -> None:
    if hook not in _blockers:
        _blockers.append(hook)


def register_hook(hook: ErasureHook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


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
        return fingerprint(str(value))
    if entry.anonymise_as == "unique_email":
        return f"erased-{row_id}@erased.invalid"
    return PLACEHOLDER


def erase(user: User) -> ErasureResult:
    """Erase one person in the caller's transaction; returns what was done."""
    result = ErasureResult()
    subject = Subject(user.id, user.email)
    for hook in _hooks:
        hook(user, result)
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
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(erased_at=utcnow(), session_token=new_session_token())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user)
    return result
