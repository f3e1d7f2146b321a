"""Courses: what the school teaches, to whom, when, for how much, and the lessons in each."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import UTCDateTime, utcnow
from school.extensions import db


def _enum(kind):
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Level(enum.StrEnum):
    """The Common European Framework of Reference levels."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"


class Format(enum.StrEnum):
    GROUP = "group"
    ONE_TO_ONE = "one_to_one"


FORMAT_LABELS = {Format.GROUP: _l("Group"), Format.ONE_TO_ONE: _l("One-to-one")}

# The languages the school teaches, as ISO 639-1 codes; names come from Babel's locale data
# in the reader's language.
TAUGHT_LANGUAGES = ("en", "de", "fr", "es", "it", "pl", "zh", "ru")


class Course(db.Model):
    """A course with a fixed number of seats.

    ``seats_taken`` counts approved, active and completed enrolments. It is changed only by a
    conditional UPDATE (``seats_taken < seats``), so two approvals racing for the last seat
    cannot both win.
    """

    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint("seats_taken >= 0 AND seats_taken <= seats", name="seats_within_capacity"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(150))
    summary: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), index=True)
    level: Mapped[Level] = mapped_column(_enum(Level), index=True)
    format: Mapped[Format] = mapped_column(_enum(Format), index=True)
    schedule: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    teacher_name: Mapped[str] = mapped_column(String(120))
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    seats: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(default=True, index=True)
    # Random file names under COURSE_PICTURE_DIR, re-encoded like profile photos; public.
    image_file: Mapped[str | None] = mapped_column(String(64))
    teacher_photo_file: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position", cascade="all, delete-orphan"
    )

    @property
    def seats_left(self) -> int:
        return max(self.seats - self.seats_taken, 0)

    @property
    def price(self) -> float:
        return self.price_minor / 100

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class Lesson(db.Model):
    __tablename__ = "lesson"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship(back_populates="lessons")
