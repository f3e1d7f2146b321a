"""Accountability records: policy versions and the consent ledger."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import UTCDateTime, utcnow
from school.extensions import db

if TYPE_CHECKING:
    from school.accounts.models import User


def _enum(kind):
    return Enum(kind, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class PolicyVersion(db.Model):
    """One published version of the privacy policy, in every site language.

    Consent is always given to a version, so what a person agreed to can be shown later.
    """

    __tablename__ = "policy_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(20), unique=True)
    effective_on: Mapped[date] = mapped_column(Date)
    significant: Mapped[bool] = mapped_column(Boolean, default=False)
    body_en: Mapped[str] = mapped_column(Text)
    body_ru: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text, default="")
    summary_ru: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    def body(self, language: str) -> str:
        return self.body_ru if language == "ru" else self.body_en

    def summary(self, language: str) -> str:
        return self.summary_ru if language == "ru" else self.summary_en


class ConsentPurpose(enum.StrEnum):
    PROCESSING = "processing"  # processing needed to run the account and courses
    MARKETING = "marketing"  # newsletters and offers: always a separate, prior choice
    COOKIES_FUNCTIONAL = "cookies_functional"
    COOKIES_ANALYTICS = "cookies_analytics"


class ConsentAction(enum.StrEnum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"


class ConsentRecord(db.Model):
    """A row of the consent ledger: never updated, only appended.

    The standing state of a consent is the latest row for a person and purpose.
    """

    __tablename__ = "consent_record"
    __table_args__ = (Index("ix_consent_record_user_purpose", "user_id", "purpose", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(_enum(ConsentPurpose))
    action: Mapped[ConsentAction] = mapped_column(_enum(ConsentAction))
    policy_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_version.id", ondelete="RESTRICT")
    )
    wording: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    # How the consent was given, composed by the caller ("privacy request <id> (<channel>)").
    method: Mapped[str] = mapped_column(String(200))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    given_on_behalf_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    policy_version: Mapped[PolicyVersion | None] = relationship()


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
    type: Mapped[RequestType] = mapped_column(_enum(RequestType))
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus))
    channel: Mapped[RequestChannel] = mapped_column(_enum(RequestChannel))
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
    from_status: Mapped[RequestStatus | None] = mapped_column(_enum(RequestStatus))
    to_status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus))
    note: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[PrivacyRequest] = relationship(back_populates="events")
