"""Enrolments, lesson progress and certificates."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.accounts.models import User
from school.courses.models import Course, Lesson, Level
from school.database import UTCDateTime, utcnow
from school.extensions import db


def _enum(kind):
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


class EnrollmentStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    WAITLISTED = "waitlisted"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


E = EnrollmentStatus
STATUS_LABELS = {
    E.REQUESTED: _l("Requested"),
    E.APPROVED: _l("Approved"),
    E.DECLINED: _l("Declined"),
    E.WAITLISTED: _l("On the waiting list"),
    E.ACTIVE: _l("Studying"),
    E.COMPLETED: _l("Completed"),
    E.CANCELLED: _l("Cancelled"),
}
OPEN_STATUSES = frozenset({E.REQUESTED, E.WAITLISTED, E.APPROVED, E.ACTIVE})
# States that hold one of the course's seats.
SEAT_HOLDING = frozenset({E.APPROVED, E.ACTIVE, E.COMPLETED})


class PaymentStatus(enum.StrEnum):
    """Set by staff from what the payment provider reports; card data never reaches us."""

    UNPAID = "unpaid"
    PENDING = "pending"
    PAID = "paid"
    REFUNDED = "refunded"
    WAIVED = "waived"
    # The record outlived the ACCOUNTING period and was deleted by the retention run.
    NOT_KEPT = "not_kept"


PAYMENT_LABELS = {
    PaymentStatus.UNPAID: _l("Not paid"),
    PaymentStatus.PENDING: _l("Payment pending"),
    PaymentStatus.PAID: _l("Paid"),
    PaymentStatus.REFUNDED: _l("Refunded"),
    PaymentStatus.WAIVED: _l("No payment needed"),
    PaymentStatus.NOT_KEPT: _l("Payment record deleted once the law no longer required it"),
}


class Enrollment(db.Model):
    """One person's place (or wish for a place) on one course.

    ``open_key`` is set while the enrolment is open and cleared when it closes; its unique
    index allows one open enrolment per person and course, even under a double submit.
    """

    __tablename__ = "enrollment"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    status: Mapped[EnrollmentStatus] = mapped_column(
        _enum(EnrollmentStatus), default=E.REQUESTED, index=True
    )
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    preferred_schedule: Mapped[str] = mapped_column(String(200), default="")
    self_assessed_level: Mapped[str] = mapped_column(String(10), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    contract_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    contract_wording: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_reference: Mapped[str] = mapped_column(String(100), default="")
    payment_status: Mapped[PaymentStatus] = mapped_column(
        _enum(PaymentStatus), default=PaymentStatus.UNPAID
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
    certificate: Mapped[Certificate | None] = relationship(back_populates="enrollment")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __repr__(self) -> str:
        return f"<Enrollment {self.public_id} {self.status.value}>"


class LessonProgress(db.Model):
    """A lesson a student marked as done."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrollment_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson: Mapped[Lesson] = relationship()


def new_verification_code() -> str:
    """Twelve characters from an unambiguous alphabet, shown as XXXX-XXXX-XXXX."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class Certificate(db.Model):
    """Proof of a completed course, verifiable by anyone who has the code.

    The course facts are copied at issue time so the certificate stays true if the course is
    later edited; the holder's name is read from the account, so it disappears with erasure.
    """

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, default=new_verification_code)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), unique=True)
    course_title: Mapped[str] = mapped_column(String(150))
    language: Mapped[str] = mapped_column(String(8))
    level: Mapped[Level] = mapped_column(_enum(Level))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrollment: Mapped[Enrollment] = relationship(back_populates="certificate")
