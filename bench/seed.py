"""Seed a migrated database with a school of a given scale, fast.

Rows go in with Core ``insert()`` over lists of dicts (one executemany per table), with ids
chosen here so nothing has to be read back. bcrypt runs once: every account shares the hash,
and only the three accounts below ever sign in.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_migrate import upgrade

from bench.scale import Scale
from school.accounts.models import Role, User
from school.courses.models import TAUGHT_LANGUAGES, Course, Format, Lesson, Level
from school.database import utcnow
from school.enrollment.models import Certificate, Enrollment, LessonProgress
from school.enrollment.models import EnrollmentStatus as ES
from school.extensions import db
from school.privacy.consent.ledger import current_policy
from school.privacy.consent.models import ConsentAction, ConsentPurpose, ConsentRecord
from school.privacy.requests.models import (
    OPEN_STATUSES,
    PrivacyRequest,
    RequestChannel,
    RequestEvent,
    RequestStatus,
    RequestType,
)
from school.security import hash_password

PASSWORD = "bench-password-1"  # noqa: S105  (a throwaway database)
STUDENT = "student@bench.example"  # signs in for the dashboard and privacy centre
HEAVY = "heavy@bench.example"  # the student whose export is timed
STAFF = "staff@bench.example"  # signs in for the request queue

STATUS_MIX = [ES.ACTIVE] * 5 + [ES.COMPLETED] * 3 + [ES.REQUESTED, ES.APPROVED, ES.CANCELLED]
SEAT_HOLDING = {ES.APPROVED, ES.ACTIVE, ES.COMPLETED}
OPEN = {ES.REQUESTED, ES.WAITLISTED, ES.APPROVED, ES.ACTIVE}


@dataclass
class Seeded:
    course_slug: str
    counts: dict[str, int]


def _insert(model, rows: list[dict]) -> None:
    if rows:
        db.session.execute(model.__table__.insert(), rows)


def seed(scale: Scale, seed_value: int = 1) -> Seeded:
    """Migrate the app's database and fill it; call inside the app context."""
    upgrade()
    rng = random.Random(seed_value)
    now = utcnow()
    today = now.date()
    password_hash = hash_password(PASSWORD)
    policy = current_policy()

    # --- people ----------------------------------------------------------------------------
    first_id = (db.session.scalar(db.select(db.func.max(User.id))) or 0) + 1
    special = [(STUDENT, "Bench Student", Role.STUDENT), (HEAVY, "Heavy Student", Role.STUDENT),
               (STAFF, "Bench Staff", Role.STAFF)]  # fmt: skip
    people = special + [
        (f"s{i}@bench.example", f"Student {i}", Role.STUDENT) for i in range(scale.students)
    ]
    users = []
    for offset, (email, name, role) in enumerate(people):
        users.append(
            dict(
                id=first_id + offset, public_id=secrets.token_urlsafe(12), email=email,
                full_name=name, password_hash=password_hash, role=role,
                locale="ru" if offset % 3 == 0 and offset > 2 else "en",
                email_confirmed_at=now,
                created_at=now - timedelta(days=rng.randint(0, 700)), login_count=0,
            )
        )  # fmt: skip
    _insert(User, users)
    student_id, heavy_id = first_id, first_id + 1
    student_ids = [u["id"] for u in users if u["role"] is Role.STUDENT]
    others = student_ids[2:]
    consents = [
        dict(user_id=u["id"], email=None, purpose=ConsentPurpose.PROCESSING,
             action=ConsentAction.GIVEN, policy_version_id=policy.id, wording="bench",
             language=u["locale"], method="bench", created_at=u["created_at"])
        for u in users
    ]  # fmt: skip
    consents += [
        dict(user_id=u["id"], email=None, purpose=ConsentPurpose.MARKETING,
             action=ConsentAction.GIVEN, policy_version_id=policy.id, wording="bench",
             language=u["locale"], method="bench", created_at=u["created_at"])
        for u in users[::4]
    ]  # fmt: skip
    _insert(ConsentRecord, consents)

    # --- courses and lessons ---------------------------------------------------------------
    levels, formats = list(Level), list(Format)
    courses, lessons = [], []
    lessons_of: dict[int, list[int]] = {}
    lesson_id = 1
    for c in range(1, scale.courses + 1):
        starts = today + timedelta(days=rng.randint(-120, 90))
        courses.append(
            dict(
                id=c, slug=f"bench-course-{c}", title=f"Bench course {c}",
                summary="A course for the benchmark.", description="Lessons and practice. " * 20,
                language=TAUGHT_LANGUAGES[c % len(TAUGHT_LANGUAGES)], level=levels[c % 6],
                format=formats[c % 2], schedule="Mon, Wed 18:00", starts_on=starts,
                ends_on=starts + timedelta(days=120), teacher_name=f"Teacher {c % 7}",
                price_minor=25_000, currency="EUR", seats=0, seats_taken=0, published=True,
                created_at=now,
            )
        )  # fmt: skip
        lessons_of[c] = []
        for position in range(1, scale.lessons_per_course + 1):
            lessons.append(
                dict(id=lesson_id, course_id=c, position=position, title=f"Lesson {position}",
                     summary="What this lesson covers.")
            )  # fmt: skip
            lessons_of[c].append(lesson_id)
            lesson_id += 1

    # --- enrolments, progress, certificates ------------------------------------------------
    enrolments: list[dict] = []
    progress: list[dict] = []
    certificates: list[dict] = []
    taken = dict.fromkeys(range(1, scale.courses + 1), 0)
    open_keys: set[str] = set()
    course_ids = list(range(1, scale.courses + 1))

    def enrol(user_id: int, course_id: int, status: ES, done: int) -> None:
        key = f"{user_id}:{course_id}"
        if status in OPEN and key in open_keys:
            status = ES.COMPLETED
        requested = now - timedelta(days=rng.randint(1, 300), minutes=len(enrolments))
        row = dict(
            id=len(enrolments) + 1, public_id=secrets.token_urlsafe(12), user_id=user_id,
            course_id=course_id, status=status, open_key=key if status in OPEN else None,
            preferred_schedule="", self_assessed_level="", message="",
            contract_accepted_at=requested, contract_wording="bench", requested_at=requested,
            decided_at=requested if status is not ES.REQUESTED else None,
            started_at=requested if status in {ES.ACTIVE, ES.COMPLETED} else None,
            completed_at=now if status is ES.COMPLETED else None,
            cancelled_at=now if status is ES.CANCELLED else None, payment_reference="",
            payment_status="paid" if status in SEAT_HOLDING else "unpaid",
        )  # fmt: skip
        if status in OPEN:
            open_keys.add(key)
        if status in SEAT_HOLDING:
            taken[course_id] += 1
        enrolments.append(row)
        for lesson in lessons_of[course_id][:done]:
            progress.append(dict(enrollment_id=row["id"], lesson_id=lesson,
                                 done_at=requested + timedelta(days=1)))  # fmt: skip
        if status is ES.COMPLETED:
            course = courses[course_id - 1]
            certificates.append(dict(enrollment_id=row["id"], code=secrets.token_hex(7).upper(),
                                     course_title=course["title"], language=course["language"],
                                     level=course["level"], issued_at=now))  # fmt: skip

    per_course = scale.lessons_per_course
    for n in range(scale.own_enrolments):  # the signed-in student
        enrol(student_id, course_ids[n % len(course_ids)], STATUS_MIX[n % 4], per_course // 2)
    left = scale.export_progress  # the heavy student: retakes until the rows are there
    n = 0
    while left > 0:
        done = min(per_course, left)
        enrol(heavy_id, course_ids[n % len(course_ids)], ES.COMPLETED, done)
        left -= done
        n += 1
    remaining = max(scale.progress - len(progress), 0)
    per_student = 2
    slots = max(len(others) * per_student, 1)
    for index in range(len(others) * per_student):
        # An even share, give or take a few, so enrolments differ but the total is exact.
        share = remaining // (slots - index) if slots > index else 0
        done = min(per_course, max(0, share + rng.randint(-3, 3)))
        if index == slots - 1:
            done = min(per_course, remaining)
        remaining -= done
        user = others[index // per_student]
        course = course_ids[(index * 7 + index // per_student) % len(course_ids)]
        enrol(user, course, rng.choice(STATUS_MIX), done)
    for course in courses:
        course["seats_taken"] = taken[course["id"]]
        course["seats"] = taken[course["id"]] + 20
    _insert(Course, courses)
    _insert(Lesson, lessons)
    _insert(Enrollment, enrolments)
    _insert(LessonProgress, progress)
    _insert(Certificate, certificates)

    # --- privacy requests ------------------------------------------------------------------
    # Two years of requests, as a school that has run a while has them: those received in
    # the last five weeks still open (the oldest of them overdue), the rest closed.
    types = list(RequestType)
    open_mix = [RequestStatus.RECEIVED, RequestStatus.AWAITING_CONFIRMATION,
                RequestStatus.AWAITING_REVIEW, RequestStatus.APPROVED]  # fmt: skip
    closed_mix = [RequestStatus.COMPLETED] * 6 + [
        RequestStatus.REJECTED, RequestStatus.CANCELLED, RequestStatus.EXPIRED]  # fmt: skip
    emails = {u["id"]: u["email"] for u in users}
    requests, events = [], []
    request_keys: set[str] = set()
    owners = [student_id] * scale.own_requests + [
        others[i % len(others)] for i in range(max(scale.requests - scale.own_requests, 0))
    ]
    for index, owner in enumerate(owners):
        kind = types[(index + index // max(len(others), 1)) % len(types)]
        age = index * 9 if index < scale.own_requests else rng.randint(0, 729)
        if index == scale.own_requests:
            age = 400  # closed: even the tiny school lists a completed request
        mix = open_mix if age <= 35 else closed_mix
        status = mix[index % len(mix)]
        email = emails[owner]
        key = f"{email}|{kind.value}"
        if status in OPEN_STATUSES and key in request_keys:
            status = RequestStatus.COMPLETED
        received = now - timedelta(days=age, minutes=index)
        due = received.date() + timedelta(days=30)
        request_id = index + 1
        requests.append(
            dict(
                id=request_id, public_id=secrets.token_urlsafe(16), type=kind, status=status,
                channel=list(RequestChannel)[index % 3], user_id=owner, subject_email=email,
                details="Please act on my data.", requested_changes={}, language="en",
                open_key=key if status in OPEN_STATUSES else None, received_at=received,
                confirmed_at=received, due_on=due,
                extended_due_on=due + timedelta(days=60) if index % 17 == 0 else None,
                due_by=due + timedelta(days=60) if index % 17 == 0 else due,
                extension_reason="complex" if index % 17 == 0 else None,
                completed_at=now if status is RequestStatus.COMPLETED else None, outcome={},
            )
        )  # fmt: skip
        if status in OPEN_STATUSES:
            request_keys.add(key)
        events.append(
            dict(request_id=request_id, at=received, actor_role="subject", from_status=None,
                 to_status=RequestStatus.RECEIVED, note="")
        )  # fmt: skip
        if status is not RequestStatus.RECEIVED:
            events.append(dict(request_id=request_id, at=received + timedelta(hours=2),
                               actor_role="system", from_status=RequestStatus.RECEIVED,
                               to_status=status, note=""))  # fmt: skip
    _insert(PrivacyRequest, requests)
    _insert(RequestEvent, events)
    db.session.commit()
    return Seeded(
        course_slug=courses[0]["slug"],
        counts={
            "students": len(student_ids),
            "consents": len(consents),
            "courses": len(courses),
            "lessons": len(lessons),
            "enrolments": len(enrolments),
            "progress": len(progress),
            "privacy requests": len(requests),
            "request events": len(events),
            "completed requests": sum(r["status"] is RequestStatus.COMPLETED for r in requests),
            "export student's progress": sum(
                1 for p in progress if enrolments[p["enrollment_id"] - 1]["user_id"] == heavy_id
            ),
        },
    )
