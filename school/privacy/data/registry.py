"""The one declaration of every piece of data the school stores.

Every column of every table is declared here, either as personal data (with its category,
purpose, legal basis, retention, whether an export includes it and what erasure does to it)
or as holding no personal data. The public "what we hold and why" page, the export, erasure
and retention all read this module, and a test fails when a column is missing from it, so a
new model cannot slip past the privacy rules.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


class Basis(enum.StrEnum):
    """Legal basis for processing (GDPR Art. 6; Law 99-Z Art. 6 and 8)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    LEGITIMATE_INTEREST = "legitimate_interest"


BASIS_LABELS = {
    Basis.CONSENT: _l("your consent"),
    Basis.CONTRACT: _l("our contract with you (the course offer you accepted)"),
    Basis.LEGAL_OBLIGATION: _l("a legal obligation of the school"),
    Basis.LEGITIMATE_INTEREST: _l("the school's legitimate interest, weighed against yours"),
}


class Erasure(enum.StrEnum):
    """What an erasure request does to a value."""

    DELETE = "delete"
    ANONYMISE = "anonymise"
    KEEP = "keep"  # kept for a stated legal reason (``keep_reason``)


@dataclass(frozen=True)
class Category:
    key: str
    label: object  # lazy string
    description: object


@dataclass(frozen=True)
class Retention:
    """How long a value is kept. ``days`` counts from ``anchor``; None means until erasure."""

    key: str
    label: object
    days: int | None = None
    anchor: str = "account_closed"


@dataclass(frozen=True)
class PersonalField:
    table: str
    column: str
    category: Category
    purpose: object
    basis: Basis
    retention: Retention
    export: bool
    erasure: Erasure
    keep_reason: object | None = None
    encrypted: bool = False
    # How ANONYMISE rewrites the value: "text" (a fixed placeholder), "fingerprint" (a keyed
    # hash that proves a match if the person gives us the value again, but cannot be read
    # back), or "unique_email" (a placeholder address unique to the row).
    anonymise_as: str = "text"

    @property
    def key(self) -> str:
        return f"{self.table}.{self.column}"


# --- Categories --------------------------------------------------------------------------

IDENTITY = Category(
    "identity", _l("Identity"), _l("Who you are: your name and how the site addresses you.")
)
CONTACT = Category("contact", _l("Contact details"), _l("How we reach you."))
ACCOUNT = Category(
    "account",
    _l("Account and security"),
    _l("What lets you sign in safely and lets us detect misuse of your account."),
)
CONSENTS = Category(
    "consents",
    _l("Consents"),
    _l("What you agreed to, when, to which version of our policy, and any withdrawal."),
)
COMMUNICATIONS = Category(
    "communications", _l("Messages we send you"), _l("Emails sent to you and their delivery.")
)

# --- Retention rules ---------------------------------------------------------------------

WHILE_ACCOUNT_EXISTS = Retention(
    "account", _l("while your account exists; erased or anonymised when it is closed")
)
SECURITY_LOG = Retention(
    "security", _l("12 months from the event, then deleted"), days=365, anchor="event"
)
CONSENT_EVIDENCE = Retention(
    "consent_evidence",
    _l("3 years after the consent ends, to prove it was given"),
    days=3 * 365,
    anchor="consent_ended",
)
MAIL_LOG = Retention("mail_log", _l("90 days after sending, then deleted"), days=90, anchor="event")


_FIELDS: dict[str, PersonalField] = {}
_NOT_PERSONAL: set[str] = set()


def personal(table: str, column: str, **declaration) -> PersonalField:
    field = PersonalField(table=table, column=column, **declaration)
    if field.key in _FIELDS or field.key in _NOT_PERSONAL:
        raise ValueError(f"{field.key} is declared twice")
    if field.erasure is Erasure.KEEP and not field.keep_reason:
        raise ValueError(f"{field.key} is kept on erasure without a stated reason")
    _FIELDS[field.key] = field
    return field


def not_personal(table: str, *columns: str) -> None:
    """Declare columns that hold no personal data (keys, states, course facts)."""
    for column in columns:
        key = f"{table}.{column}"
        if key in _FIELDS or key in _NOT_PERSONAL:
            raise ValueError(f"{key} is declared twice")
        _NOT_PERSONAL.add(key)


def fields() -> Iterator[PersonalField]:
    return iter(_FIELDS.values())


def field(table: str, column: str) -> PersonalField:
    return _FIELDS[f"{table}.{column}"]


def fields_of(table: str) -> list[PersonalField]:
    return [f for f in _FIELDS.values() if f.table == table]


def categories() -> list[Category]:
    seen: dict[str, Category] = {}
    for f in _FIELDS.values():
        seen.setdefault(f.category.key, f.category)
    return list(seen.values())


def unclassified_columns(tables: Iterable) -> list[str]:
    """Every ``table.column`` of ``tables`` (SQLAlchemy Table objects) not declared here."""
    missing = []
    for table in tables:
        for column in table.columns:
            key = f"{table.name}.{column.name}"
            if key not in _FIELDS and key not in _NOT_PERSONAL:
                missing.append(key)
    return sorted(missing)


def declared_keys() -> set[str]:
    return set(_FIELDS) | _NOT_PERSONAL


@dataclass(frozen=True)
class Ownership:
    """How to find one person's rows in a table.

    ``column`` holds the person's ``user.id``; or, with ``via``, it holds the ``id`` of a row
    of the ``via`` table, which is itself owned directly. Export and erasure walk these.
    """

    table: str
    column: str | None
    via: str | None = None
    # Rows tied to the person's address rather than their account (mail sent to them
    # before they signed up, a request emailed without an account).
    email_column: str | None = None


_OWNERS: dict[str, Ownership] = {}


def owned(table: str, column: str, via: str | None = None, email_column: str | None = None) -> None:
    if table in _OWNERS:
        raise ValueError(f"{table} has two owners")
    if via is not None and (via not in _OWNERS or _OWNERS[via].via is not None):
        raise ValueError(f"{table}: {via} must be declared first, and owned directly")
    _OWNERS[table] = Ownership(table, column, via, email_column)


def ownerships() -> list[Ownership]:
    """Every table holding rows about one person, parents before children."""
    return list(_OWNERS.values())


def ownership(table: str) -> Ownership | None:
    return _OWNERS.get(table)


# =========================================================================================
# The declarations. Keep them grouped by table, in the order of the domain packages.
# =========================================================================================

# --- accounts: user ----------------------------------------------------------------------
not_personal("user", "id", "role", "created_at", "erased_at", "restricted_at")
personal(
    "user",
    "full_name",
    category=IDENTITY,
    purpose=_l("to run your account, address you and issue certificates in your name"),
    basis=Basis.CONTRACT,
    retention=WHILE_ACCOUNT_EXISTS,
    export=True,
    erasure=Erasure.ANONYMISE,
)
personal(
    "user",
    "email",
    category=CONTACT,
    purpose=_l("to sign you in and to send you messages about your account and courses"),
    basis=Basis.CONTRACT,
    retention=WHILE_ACCOUNT_EXISTS,
    export=True,
    erasure=Erasure.ANONYMISE,
    anonymise_as="unique_email",
)
personal(
    "user",
    "password_hash",
    category=ACCOUNT,
    purpose=_l("to check your password; we store only a one-way bcrypt hash, never the password"),
    basis=Basis.CONTRACT,
    retention=WHILE_ACCOUNT_EXISTS,
    export=False,
    erasure=Erasure.DELETE,
)
personal(
    "user",
    "locale",
    category=ACCOUNT,
    purpose=_l("to show the site and send emails in the language you chose"),
    basis=Basis.CONTRACT,
    retention=WHILE_ACCOUNT_EXISTS,
    export=True,
    erasure=Erasure.DELETE,
)
personal(
    "user",
    "email_confirmed_at",
    category=ACCOUNT,
    purpose=_l("to know that your email address really is yours"),
    basis=Basis.CONTRACT,
    retention=WHILE_ACCOUNT_EXISTS,
    export=True,
    erasure=Erasure.DELETE,
)
for _column, _purpose in (
    ("last_login_at", _l("to show you your last sign-in and to detect misuse of your account")),
    ("last_login_ip", _l("to detect misuse of your account")),
    ("login_count", _l("to detect misuse of your account")),
):
    personal(
        "user",
        _column,
        category=ACCOUNT,
        purpose=_purpose,
        basis=Basis.LEGITIMATE_INTEREST,
        retention=SECURITY_LOG,
        export=True,
        erasure=Erasure.DELETE,
    )

# --- privacy: policy versions and the consent ledger --------------------------------------
not_personal(
    "policy_version",
    "id",
    "version",
    "effective_on",
    "significant",
    "body_en",
    "body_ru",
    "summary_en",
    "summary_ru",
    "published_at",
    "published_by_id",
)
not_personal("consent_record", "id", "user_id", "policy_version_id", "purpose", "action")
personal(
    "consent_record",
    "email",
    category=CONSENTS,
    purpose=_l("to prove what you agreed to, and when, as the law requires of us"),
    basis=Basis.LEGAL_OBLIGATION,
    retention=CONSENT_EVIDENCE,
    export=True,
    erasure=Erasure.ANONYMISE,
    anonymise_as="fingerprint",
)
for _column in (
    "wording",
    "language",
    "method",
    "ip_address",
    "given_on_behalf_by",
    "created_at",
):
    personal(
        "consent_record",
        _column,
        category=CONSENTS,
        purpose=_l("to prove what you agreed to, and when, as the law requires of us"),
        basis=Basis.LEGAL_OBLIGATION,
        retention=CONSENT_EVIDENCE,
        export=True,
        erasure=Erasure.KEEP,
        keep_reason=_l(
            "kept as proof of consent for three years, while a claim about it is possible; "
            "your address in it is replaced by a fingerprint, and your account has no name"
        ),
    )

# --- mail: the outbox ---------------------------------------------------------------------
not_personal(
    "outbox_message",
    "id",
    "template",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
    "sent_at",
    "message_id",
    "user_id",
    "last_error",
)
for _column in ("recipient", "subject", "text_body", "html_body", "headers"):
    # Erasure empties a message to the person but keeps its row and state (a campaign still
    # counts it); the recipient becomes a placeholder unique to the row.
    personal(
        "outbox_message",
        _column,
        category=COMMUNICATIONS,
        purpose=_l("to deliver messages to you and show that they were sent"),
        basis=Basis.CONTRACT,
        retention=MAIL_LOG,
        export=_column in ("recipient", "subject"),
        erasure=Erasure.ANONYMISE if _column == "recipient" else Erasure.DELETE,
        anonymise_as="unique_email" if _column == "recipient" else "text",
    )

# --- analytics: page views (pseudonymous, with consent) --------------------------------------
VISITS = Category(
    "visits",
    _l("Visit statistics"),
    _l(
        "Pages seen during a visit, with browser, system, language and screen size; only with "
        "your consent, never linked to your account."
    ),
)
ANALYTICS_RETENTION = Retention(
    "analytics", _l("180 days from the visit, then deleted"), days=180, anchor="event"
)
not_personal("page_view", "id")
for _column in ("visit_id", "at", "path", "browser", "os", "language", "screen", "ip_prefix"):
    personal(
        "page_view",
        _column,
        category=VISITS,
        purpose=_l("to learn which pages help students and which confuse them"),
        basis=Basis.CONSENT,
        retention=ANALYTICS_RETENTION,
        export=False,  # not linked to any account, so it cannot be found for one person
        erasure=Erasure.DELETE,
    )

# --- privacy: requests and their history ---------------------------------------------------
REQUESTS = Category(
    "requests",
    _l("Your privacy requests"),
    _l("Requests you made about your data, how and when we answered them."),
)
REQUEST_EVIDENCE = Retention(
    "request_evidence",
    _l("3 years after the request is closed, to show how we answered it"),
    days=3 * 365,
    anchor="request_closed",
)
not_personal(
    "privacy_request",
    "id",
    "public_id",
    "type",
    "status",
    "channel",
    "user_id",
    "open_key",
    "received_at",
    "confirmed_at",
    "due_on",
    "extended_due_on",
    "due_by",
    "decided_by_id",
    "decided_at",
    "completed_at",
    "outcome",
)
personal(
    "privacy_request",
    "subject_email",
    category=REQUESTS,
    purpose=_l("to answer your request and prove that we did"),
    basis=Basis.LEGAL_OBLIGATION,
    retention=REQUEST_EVIDENCE,
    export=True,
    erasure=Erasure.ANONYMISE,
    anonymise_as="fingerprint",
)
for _column in ("details", "requested_changes", "extension_reason", "rejection_reason", "language"):
    personal(
        "privacy_request",
        _column,
        category=REQUESTS,
        purpose=_l("to answer your request and prove that we did"),
        basis=Basis.LEGAL_OBLIGATION,
        retention=REQUEST_EVIDENCE,
        export=True,
        erasure=Erasure.DELETE if _column in ("details", "requested_changes") else Erasure.KEEP,
        keep_reason=None
        if _column in ("details", "requested_changes")
        else _l("proof of how your request was answered"),
    )
not_personal(
    "privacy_request_event",
    "id",
    "request_id",
    "at",
    "actor_id",
    "actor_role",
    "from_status",
    "to_status",
    "note",
)

# --- compliance registers (about the school's processing, not about one person) ---------------
not_personal(
    "processor",
    "id",
    "name",
    "service",
    "data_categories",
    "country",
    "transfer_ground",
    "contract_signed_on",
    "active",
    "created_at",
)
not_personal(
    "authority_inquiry",
    "id",
    "authority",
    "reference",
    "subject",
    "received_on",
    "due_on",
    "answered_on",
    "answer_summary",
    "handled_by_id",
    "created_at",
)
not_personal(
    "breach",
    "id",
    "discovered_at",
    "description",
    "data_categories",
    "people_affected",
    "likely_consequences",
    "measures",
    "authority_due_at",
    "authority_notified_at",
    "people_notified_at",
    "recorded_by_id",
    "created_at",
)

# --- courses: the catalogue -----------------------------------------------------------------
TEACHING = Category(
    "teaching",
    _l("Teachers named on course pages"),
    _l("The name of the teacher of each course, shown to students choosing a course."),
)
not_personal(
    "course",
    "id",
    "slug",
    "title",
    "summary",
    "description",
    "language",
    "level",
    "format",
    "schedule",
    "starts_on",
    "ends_on",
    "price_minor",
    "currency",
    "seats",
    "seats_taken",
    "published",
    "created_at",
)
personal(
    "course",
    "teacher_name",
    category=TEACHING,
    purpose=_l("to tell students who will teach them"),
    basis=Basis.CONTRACT,
    retention=Retention("course_listing", _l("while the course is listed")),
    export=False,
    erasure=Erasure.KEEP,
    keep_reason=_l("part of the course description; a teacher's own data follows their contract"),
)
not_personal("lesson", "id", "course_id", "position", "title", "summary")

# --- enrollment: places on courses, progress, certificates ------------------------------------
LEARNING = Category(
    "learning",
    _l("Courses and progress"),
    _l("Your enrolments, what you told us when enrolling, the lessons you marked done and your "
       "certificates."),
)  # fmt: skip
STUDIES = Retention(
    "studies",
    _l(
        "while your account exists; after erasure a completed course and its certificate stay "
        "without your name"
    ),
)
ACCOUNTING = Retention(
    "accounting",
    _l("5 years after the year of payment, as accounting law requires"),
    days=5 * 365,
    anchor="event",
)
COMPLETED_COURSE_REASON = _l(
    "a completed course and its certificate stay, no longer linked to your name, so that a "
    "certificate you gave someone can still be verified"
)
not_personal("enrollment", "id", "public_id", "user_id", "course_id", "open_key", "decided_by_id")
for _column, _erasure in (
    ("status", Erasure.KEEP),
    ("requested_at", Erasure.KEEP),
    ("completed_at", Erasure.KEEP),
    ("decided_at", Erasure.DELETE),
    ("waitlisted_at", Erasure.DELETE),
    ("started_at", Erasure.DELETE),
    ("cancelled_at", Erasure.DELETE),
    ("decline_reason", Erasure.DELETE),
    ("preferred_schedule", Erasure.DELETE),
    ("self_assessed_level", Erasure.DELETE),
    ("message", Erasure.DELETE),
):
    personal(
        "enrollment",
        _column,
        category=LEARNING,
        purpose=_l("to consider your enrolment and teach you the course"),
        basis=Basis.CONTRACT,
        retention=STUDIES,
        export=True,
        erasure=_erasure,
        keep_reason=COMPLETED_COURSE_REASON if _erasure is Erasure.KEEP else None,
    )
for _column in ("contract_accepted_at", "contract_wording"):
    personal(
        "enrollment",
        _column,
        category=LEARNING,
        purpose=_l("to prove what you agreed to when you enrolled"),
        basis=Basis.LEGAL_OBLIGATION,
        retention=CONSENT_EVIDENCE,
        export=True,
        erasure=Erasure.KEEP,
        keep_reason=_l("kept as proof of the agreement while a claim about it is possible"),
    )
for _column in ("payment_reference", "payment_status"):
    personal(
        "enrollment",
        _column,
        category=LEARNING,
        purpose=_l("to know whether a course is paid; the payment provider holds the details"),
        basis=Basis.LEGAL_OBLIGATION,
        retention=ACCOUNTING,
        export=True,
        erasure=Erasure.KEEP,
        keep_reason=_l("accounting law requires payment records to be kept"),
    )
not_personal("lesson_progress", "id", "enrollment_id", "lesson_id")
personal(
    "lesson_progress",
    "done_at",
    category=LEARNING,
    purpose=_l("to show you how far you have come in a course"),
    basis=Basis.CONTRACT,
    retention=STUDIES,
    export=True,
    erasure=Erasure.DELETE,
)
not_personal("certificate", "id", "enrollment_id", "course_title", "language", "level")
for _column in ("code", "issued_at"):
    personal(
        "certificate",
        _column,
        category=LEARNING,
        purpose=_l("to let anyone you show your certificate to check that it is genuine"),
        basis=Basis.CONTRACT,
        retention=STUDIES,
        export=True,
        erasure=Erasure.KEEP,
        keep_reason=COMPLETED_COURSE_REASON,
    )


# =========================================================================================
# Whose rows are whose: export and erasure find a person's data through these.
# =========================================================================================
owned("user", "id")
owned("consent_record", "user_id", email_column="email")
owned("outbox_message", "user_id", email_column="recipient")
owned("privacy_request", "user_id", email_column="subject_email")
owned("privacy_request_event", "request_id", via="privacy_request")
owned("enrollment", "user_id")
owned("lesson_progress", "enrollment_id", via="enrollment")
owned("certificate", "enrollment_id", via="enrollment")

# --- profile: what a student tells us about themselves, and staff access to it ---------------
not_personal("user", "public_id")
EDUCATION_AND_WORK = Category(
    "education_work",
    _l("Education and work"),
    _l("Where you studied and work, and your position, if you tell us."),
)
LEARNING_PROFILE = Category(
    "learning_profile",
    _l("Your learning profile"),
    _l("Your languages and levels, interests and goals, so teachers can fit lessons to you."),
)
PHOTOGRAPH = Category(
    "photograph",
    _l("Photograph"),
    _l("A photo you upload, re-encoded without its hidden metadata (such as location)."),
)
STAFF_ACCESS = Category(
    "staff_access",
    _l("Who looked at your data"),
    _l("Each time a member of staff opened your profile: who, when, which page and why."),
)
ACCESS_LOG = Retention(
    "access_log",
    _l("3 years from the access, then deleted"),
    days=3 * 365,
    anchor="event",
)
_PROFILE_PURPOSE = _l(
    "to know you and fit your courses to you; you choose to give it and can clear it at any time"
)
not_personal("profile", "user_id", "updated_at")
for _column, _category, _encrypted in (
    ("display_name", IDENTITY, False),
    ("date_of_birth", IDENTITY, True),
    ("phone", CONTACT, True),
    ("address", CONTACT, True),
    ("postal_code", CONTACT, True),
    ("workplace", EDUCATION_AND_WORK, True),
    ("position", EDUCATION_AND_WORK, True),
    ("education", EDUCATION_AND_WORK, False),
    ("interests", LEARNING_PROFILE, False),
    ("learning_goals", LEARNING_PROFILE, False),
):
    personal(
        "profile",
        _column,
        category=_category,
        purpose=_PROFILE_PURPOSE,
        basis=Basis.CONSENT,
        retention=WHILE_ACCOUNT_EXISTS,
        export=True,
        erasure=Erasure.DELETE,
        encrypted=_encrypted,
    )
for _column in ("photo_file", "photo_updated_at"):
    personal(
        "profile",
        _column,
        category=PHOTOGRAPH,
        purpose=_l("to let teachers and staff recognise you; only you and staff can see it"),
        basis=Basis.CONSENT,
        retention=WHILE_ACCOUNT_EXISTS,
        export=True,
        erasure=Erasure.DELETE,
    )
not_personal("language_level", "id", "user_id")
for _column in ("language", "level"):
    personal(
        "language_level",
        _column,
        category=LEARNING_PROFILE,
        purpose=_l("to suggest courses at your level and place you in the right group"),
        basis=Basis.CONSENT,
        retention=WHILE_ACCOUNT_EXISTS,
        export=True,
        erasure=Erasure.DELETE,
    )
not_personal("staff_access", "id", "staff_id", "subject_id")
for _column in ("at", "page", "reason", "note"):
    personal(
        "staff_access",
        _column,
        category=STAFF_ACCESS,
        purpose=_l("to show you, and prove to an authority, who opened your data and why"),
        basis=Basis.LEGAL_OBLIGATION,
        retention=ACCESS_LOG,
        export=True,
        erasure=Erasure.KEEP,
        keep_reason=_l(
            "kept for its retention period as proof that access to your data was lawful"
        ),
    )
owned("profile", "user_id")
owned("language_level", "user_id")
owned("staff_access", "subject_id")

# --- privacy requests by email (the message as it arrived, kept as evidence) ------------------
not_personal(
    "intake_message",
    "id",
    "public_id",
    "dedupe_key",
    "received_at",
    "source",
    "outcome",
    "reason",
    "dkim",
    "dmarc",
    "checks",
    "size",
    "sha256",
    "request_id",
)
personal(
    "intake_message",
    "from_address",
    category=REQUESTS,
    purpose=_l("to answer your emailed request and prove what you asked"),
    basis=Basis.LEGAL_OBLIGATION,
    retention=REQUEST_EVIDENCE,
    export=True,
    erasure=Erasure.ANONYMISE,
    anonymise_as="fingerprint",
)
# On erasure the message itself (raw file, attachments, subject, Message-ID) goes; the row
# keeps as evidence only the SHA-256 of its bytes, what was checked and a keyed fingerprint
# of the sender's address (see ``stores.INTAKE_RAW``).
for _column in ("subject", "raw_path", "attachments", "message_id"):
    personal(
        "intake_message",
        _column,
        category=REQUESTS,
        purpose=_l("to answer your emailed request and prove what you asked"),
        basis=Basis.LEGAL_OBLIGATION,
        retention=REQUEST_EVIDENCE,
        export=_column == "subject",
        erasure=Erasure.DELETE,
    )
owned("intake_message", "request_id", via="privacy_request", email_column="from_address")

# --- newsletter: visitor subscriptions, campaigns, hard bounces -----------------------------
NEWSLETTER_SUBSCRIPTION = Retention(
    "newsletter_subscription",
    _l("until you unsubscribe; an unconfirmed address is deleted after 30 days"),
)
not_personal("newsletter_subscriber", "id", "token")
for _column in ("email", "locale", "created_at", "confirmed_at", "unsubscribed_at"):
    personal(
        "newsletter_subscriber",
        _column,
        category=CONTACT if _column == "email" else CONSENTS,
        purpose=_l("to send you the newsletter you asked for, and only after you confirmed"),
        basis=Basis.CONSENT,
        retention=NEWSLETTER_SUBSCRIPTION,
        export=True,
        erasure=Erasure.DELETE,
    )
not_personal(
    "newsletter_campaign",
    "id",
    "public_id",
    "subject",
    "body",
    "language",
    "audience",
    "status",
    "created_by_id",
    "created_at",
    "updated_at",
    "queued_at",
    "queued_by_id",
    "recipient_count",
)
not_personal("outbox_message", "campaign_id")
not_personal("mail_suppression", "id", "reason", "created_at")
personal(
    "mail_suppression",
    "email",
    category=COMMUNICATIONS,
    purpose=_l("to stop sending newsletters to an address whose mail server refuses them"),
    basis=Basis.LEGITIMATE_INTEREST,
    retention=WHILE_ACCOUNT_EXISTS,
    export=True,
    erasure=Erasure.DELETE,
)
owned("newsletter_subscriber", None, email_column="email")
owned("mail_suppression", None, email_column="email")

# --- accounts: a parent or guardian's consent for a person under MINOR_AGE ------------------
_GUARDIAN_PURPOSE = _l(
    "to ask your parent or guardian for consent, as the law requires for a person under the "
    "age of consent, and to prove that they gave it"
)
_GUARDIAN_KEEP_REASON = _l(
    "kept as proof that your parent or guardian consented while a claim about it is possible"
)
personal(
    "user",
    "guardian_name",
    category=CONSENTS,
    purpose=_GUARDIAN_PURPOSE,
    basis=Basis.LEGAL_OBLIGATION,
    retention=CONSENT_EVIDENCE,
    export=True,
    erasure=Erasure.KEEP,
    keep_reason=_GUARDIAN_KEEP_REASON,
)
personal(
    "user",
    "guardian_email",
    category=CONSENTS,
    purpose=_GUARDIAN_PURPOSE,
    basis=Basis.LEGAL_OBLIGATION,
    retention=CONSENT_EVIDENCE,
    export=True,
    erasure=Erasure.ANONYMISE,
    anonymise_as="fingerprint",
)
personal(
    "user",
    "guardian_consent_at",
    category=CONSENTS,
    purpose=_GUARDIAN_PURPOSE,
    basis=Basis.LEGAL_OBLIGATION,
    retention=CONSENT_EVIDENCE,
    export=True,
    erasure=Erasure.KEEP,
    keep_reason=_GUARDIAN_KEEP_REASON,
)

# --- accounts: sign-in sessions, and the counters that limit password guessing ------------------
SIGN_IN = Retention(
    "sign_in",
    _l("until you sign out (or sign out everywhere), or 30 days after its last use"),
    days=30,
    anchor="event",
)
not_personal("sign_in_session", "id", "token", "user_id")
for _column in ("created_at", "last_seen_at"):
    personal(
        "sign_in_session",
        _column,
        category=ACCOUNT,
        purpose=_l("to keep you signed in, and to let you sign out on every device at once"),
        basis=Basis.CONTRACT,
        retention=SIGN_IN,
        export=True,
        erasure=Erasure.DELETE,
    )
owned("sign_in_session", "user_id")
not_personal("rate_limit_counter", "count", "expires_at")
personal(
    "rate_limit_counter",
    "key",
    category=ACCOUNT,
    purpose=_l(
        "to limit password guessing and misuse of our forms; a keyed hash of the address or "
        "IP address the limit counts, never the address itself"
    ),
    basis=Basis.LEGITIMATE_INTEREST,
    retention=Retention(
        "rate_limit", _l("until the limit's window ends (at most one hour)"), days=1, anchor="event"
    ),
    export=False,  # a keyed hash cannot be found for one person, nor read back
    erasure=Erasure.DELETE,
)

# --- accounts: a change of address waiting for its link -------------------------------------
EMAIL_CHANGE_WINDOW = Retention(
    "email_change",
    _l("until the link sent to the new address is used, or a day later, then deleted"),
    days=1,
    anchor="event",
)
not_personal("email_change", "id", "public_id", "user_id")
for _column in ("new_email", "requested_at"):
    personal(
        "email_change",
        _column,
        category=CONTACT,
        purpose=_l("to switch to your new address only once you confirm it is yours"),
        basis=Basis.CONTRACT,
        retention=EMAIL_CHANGE_WINDOW,
        export=True,
        erasure=Erasure.DELETE,
    )
owned("email_change", "user_id")
