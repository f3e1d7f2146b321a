"""Demo data for ``make run``: created once, never duplicated, never overwriting real data."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from school.accounts.models import Role, User
from school.accounts.services import create_staff
from school.database import utcnow
from school.extensions import db
from school.privacy.models import ConsentAction, ConsentPurpose
from school.privacy.services import current_policy, record_consent
from school.security import hash_password

ADMIN_EMAIL = "admin@lingua.example"
STUDENT_PASSWORD = "student-demo-1"  # noqa: S105  (published demo credential)
DEMO_STUDENTS = [
    ("Anna Kowalska", "anna@lingua.example", "en", True),
    ("Иван Петров", "ivan@lingua.example", "ru", False),
    ("Maria García", "maria@lingua.example", "en", True),
]


def _credentials_file() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.txt"


def seed_demo() -> list[str]:
    """Create the demo admin and students if missing; return lines to show the operator."""
    lines = []
    credentials = _credentials_file()
    if db.session.scalar(select(User).where(User.email == ADMIN_EMAIL)) is None:
        password = secrets.token_urlsafe(12)
        create_staff("School administrator", ADMIN_EMAIL, password)
        credentials.write_text(f"{ADMIN_EMAIL} {password}\n")
        credentials.chmod(0o600)
    if credentials.exists():
        email, password = credentials.read_text().split()
        lines.append(f"Staff login:    {email} / {password}")

    policy = current_policy()
    for name, email, language, marketing in DEMO_STUDENTS:
        if db.session.scalar(select(User).where(User.email == email)) is not None:
            continue
        student = User(
            full_name=name,
            email=email,
            role=Role.STUDENT,
            locale=language,
            password_hash=hash_password(STUDENT_PASSWORD),
            email_confirmed_at=utcnow(),
        )
        db.session.add(student)
        db.session.flush()
        record_consent(
            user=student,
            purpose=ConsentPurpose.PROCESSING,
            action=ConsentAction.GIVEN,
            policy=policy,
            method="demo data",
            language=language,
        )
        if marketing:
            record_consent(
                user=student,
                purpose=ConsentPurpose.MARKETING,
                action=ConsentAction.GIVEN,
                policy=policy,
                method="demo data",
                language=language,
            )
    db.session.commit()
    seed_processors()
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
    from school.compliance.models import Processor

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
    from school.profile.models import LanguageLevel, Level, Profile

    for email, (fields, levels) in DEMO_PROFILES.items():
        student = db.session.scalar(select(User).where(User.email == email))
        if student is None or db.session.get(Profile, student.id) is not None:
            continue
        db.session.add(Profile(user_id=student.id, **fields))
        for language, level in levels:
            db.session.add(LanguageLevel(user_id=student.id, language=language, level=Level(level)))
    db.session.commit()
