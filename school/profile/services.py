"""Profile rules: saving what a student tells us, their photo, and logging staff access.

Routes, admin pages and other domains (privacy requests) call these functions; each state
change commits here, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.utils import parseaddr

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, or_, select
from sqlalchemy.orm import joinedload

from school import pictures
from school.accounts.models import Role, User
from school.database import utcnow
from school.extensions import db
from school.profile.models import LanguageLevel, Level, Profile, StaffAccess

# Languages a student can rate themselves in: the ones the school teaches and their own.
LANGUAGES = {
    "en": _l("English"),
    "ru": _l("Russian"),
    "be": _l("Belarusian"),
    "de": _l("German"),
    "fr": _l("French"),
    "es": _l("Spanish"),
    "it": _l("Italian"),
    "pl": _l("Polish"),
    "zh": _l("Chinese"),
    "ja": _l("Japanese"),
}

ACCESS_REASONS = {
    "support": _l("Helping you with a question you asked"),
    "enrolment": _l("Handling an enrolment"),
    "privacy_request": _l("Answering a privacy request"),
    "correction": _l("Correcting your data at your request"),
    "legal": _l("A legal obligation (for example, an authority's inquiry)"),
}

ACCESS_PAGES = {
    "profile": _l("Your profile"),
    "profile_reason": _l("Your name, on the page asking for a reason to open your profile"),
    "photo": _l("Your photograph"),
    "privacy_request": _l("A privacy request of yours"),
    # The queue no longer shows who asked; the entries it wrote before that stay readable.
    "privacy_queue": _l("The list of privacy requests, where yours appears"),
    "export": _l("An export of your data"),
    "consent_history": _l("Your consent history"),
    "student_list": _l("The list of students, where your name and email appear"),
    "enrolment_list": _l("The list of enrolments, where yours appears"),
    "enrolment": _l("An enrolment of yours, with your message and payment"),
    "intake_list": _l("The list of emails the school received, where yours appears"),
    "intake_message": _l("An email you sent to the school, as it arrived"),
    "outbox_list": _l("The list of emails the school sent, where one to you appears"),
    "outbox_message": _l("An email the school sent you"),
    "spool_file": _l("A copy of an email the school sent you"),
    "consent_acceptances": _l("The list of consents given and withdrawn, where yours appear"),
}

PROFILE_FIELDS = (
    "display_name",
    "phone",
    "address",
    "postal_code",
    "date_of_birth",
    "workplace",
    "position",
    "education",
    "interests",
    "learning_goals",
)


@dataclass
class ProfileChanges:
    full_name: str
    locale: str
    display_name: str | None = None
    phone: str | None = None
    address: str | None = None
    postal_code: str | None = None
    date_of_birth: date | None = None
    workplace: str | None = None
    position: str | None = None
    education: str | None = None
    interests: str | None = None
    learning_goals: str | None = None


def profile_of(user: User) -> Profile | None:
    return db.session.get(Profile, user.id)


def _profile_for_update(user: User) -> Profile:
    profile = db.session.get(Profile, user.id)
    if profile is None:
        profile = Profile(user_id=user.id)
        db.session.add(profile)
    return profile


def _blank_to_none(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def update_profile(user: User, changes: ProfileChanges) -> Profile:
    """Save every field at once; a blank optional field is cleared (stored as NULL)."""
    profile = apply_profile_changes(user, changes)
    db.session.commit()
    return profile


def apply_profile_changes(user: User, changes: ProfileChanges) -> Profile:
    """Set every field in the caller's transaction (a privacy correction commits it)."""
    user.full_name = changes.full_name.strip()
    user.locale = changes.locale
    profile = _profile_for_update(user)
    for name in PROFILE_FIELDS:
        setattr(profile, name, _blank_to_none(getattr(changes, name)))
    profile.updated_at = utcnow()
    return profile


def current_changes(user: User) -> ProfileChanges:
    """The person's present values, as a starting point for a correction."""
    profile = profile_of(user)
    return ProfileChanges(
        full_name=user.full_name,
        locale=user.locale,
        **{name: getattr(profile, name) if profile else None for name in PROFILE_FIELDS},
    )


def language_levels(user: User) -> list[LanguageLevel]:
    return list(
        db.session.scalars(
            select(LanguageLevel)
            .where(LanguageLevel.user_id == user.id)
            .order_by(LanguageLevel.language)
        )
    )


def set_language_level(user: User, language: str, level: Level) -> LanguageLevel:
    """Add a language, or change the level of one already listed."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    row = db.session.scalar(
        select(LanguageLevel).where(
            LanguageLevel.user_id == user.id, LanguageLevel.language == language
        )
    )
    if row is None:
        row = LanguageLevel(user_id=user.id, language=language, level=level)
        db.session.add(row)
    else:
        row.level = level
    db.session.commit()
    return row


def remove_language_level(user: User, language: str) -> bool:
    row = db.session.scalar(
        select(LanguageLevel).where(
            LanguageLevel.user_id == user.id, LanguageLevel.language == language
        )
    )
    if row is None:
        return False
    db.session.delete(row)
    db.session.commit()
    return True


def replace_photo(user: User, stream, max_bytes: int) -> Profile:
    """Check, re-encode and store a new photo; the old file goes only after the commit.

    Raises :class:`pictures.PhotoError` with a message for the person, changing nothing.
    """
    jpeg = pictures.reencode(pictures.read_limited(stream, max_bytes))
    name = pictures.store(jpeg)
    profile = _profile_for_update(user)
    old = profile.photo_file
    profile.photo_file = name
    profile.photo_updated_at = utcnow()
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        pictures.remove(name)
        raise
    pictures.remove(old)
    return profile


def delete_photo(user: User) -> bool:
    profile = profile_of(user)
    if profile is None or not profile.photo_file:
        return False
    old = profile.photo_file
    profile.photo_file = None
    profile.photo_updated_at = utcnow()
    db.session.commit()
    pictures.remove(old)
    return True


# --- staff ---------------------------------------------------------------------------------


def find_student(public_id: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.public_id == public_id, User.role == Role.STUDENT)
    )


def search_students(text: str | None):
    """A query for the staff list: students whose name or email contains ``text``."""
    query = select(User).where(User.role == Role.STUDENT, User.erased_at.is_(None))
    text = (text or "").strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                User.full_name.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
            )
        )
    return query.order_by(User.full_name, User.id)


def log_staff_access(
    staff: User, subject: User, page: str, reason: str, note: str | None = None
) -> StaffAccess:
    """Record that ``staff`` opened ``subject``'s data on ``page``, and why. Commits.

    ``page`` and ``reason`` are short keys (see ACCESS_PAGES and ACCESS_REASONS; other keys
    are shown as given); ``note`` is the staff member's own words, shown to the student.
    """
    entry = record_staff_access(staff, subject, page, reason, note)
    db.session.commit()
    return entry


def record_staff_access(
    staff: User,
    subject: User | None,
    page: str,
    reason: str,
    note: str | None = None,
    *,
    email: str | None = None,
) -> StaffAccess:
    """Like :func:`log_staff_access`, in the caller's transaction (a staff action on a
    privacy request logs its access together with the action itself). Someone without an
    account is named by ``email``, the address their request came from."""
    entry = StaffAccess(
        staff_id=staff.id,
        subject_id=subject.id if subject is not None else None,
        subject_email=None if subject is not None else _address(email),
        page=page[:40],
        reason=reason[:40],
        note=_blank_to_none(note[:200] if note else None),
    )
    db.session.add(entry)
    return entry


# Written on every staff page, so built once and run on the connection: as Core statements
# they skip the ORM's bulk machinery, which also split a list showing both accounts and
# addresses into one INSERT per set of non-null columns.
_ACCOUNTS_AT = select(User.__table__.c.id, func.lower(User.__table__.c.email)).where(
    func.lower(User.__table__.c.email).in_(bindparam("addresses", expanding=True))
)
_ADD_LOOKS = insert(StaffAccess.__table__)


def record_looks(
    staff: User,
    page: str,
    user_ids: list[int],
    emails: list[str],
    reason: str = "",
    note: str | None = None,
) -> int:
    """One access entry per person a staff page showed, whatever the number of people: one
    query finds the accounts behind the addresses shown, one insert writes every entry, in
    the request's transaction (no commit here: a commit would expire the rows the page is
    about to render). Registered with the staff blueprints (``security.register_look_recorder``),
    whose ``shown`` calls it and which commit once the page is answered. An address that no
    account holds is recorded as the address: export, access report and erasure find the
    entry by it, as they find the rest of that person's data."""
    subject_ids = set(user_ids)
    addresses = {found for found in map(_address, emails) if found}
    db.session.flush()  # what the page's own work left pending goes first, as the ORM would
    connection = db.session.connection()
    if addresses:
        for user_id, address in connection.execute(_ACCOUNTS_AT, {"addresses": list(addresses)}):
            subject_ids.add(user_id)
            addresses.discard(address)
    subjects = [(subject_id, None) for subject_id in sorted(subject_ids)]
    subjects += [(None, address) for address in sorted(addresses)]
    if not subjects:
        return 0
    look = {
        "staff_id": staff.id,
        "at": utcnow(),
        "page": page[:40],
        "reason": reason[:40],
        "note": _blank_to_none(note[:200] if note else None),
    }
    connection.execute(
        _ADD_LOOKS,
        [
            {**look, "subject_id": subject_id, "subject_email": address}
            for subject_id, address in subjects
        ],
    )
    return len(subjects)


def _address(shown: str | None) -> str | None:
    """The address a page shows ("Name <a@b>" or a bare one), or None for what names nobody:
    a keyed fingerprint or placeholder left by erasure (``erased``, ``….invalid``, a domain
    reserved so that it is nobody's)."""
    address = parseaddr(shown or "")[1].strip().lower()
    if "@" not in address or address.endswith(".invalid"):
        return None
    return address


def access_query(subject: User):
    """The person's access entries, newest first, for paging."""
    return (
        select(StaffAccess)
        .options(joinedload(StaffAccess.staff))
        .where(StaffAccess.subject_id == subject.id)
        .order_by(StaffAccess.at.desc(), StaffAccess.id.desc())
    )


def access_log(subject: User, limit: int = 200) -> list[StaffAccess]:
    return list(db.session.scalars(access_query(subject).limit(limit)))


def reason_label(key: str):
    return ACCESS_REASONS.get(key, key)


def page_label(key: str):
    return ACCESS_PAGES.get(key, key)


def language_label(code: str):
    return LANGUAGES.get(code, code)


def photo_for_erasure(subject, result) -> None:
    """Erasure deletes the profile row through the registry; the photo file on disk goes
    too, once the erasure has committed. An address alone has no profile."""
    if subject.user_id is None:
        return
    profile = db.session.get(Profile, subject.user_id)
    if profile is not None and profile.photo_file:
        result.remove_file("photos", pictures.photo_path(profile.photo_file))


def start_profile(user: User, signup) -> None:
    """A new student's profile, holding the date of birth given at sign-up (an account made
    without one, such as staff, has no profile until its owner fills one in)."""
    if signup.date_of_birth is not None:
        db.session.add(Profile(user_id=user.id, date_of_birth=signup.date_of_birth))


def photo_bytes(user: User) -> bytes | None:
    """The person's photo as stored, for their export; None when there is none."""
    profile = profile_of(user)
    if profile is None or not profile.photo_file:
        return None
    path = pictures.photo_path(profile.photo_file)
    return path.read_bytes() if path.exists() else None
