"""Privacy requests: a person's request to exercise a right, and every change of its state."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import DDL, JSON, Date, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import UTCDateTime, utcnow, value_enum
from school.extensions import db

if TYPE_CHECKING:
    from school.accounts.models import User


class RequestType(enum.StrEnum):
    """Every right a person can exercise (Law 99-Z Art. 10-14; GDPR Art. 15-21)."""

    ACCESS = "access"  # information about how their data is processed
    THIRD_PARTIES = "third_parties"  # information about provision to third parties
    EXPORT = "export"
    CORRECTION = "correction"
    BLOCKING = "blocking"
    UNBLOCKING = "unblocking"
    ERASURE = "erasure"
    WITHDRAW_CONSENT = "withdraw_consent"
    WITHDRAW_MARKETING = "withdraw_marketing"
    INQUIRY = "inquiry"


class RequestStatus(enum.StrEnum):
    RECEIVED = "received"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    AWAITING_REVIEW = "awaiting_review"
    APPROVED = "approved"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


OPEN_STATUSES = frozenset(
    {
        RequestStatus.RECEIVED,
        RequestStatus.AWAITING_CONFIRMATION,
        RequestStatus.AWAITING_REVIEW,
        RequestStatus.APPROVED,
    }
)


class RequestChannel(enum.StrEnum):
    WEB = "web"
    EMAIL = "email"
    STAFF = "staff"  # recorded by staff, e.g. from a letter or phone call


class PrivacyRequest(db.Model):
    """A person's request to exercise a right, with its legal clock and its history.

    ``open_key`` is set while the request is open and cleared when it closes; its unique
    constraint is what guarantees one open request per type per person, even when two
    submissions race.
    """

    __tablename__ = "privacy_request"
    __table_args__ = (Index("ix_privacy_request_queue", "status", "due_by", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[RequestType] = mapped_column(value_enum(RequestType))
    status: Mapped[RequestStatus] = mapped_column(value_enum(RequestStatus))
    channel: Mapped[RequestChannel] = mapped_column(value_enum(RequestChannel))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    subject_email: Mapped[str | None] = mapped_column(String(254), index=True)
    details: Mapped[str] = mapped_column(Text, default="")
    requested_changes: Mapped[dict] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(8), default="en")
    open_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_on: Mapped[date | None] = mapped_column(Date)
    extended_due_on: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    # The deadline that applies (the extension, if any), or NO_DEADLINE before the clock
    # starts: kept in step on every flush so the staff queue sorts by an index.
    due_by: Mapped[date] = mapped_column(Date, default=lambda: NO_DEADLINE)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[dict] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def deadline(self) -> date | None:
        return self.extended_due_on or self.due_on


NO_DEADLINE = date(9999, 12, 31)


@event.listens_for(PrivacyRequest, "before_insert")
@event.listens_for(PrivacyRequest, "before_update")
def _keep_due_by(mapper, connection, request: PrivacyRequest) -> None:
    request.due_by = request.extended_due_on or request.due_on or NO_DEADLINE


class RequestEvent(db.Model):
    """One state change of a request: who, when, from, to and why. Never updated."""

    __tablename__ = "privacy_request_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("privacy_request.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(String(20))  # subject, staff, system
    from_status: Mapped[RequestStatus | None] = mapped_column(value_enum(RequestStatus))
    to_status: Mapped[RequestStatus] = mapped_column(value_enum(RequestStatus))
    note: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[PrivacyRequest] = relationship(back_populates="events")


class QueueVersion(db.Model):
    """One row whose number the database raises with every change to what the staff queue
    lists (a request filed, deleted, or changed in its kind, state, channel, deadline or
    account), so every worker on every host can tell whether a list it rendered is current.

    Triggers keep it, not the application: the queue changes by more paths than the unit of
    work (an ORM ``UPDATE``, the retention run, and the database itself setting ``user_id``
    to NULL when an account row is deleted).
    """

    __tablename__ = "privacy_queue_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


QUEUE_VERSION_ROW = 1
# What the queue shows of a request: a change to another column (its details, its outcome)
# leaves the stored lists as they are.
QUEUE_COLUMNS = "public_id, type, status, channel, user_id, due_by"


def _queue_version_triggers() -> list[DDL]:
    """The triggers raising :class:`QueueVersion`, for SQLite and for PostgreSQL (row by
    row there too: a statement-level trigger does not fire for the rows a foreign key's
    SET NULL changes). The same as migration 0028_privacy_queue_version makes."""
    bump = "UPDATE privacy_queue_version SET version = version + 1 WHERE id = 1"  # the row
    sqlite = [
        DDL(
            f"CREATE TRIGGER privacy_queue_{when.split()[0].lower()} AFTER {when} "
            f"ON privacy_request BEGIN {bump}; END"
        ).execute_if(dialect="sqlite")
        for when in ("INSERT", "DELETE", f"UPDATE OF {QUEUE_COLUMNS}")
    ]
    postgresql = [
        DDL(
            "CREATE OR REPLACE FUNCTION privacy_queue_changed() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {bump}; RETURN NULL; END $$"
        ),
        DDL(
            "CREATE TRIGGER privacy_queue_changed AFTER INSERT OR DELETE OR "
            f"UPDATE OF {QUEUE_COLUMNS} ON privacy_request "
            "FOR EACH ROW EXECUTE FUNCTION privacy_queue_changed()"
        ),
    ]
    return sqlite + [ddl.execute_if(dialect="postgresql") for ddl in postgresql]


# A database built from the models (the tests) gets the row and the triggers the migration
# makes.
event.listen(
    QueueVersion.__table__,
    "after_create",
    DDL("INSERT INTO privacy_queue_version (id, version) VALUES (1, 0)"),
)
for _trigger in _queue_version_triggers():
    event.listen(PrivacyRequest.__table__, "after_create", _trigger)
