"""Course rules: the public catalogue and staff editing."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel import Locale
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from school import pictures
from school.courses.models import TAUGHT_LANGUAGES, Course, Format, Lesson, Level
from school.database import utcnow
from school.extensions import db


class CourseError(Exception):
    """A course change that breaks a rule; ``message`` is safe to show."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def language_name(code: str) -> str:
    """The name of a taught language in the reader's language ("German", "Немецкий")."""
    return _language_name(code, str(get_locale()))


@lru_cache(maxsize=512)
def _language_name(code: str, reader: str) -> str:
    try:
        name = Locale.parse(code).get_display_name(Locale.parse(reader)) or code
    except (ValueError, TypeError):
        return code
    return name[:1].upper() + name[1:]


def language_choices() -> list[tuple[str, str]]:
    return list(_language_choices(str(get_locale())))


@lru_cache(maxsize=16)
def _language_choices(reader: str) -> tuple[tuple[str, str], ...]:
    names = ((code, _language_name(code, reader)) for code in TAUGHT_LANGUAGES)
    return tuple(sorted(names, key=lambda choice: choice[1]))


@dataclass
class CatalogueFilter:
    language: str | None = None
    level: Level | None = None
    format: Format | None = None

    def as_args(self) -> dict:
        return {
            key: value
            for key, value in (
                ("language", self.language),
                ("level", self.level and self.level.value),
                ("format", self.format and self.format.value),
            )
            if value
        }


def catalogue_query(filters: CatalogueFilter):
    """Published courses that have not ended, matching the filters, soonest start first."""
    query = select(Course).where(Course.published.is_(True), Course.ends_on >= utcnow().date())
    if filters.language:
        query = query.where(Course.language == filters.language)
    if filters.level:
        query = query.where(Course.level == filters.level)
    if filters.format:
        query = query.where(Course.format == filters.format)
    return query.order_by(Course.starts_on, Course.title, Course.id)


def upcoming_courses(limit: int) -> list[Course]:
    """The first courses of the unfiltered catalogue, for the home page."""
    return list(db.session.scalars(catalogue_query(CatalogueFilter()).limit(limit)))


def published_course(slug: str) -> Course | None:
    return db.session.scalar(
        select(Course)
        .where(Course.slug == slug, Course.published.is_(True))
        .options(selectinload(Course.lessons))
    )


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(
        select(Course).where(Course.slug == slug).options(selectinload(Course.lessons))
    )


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:70] or "course"


def _unique_slug(wanted: str, course: Course | None) -> str:
    base, n = wanted, 1
    while True:
        clash = db.session.scalar(select(Course.id).where(Course.slug == wanted))
        if clash is None or (course is not None and clash == course.id):
            return wanted
        n += 1
        wanted = f"{base}-{n}"


@dataclass(frozen=True)
class PictureChange:
    """What staff asked for one course picture: a new upload (a stream), removal, or nothing."""

    upload: object | None = None
    remove: bool = False


# Each picture's column and the setting that bounds its longer side.
def _longest_side(column: str) -> int:
    """How large a course picture is kept: a course's image, or its teacher's small photo."""
    if column == "teacher_photo_file":
        return current_app.config["TEACHER_PHOTO_SIDE"]
    return current_app.config["COURSE_IMAGE_SIDE"]


def picture_dir() -> Path:
    return Path(current_app.config["COURSE_PICTURE_DIR"])


def picture_path(name: str) -> Path:
    """The stored file of a course picture; FileNotFoundError for a name that is not ours."""
    return pictures.photo_path(name, picture_dir())


def _store_pictures(changes: dict[str, PictureChange]) -> dict[str, str]:
    """Re-encode and store each upload through the pictures pipeline (as profile photos are).

    Returns the new file names by column; stores nothing if any upload is refused.
    """
    stored: dict[str, str] = {}
    try:
        for column, change in changes.items():
            if change.upload is None:
                continue
            data = pictures.read_limited(change.upload, current_app.config["PHOTO_MAX_BYTES"])
            jpeg = pictures.reencode(data, _longest_side(column))
            stored[column] = pictures.store(jpeg, picture_dir())
    except pictures.PhotoError as error:
        for name in stored.values():
            pictures.remove(name, picture_dir())
        raise CourseError(error.message) from error
    return stored


@dataclass
class CourseData:
    title: str
    language: str
    level: Level
    format: Format
    schedule: str
    starts_on: date
    ends_on: date
    teacher_name: str
    price_minor: int
    currency: str
    seats: int
    summary: str = ""
    description: str = ""
    published: bool = True
    slug: str = ""
    lessons: list[tuple[str, str]] = field(default_factory=list)
    image: PictureChange = field(default_factory=PictureChange)
    teacher_photo: PictureChange = field(default_factory=PictureChange)


def save_course(course: Course | None, data: CourseData) -> Course:
    """Create or update a course and its syllabus in one transaction.

    Lessons are matched by position, so renaming a lesson keeps students' progress on it;
    lessons removed from the end of the syllabus take their progress with them. A picture
    replaced or removed leaves the disk only after the commit; a refused upload changes nothing.
    """
    if data.ends_on < data.starts_on:
        raise CourseError(_l("A course cannot end before it starts."))
    if course is not None and data.seats < course.seats_taken:
        raise CourseError(
            _l(
                "%(taken)d seats are already taken; the course cannot have fewer seats.",
                taken=course.seats_taken,
            )
        )
    slug = _unique_slug(slugify(data.slug or data.title), course)
    changes = {"image_file": data.image, "teacher_photo_file": data.teacher_photo}
    stored = _store_pictures(changes)
    if course is None:
        course = Course(seats_taken=0)
        db.session.add(course)
    course.slug = slug
    for name in (
        "title",
        "summary",
        "description",
        "language",
        "level",
        "format",
        "schedule",
        "starts_on",
        "ends_on",
        "teacher_name",
        "price_minor",
        "currency",
        "seats",
        "published",
    ):
        setattr(course, name, getattr(data, name))
    existing = list(course.lessons)
    for position, (title, summary) in enumerate(data.lessons, start=1):
        if position <= len(existing):
            lesson = existing[position - 1]
            lesson.title, lesson.summary, lesson.position = title, summary, position
        else:
            course.lessons.append(Lesson(position=position, title=title, summary=summary))
    for lesson in existing[len(data.lessons) :]:
        course.lessons.remove(lesson)
    _commit_pictures(course, changes, stored)
    return course


def replace_pictures(
    course: Course, image: PictureChange | None = None, teacher_photo: PictureChange | None = None
) -> Course:
    """Change only a course's pictures (the demo data draws its own); rules as in save_course."""
    changes = {
        "image_file": image or PictureChange(),
        "teacher_photo_file": teacher_photo or PictureChange(),
    }
    _commit_pictures(course, changes, _store_pictures(changes))
    return course


def _commit_pictures(course: Course, changes: dict[str, PictureChange], stored: dict[str, str]):
    """Point the course at its new pictures and commit; old files go once the commit stands,
    new ones if it fails."""
    replaced = []
    for column, change in changes.items():
        if column in stored or change.remove:
            replaced.append(getattr(course, column))
            setattr(course, column, stored.get(column))
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        for name in stored.values():
            pictures.remove(name, picture_dir())
        raise
    for name in replaced:
        pictures.remove(name, picture_dir())


def parse_syllabus(text: str) -> list[tuple[str, str]]:
    """One lesson per line: ``Title`` or ``Title: what it covers``."""
    lessons = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        title, _, summary = line.partition(":")
        lessons.append((title.strip()[:200], summary.strip()))
    return lessons


def syllabus_text(course: Course) -> str:
    return "\n".join(
        f"{lesson.title}: {lesson.summary}" if lesson.summary else lesson.title
        for lesson in course.lessons
    )


def staff_course_list():
    return select(Course).order_by(Course.starts_on.desc(), Course.id.desc())


def lesson_counts(course_ids) -> dict[int, int]:
    """Number of lessons per course, in one query."""
    if not course_ids:
        return {}
    rows = db.session.execute(
        select(Lesson.course_id, func.count(Lesson.id))
        .where(Lesson.course_id.in_(course_ids))
        .group_by(Lesson.course_id)
    )
    return dict(rows.all())
