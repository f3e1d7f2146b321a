"""The staff queue: requests in the order they fall due, and how many are late or nearly so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select

from school.database import utcnow
from school.extensions import db
from school.privacy.requests.models import (
    NO_DEADLINE,
    OPEN_STATUSES,
    PrivacyRequest,
    RequestChannel,
    RequestStatus,
    RequestType,
)


@dataclass(frozen=True)
class QueueRow:
    """A request as the staff queue lists it: the columns it shows, not the whole row."""

    public_id: str
    type: RequestType
    status: RequestStatus
    channel: RequestChannel
    user_id: int | None
    subject_email: str
    due_by: date

    @property
    def deadline(self) -> date | None:
        return None if self.due_by == NO_DEADLINE else self.due_by

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def staff_queue(kind: RequestType | None, status: RequestStatus | None):
    """Requests sorted by the date they are due, soonest first; open ones by default, as
    :class:`QueueRow` columns."""
    query = select(
        PrivacyRequest.public_id,
        PrivacyRequest.type,
        PrivacyRequest.status,
        PrivacyRequest.channel,
        PrivacyRequest.user_id,
        PrivacyRequest.subject_email,
        PrivacyRequest.due_by,
    )
    if kind is not None:
        query = query.where(PrivacyRequest.type == kind)
    if status is not None:
        query = query.where(PrivacyRequest.status == status)
    else:
        query = query.where(PrivacyRequest.status.in_(OPEN_STATUSES))
    return query.order_by(PrivacyRequest.due_by, PrivacyRequest.id)


@dataclass
class Deadlines:
    overdue: int
    due_soon: int


DUE_SOON_DAYS = 3


def deadlines(today: date | None = None) -> Deadlines:
    """Open requests past their due date, and those due within three days, in one query."""
    today = today or utcnow().date()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    due = PrivacyRequest.due_by  # the deadline in force; NO_DEADLINE before the clock starts
    overdue, due_soon = db.session.execute(
        select(
            func.count(case((due < today, 1))),
            func.count(case(((due >= today) & (due <= soon), 1))),
        ).where(PrivacyRequest.status.in_(OPEN_STATUSES))
    ).one()
    return Deadlines(overdue=overdue, due_soon=due_soon)


def overdue_requests(today: date | None = None) -> list[PrivacyRequest]:
    today = today or utcnow().date()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    return list(
        db.session.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.status.in_(OPEN_STATUSES), PrivacyRequest.due_by <= soon)
            .order_by(PrivacyRequest.due_by, PrivacyRequest.id)
        )
    )


def request_for_staff(public_id: str) -> PrivacyRequest | None:
    return db.session.scalar(select(PrivacyRequest).where(PrivacyRequest.public_id == public_id))
