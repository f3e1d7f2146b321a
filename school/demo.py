"""Demo data for ``make run``: created once, never duplicated, never overwriting real data."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from school.accounts.models import User
from school.accounts.services import SignupRequest, add_account, create_staff
from school.compliance.models import Processor
from school.courses.models import Course, Format, Lesson, Level
from school.database import utcnow
from school.enrollment.models import Enrollment, EnrollmentStatus, LessonProgress
from school.extensions import db
from school.files import write_private
from school.profile.models import LanguageLevel, Profile
from school.profile.models import Level as ProfileLevel

ADMIN_EMAIL = "admin@lingua.example"
STUDENT_PASSWORD = "student-demo-1"  # noqa: S105  (published demo credential)
DEMO_STUDENTS = [
    ("Anna Kowalska", "anna@lingua.example", "en", True),
    ("Иван Петров", "ivan@lingua.example", "ru", False),
    ("Maria García", "maria@lingua.example", "en", True),
]


def _credentials_file() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.txt"


class DemoRefused(Exception):
    """Demo accounts have a published password: not on a production site unless forced."""


def seed_demo(force: bool = False) -> list[str]:
    """Create the demo admin and students if missing; return lines to show the operator.

    Refused in production (``SCHOOL_ENV=production``, the default) unless ``force``: the
    students' password is printed in the README, so anyone could sign in as them.
    """
    if current_app.config["SCHOOL_ENV"] == "production" and not force:
        raise DemoRefused(
            "seed-demo creates accounts whose password is published; refusing on a production "
            "site (SCHOOL_ENV=production). Set SCHOOL_ENV=development, or pass --force."
        )
    lines = []
    credentials = _credentials_file()
    if db.session.scalar(select(User).where(User.email == ADMIN_EMAIL)) is None:
        password = secrets.token_urlsafe(12)
        create_staff("School administrator", ADMIN_EMAIL, password)
        write_private(credentials, f"{ADMIN_EMAIL} {password}\n".encode())
    if credentials.exists():
        email, password = credentials.read_text().split()
        lines.append(f"Staff login:    {email} / {password}")

    for name, email, language, marketing in DEMO_STUDENTS:
        if db.session.scalar(select(User).where(User.email == email)) is not None:
            continue
        add_account(
            SignupRequest(
                full_name=name,
                email=email,
                password=STUDENT_PASSWORD,
                language=language,
                marketing_consent=marketing,
            ),
            method="demo data",
            confirmed=True,
        )
    db.session.commit()
    seed_processors()
    seed_courses()
    seed_profiles()
    emails = ", ".join(email for _, email, _, _ in DEMO_STUDENTS)
    lines.append(f"Student logins: {emails} / {STUDENT_PASSWORD}")
    return lines


DEMO_PROCESSORS = [
    ("MailRelay BY", "Delivers the emails the school sends", "email address, message content",
     "BY", ""),
    ("PayGate", "Takes course payments; card data goes to them, never to us",
     "name, email address, payment reference", "BY", ""),
    ("EuroHost GmbH", "Hosts the site and its backups", "all data the site stores", "DE",
     "Contract with standard data-protection clauses; Law 99-Z Art. 9 permission for the "
     "transfer"),
]  # fmt: skip


def seed_processors() -> None:
    if db.session.scalar(select(Processor).limit(1)) is not None:
        return
    for name, service, categories, country, ground in DEMO_PROCESSORS:
        db.session.add(
            Processor(
                name=name,
                service=service,
                data_categories=categories,
                country=country,
                transfer_ground=ground,
            )
        )
    db.session.commit()


# (title, language, level, format, schedule, teacher, price in euros, seats, lessons)
DEMO_COURSES = [
    ("English for Everyday Life", "en", "A1", "group", "Mon & Wed 18:00–19:30", "Emma Clarke",
     240, 10),
    ("English Conversation Club", "en", "B1", "group", "Tue & Thu 19:00–20:30", "Emma Clarke",
     260, 8),
    ("Business English", "en", "B2", "group", "Sat 10:00–13:00", "Oliver Grant", 320, 8),
    ("English for IT Professionals", "en", "C1", "one_to_one", "By arrangement",
     "Oliver Grant", 480, 1),
    ("German from Scratch", "de", "A1", "group", "Mon & Thu 18:30–20:00", "Lena Vogel", 250, 10),
    ("German: Getting Around", "de", "A2", "group", "Tue & Fri 18:30–20:00", "Lena Vogel",
     250, 10),
    ("Deutsch im Beruf", "de", "B2", "one_to_one", "By arrangement", "Jonas Weber", 450, 1),
    ("French for Travellers", "fr", "A2", "group", "Wed 18:00–20:00", "Claire Moreau", 220, 12),
    ("French Literature Circle", "fr", "C1", "group", "Sat 12:00–14:00", "Claire Moreau",
     280, 6),
    ("Spanish Basics", "es", "A1", "group", "Mon & Wed 19:00–20:30", "Diego Ruiz", 230, 12),
    ("Spanish Intensive", "es", "B1", "group", "Mon–Fri 10:00–12:00", "Diego Ruiz", 390, 8),
    ("Italian Pronunciation", "it", "A2", "one_to_one", "By arrangement", "Giulia Conti",
     300, 1),
    ("Polish for Newcomers", "pl", "A1", "group", "Tue & Thu 18:00–19:30", "Marta Nowak",
     210, 10),
    ("Chinese: First Characters", "zh", "A1", "group", "Sat 10:00–12:00", "Li Wei", 260, 8),
    ("Russian as a Foreign Language", "ru", "B1", "group", "Mon & Wed 17:00–18:30",
     "Olga Smirnova", 240, 10),
    ("Proficiency Exam Preparation", "en", "C2", "group", "Sun 10:00–13:00", "Emma Clarke",
     350, 6),
]  # fmt: skip

DEMO_SUMMARIES = {
    "A1": "From your very first words to simple everyday conversations.",
    "A2": "Get by in shops, on trips and in small talk with confidence.",
    "B1": "Speak freely about work, plans and opinions.",
    "B2": "Fluent, accurate language for work and study.",
    "C1": "Nuance, style and the language of professionals.",
    "C2": "Polish near-native mastery and prepare for the top exams.",
}

DEMO_LESSONS = [
    ("Getting started", "greetings, introductions and the sounds of the language"),
    ("Everyday situations", "shops, transport and asking the way"),
    ("Talking about yourself", "family, work and free time"),
    ("Past and future", "telling what happened and making plans"),
    ("Opinions", "agreeing, disagreeing and giving reasons"),
    ("Review and practice", "a friendly test and feedback"),
]


def seed_courses() -> None:
    """Sixteen courses across eight languages, with a syllabus each, and a few enrolments."""
    if db.session.scalar(select(Course).limit(1)) is not None:
        return
    today = utcnow().date()
    courses = []
    for n, (title, language, level, fmt, schedule, teacher, euros, seats) in enumerate(
        DEMO_COURSES
    ):
        starts = today + timedelta(days=7 * (n % 6) - 14)
        course = Course(
            slug=title.lower().replace(":", "").replace(" ", "-"),
            title=title,
            summary=DEMO_SUMMARIES.get(level, ""),
            description=(
                f"A {'small-group' if fmt == 'group' else 'personal'} course for learners at "
                f"level {level}. Classes are online, with homework you can do in 20 minutes."
            ),
            language=language,
            level=Level(level),
            format=Format(fmt),
            schedule=schedule,
            starts_on=starts,
            ends_on=starts + timedelta(weeks=12),
            teacher_name=teacher,
            price_minor=euros * 100,
            currency="EUR",
            seats=seats,
            seats_taken=0,
            lessons=[
                Lesson(position=i, title=t, summary=summary)
                for i, (t, summary) in enumerate(DEMO_LESSONS, start=1)
            ],
        )
        db.session.add(course)
        courses.append(course)
    db.session.flush()

    anna = db.session.scalar(select(User).where(User.email == DEMO_STUDENTS[0][1]))
    ivan = db.session.scalar(select(User).where(User.email == DEMO_STUDENTS[1][1]))
    if anna is not None:
        active = Enrollment(user=anna, course=courses[0], status=EnrollmentStatus.ACTIVE,
                            open_key=f"{anna.id}:{courses[0].id}", started_at=utcnow())  # fmt: skip
        courses[0].seats_taken += 1
        db.session.add(active)
        db.session.flush()
        for lesson in courses[0].lessons[:2]:
            db.session.add(LessonProgress(enrollment_id=active.id, lesson_id=lesson.id))
    if ivan is not None:
        db.session.add(
            Enrollment(
                user=ivan,
                course=courses[4],
                status=EnrollmentStatus.REQUESTED,
                open_key=f"{ivan.id}:{courses[4].id}",
                message="I studied German at school long ago.",
            )  # fmt: skip
        )


DEMO_PROFILES = {
    "anna@lingua.example": (
        {"display_name": "Anna", "phone": "+48 600 100 200", "postal_code": "00-950",
         "workplace": "Warsaw City Library", "position": "Archivist",
         "learning_goals": "Read Russian literature in the original"},
        [("ru", "A2"), ("en", "C1"), ("pl", "C2")],
    ),
    "ivan@lingua.example": (
        {"display_name": "Ваня", "address": "ул. Сирени 12, кв. 4, Минск", "postal_code": "220030",
         "interests": "Перевод технической документации", "learning_goals": "Сдать IELTS на 7.0"},
        [("en", "B1"), ("ru", "C2")],
    ),
    "maria@lingua.example": (
        {"education": "BA in Economics, Universidad de Sevilla", "interests": "Trade, logistics"},
        [("de", "A1"), ("es", "C2")],
    ),
}  # fmt: skip


def seed_profiles() -> None:
    """Profiles for the demo students, added once and never over a profile they edited."""
    for email, (fields, levels) in DEMO_PROFILES.items():
        student = db.session.scalar(select(User).where(User.email == email))
        if student is None or db.session.get(Profile, student.id) is not None:
            continue
        db.session.add(Profile(user_id=student.id, **fields))
        for language, level in levels:
            db.session.add(
                LanguageLevel(user_id=student.id, language=language, level=ProfileLevel(level))
            )
    db.session.commit()
