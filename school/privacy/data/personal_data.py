"""Finding one person's rows in every table, through the registry's ownership declarations.

Export and erasure both read through here, so what one finds the other finds too.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Table, or_, select

from school.extensions import db
from school.privacy.data import registry


@dataclass(frozen=True)
class Subject:
    """Whose data: the account id (if any) and the address it is known by."""

    user_id: int | None
    email: str


def subject_of(user, email: str | None = None) -> Subject:
    """Whose data: the account if there is one (found by its id and its address), else the
    address alone (someone who wrote to us or signed up for the newsletter). The one way a
    person becomes a ``Subject``, for export, "My data", the access report and erasure."""
    if user is not None:
        return Subject(user.id, user.email)
    return Subject(None, (email or "").strip().lower())


def table(name: str) -> Table:
    return db.metadata.tables[name]


def _direct_condition(ownership: registry.Ownership, subject: Subject):
    t = table(ownership.table)
    conditions = []
    if subject.user_id is not None and ownership.column is not None:
        conditions.append(t.c[ownership.column] == subject.user_id)
    if ownership.email_column is not None and subject.email:
        conditions.append(_by_address(t.c[ownership.email_column], subject.email))
    return or_(*conditions) if conditions else None


def _by_address(column, address: str):
    """Rows holding the address, or the keyed fingerprint that stands for it where only that
    is kept (an address unsubscribed long ago, evidence kept after an erasure): they are
    still tied to the person, who is shown them and whose erasure reaches them."""
    return column.in_([address, fingerprint(address)])


def condition(ownership: registry.Ownership, subject: Subject):
    """A WHERE clause selecting the subject's rows of ``ownership.table``, or None."""
    if ownership.via is None:
        return _direct_condition(ownership, subject)
    parent = registry.ownership(ownership.via)
    parent_condition = _direct_condition(parent, subject)
    t = table(ownership.table)
    conditions = []
    if parent_condition is not None:
        parent_ids = select(table(parent.table).c.id).where(parent_condition)
        conditions.append(t.c[ownership.column].in_(parent_ids))
    if ownership.email_column is not None and subject.email:
        conditions.append(_by_address(t.c[ownership.email_column], subject.email))
    return or_(*conditions) if conditions else None


FINGERPRINT_PREFIX = "fp:"


def fingerprint(value: str) -> str:
    """A keyed hash: proves a match if the value is given to us again, reveals nothing."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, value.strip().lower().encode(), hashlib.sha256).hexdigest()
    return f"{FINGERPRINT_PREFIX}{digest[:40]}"


def addresses() -> set[str]:
    """Every address a row is tied to through the registry (each owned table's
    ``email_column``): who may be found by address alone, as when an erasure of an address
    without an account is re-applied after a restore. Fingerprints left by erasure are not
    addresses."""
    found: set[str] = set()
    for ownership in registry.ownerships():
        if ownership.email_column is None or ownership.via is not None:
            continue
        column = table(ownership.table).c[ownership.email_column]
        found.update(
            value.strip().lower()
            for value in db.session.scalars(select(column).where(column.is_not(None)).distinct())
            if "@" in value
        )
    return found


def rows(ownership: registry.Ownership, subject: Subject, columns) -> list[dict]:
    where = condition(ownership, subject)
    if where is None:
        return []
    t = table(ownership.table)
    order = [key for key in t.primary_key.columns]
    result = db.session.execute(select(*[t.c[c] for c in columns]).where(where).order_by(*order))
    return [dict(row._mapping) for row in result]
