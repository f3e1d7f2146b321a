"""Profile: what a student tells the school about themselves, and who on staff looked at it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.accounts.models import User
from school.courses.models import Level  # noqa: F401  (the one CEFR scale, re-exported)
from school.database import UTCDateTime, utcnow
from school.extensions import db
from school.profile.encryption import EncryptedDate, EncryptedText

DISPLAY_NAME_MAX = 60
ADDRESS_MAX = 300
WORKPLACE_MAX = 150
POSITION_MAX = 100
LONG_TEXT_MAX = 2000


class Profile(db.Model):
    """One per user, created at sign-up (with the date of birth) or on first save. Every
    field is optional.

    Contact and identifying details (phone, address, postal code, date of birth, workplace,
    position) are encrypted at rest; see :mod:`school.profile.encryption`.
    """

    __tablename__ = "profile"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    display_name: Mapped[str | None] = mapped_column(String(DISPLAY_NAME_MAX))
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    address: Mapped[str | None] = mapped_column(EncryptedText)
    postal_code: Mapped[str | None] = mapped_column(EncryptedText)
    date_of_birth: Mapped[date | None] = mapped_column(EncryptedDate)
    workplace: Mapped[str | None] = mapped_column(EncryptedText)
    position: Mapped[str | None] = mapped_column(EncryptedText)
    education: Mapped[str | None] = mapped_column(Text)
    interests: Mapped[str | None] = mapped_column(Text)
    learning_goals: Mapped[str | None] = mapped_column(Text)
    # A random file name under instance/photos/; never derived from the user's id.
    photo_file: Mapped[str | None] = mapped_column(String(64))
    photo_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class LanguageLevel(db.Model):
    """A student's own assessment of one language."""

    __tablename__ = "language_level"
    __table_args__ = (UniqueConstraint("user_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    level: Mapped[Level] = mapped_column(
        Enum(Level, native_enum=False, length=2, values_callable=lambda e: [m.value for m in e])
    )


class StaffAccess(db.Model):
    """One opening of a person's data by a member of staff, with their reason.

    A student sees these rows on their "My data" page. A look at someone without an account
    (a request emailed from an address alone) names that address in ``subject_email``
    instead, and comes with everything else tied to the address in its export; erasure
    leaves a keyed fingerprint of it.
    """

    __tablename__ = "staff_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    subject_email: Mapped[str | None] = mapped_column(String(254), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    page: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(200))

    staff: Mapped[User | None] = relationship(foreign_keys=[staff_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])
