"""The consent ledger read for staff: one person's consent history (each look recorded in the
staff access log, as any look at a person's data is) and the acceptances of each policy
version, filtered, paged and as CSV. Proving a consent never takes SQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from school.extensions import db
from school.privacy.consent.models import (
    ConsentAction,
    ConsentPurpose,
    ConsentRecord,
    PolicyVersion,
)
from school.privacy.data import registry
from school.privacy.data.personal_data import Subject, condition

HISTORY_PAGE = "consent_history"  # the staff access log's name for the page


def history_of(person) -> list[ConsentRecord]:
    """Every consent the person gave or withdrew, newest first: rows of their account and
    rows of their address (a newsletter consent given before they signed up), found by the
    registry's ownership rule for the ledger, as "My data" and the export find them."""
    where = condition(registry.ownership("consent_record"), Subject(person.id, person.email))
    return list(
        db.session.scalars(
            select(ConsentRecord)
            .options(joinedload(ConsentRecord.policy_version))
            .where(where)
            .order_by(ConsentRecord.id.desc())
        )
    )


@dataclass(frozen=True)
class AcceptanceFilter:
    """Which ledger rows the acceptances report shows; None means any."""

    version_id: int | None = None
    purpose: ConsentPurpose | None = None
    action: ConsentAction | None = None
    since: date | None = None
    until: date | None = None

    def conditions(self) -> list:
        found = []
        if self.version_id is not None:
            found.append(ConsentRecord.policy_version_id == self.version_id)
        if self.purpose is not None:
            found.append(ConsentRecord.purpose == self.purpose)
        if self.action is not None:
            found.append(ConsentRecord.action == self.action)
        if self.since is not None:
            found.append(ConsentRecord.created_at >= datetime.combine(self.since, time.min, UTC))
        if self.until is not None:
            end = datetime.combine(self.until + timedelta(days=1), time.min, UTC)
            found.append(ConsentRecord.created_at < end)
        return found

    def as_args(self) -> dict[str, str]:
        """The filter as query arguments, to page or download the same rows."""
        args = {
            "version": self.version_id,
            "purpose": self.purpose and self.purpose.value,
            "action": self.action and self.action.value,
            "since": self.since and self.since.isoformat(),
            "until": self.until and self.until.isoformat(),
        }
        return {key: str(value) for key, value in args.items() if value}


def acceptances(filters: AcceptanceFilter):
    """The ledger rows that match, newest first, each with its policy version (a SELECT for
    the caller to page)."""
    return (
        select(ConsentRecord)
        .options(joinedload(ConsentRecord.policy_version))
        .where(*filters.conditions())
        .order_by(ConsentRecord.id.desc())
    )


def people_in(filters: AcceptanceFilter) -> list[tuple[int | None, str | None]]:
    """Whose rows match (account id, address), once each: a download shows them all, and
    the staff access log records each person it shows."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(ConsentRecord.user_id, ConsentRecord.email)
            .where(*filters.conditions())
            .distinct()
        )
    ]


@dataclass(frozen=True)
class VersionCount:
    version: str | None
    purpose: ConsentPurpose
    given: int
    withdrawn: int


def counts_by_version(filters: AcceptanceFilter) -> list[VersionCount]:
    """How many consents were given and withdrawn under each policy version, per purpose."""
    rows = db.session.execute(
        select(
            PolicyVersion.version,
            ConsentRecord.purpose,
            ConsentRecord.action,
            func.count(ConsentRecord.id),
        )
        .outerjoin(PolicyVersion, PolicyVersion.id == ConsentRecord.policy_version_id)
        .where(*filters.conditions())
        .group_by(PolicyVersion.version, ConsentRecord.purpose, ConsentRecord.action)
    ).all()
    totals: dict[tuple, dict[ConsentAction, int]] = {}
    for version, purpose, action, count in rows:
        totals.setdefault((version, purpose), {})[action] = count
    return [
        VersionCount(
            version,
            purpose,
            counts.get(ConsentAction.GIVEN, 0),
            counts.get(ConsentAction.WITHDRAWN, 0),
        )
        for (version, purpose), counts in sorted(
            totals.items(), key=lambda item: (item[0][0] or "", item[0][1].value), reverse=True
        )
    ]


CSV_COLUMNS = (
    "created_at",
    "email",
    "purpose",
    "action",
    "policy_version",
    "language",
    "method",
    "ip_address",
    "given_on_behalf_by",
    "wording",
)


def _cell(value) -> str:
    """A value safe to open in a spreadsheet: text that a spreadsheet would run as a formula
    (starting with = + - @) is quoted with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def acceptances_csv(filters: AcceptanceFilter) -> Iterator[str]:
    """The matching rows as CSV, a line at a time, so a long ledger is never held whole."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for record in db.session.scalars(acceptances(filters).execution_options(yield_per=500)):
        writer.writerow(
            _cell(value)
            for value in (
                record.created_at.isoformat(),
                record.email,
                record.purpose.value,
                record.action.value,
                record.policy_version.version if record.policy_version else "",
                record.language,
                record.method,
                record.ip_address,
                record.given_on_behalf_by,
                record.wording,
            )
        )
        yield flush()
