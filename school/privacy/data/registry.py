"""The one declaration of every piece of data the school stores, and why.

Every column of every table is declared here, either as personal data (with its label in
words, its category, the purpose it serves, its retention, whether an export includes it and
what erasure does to it) or as holding no personal data. Purposes are entries of their own:
what the processing is for, its legal basis in each jurisdiction and whose data it touches;
fields (and any other store of personal data) name the purpose they serve instead of
repeating it. The public "what we hold and why" page, "My data", the export, the access
report, erasure and retention all read this module, and a test fails when a column is missing
from it, so a new model cannot slip past the privacy rules.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext


class Basis(enum.StrEnum):
    """The kind of legal ground for processing (GDPR Art. 6; Law 99-Z Art. 5 and 6)."""

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

# Where each kind of ground is written in the law of each jurisdiction the site can run under
# (the ``PRIVACY_JURISDICTION`` setting).
DEFAULT_JURISDICTION = "BY"
LEGAL_GROUNDS = {
    "BY": {
        Basis.CONSENT: _l("Law 99-Z of the Republic of Belarus, Art. 5 (consent)"),
        Basis.CONTRACT: _l(
            "Law 99-Z of the Republic of Belarus, Art. 6 (a contract with the person)"
        ),
        Basis.LEGAL_OBLIGATION: _l(
            "Law 99-Z of the Republic of Belarus, Art. 6 (a duty set by legislative acts)"
        ),
        Basis.LEGITIMATE_INTEREST: _l(
            "Law 99-Z of the Republic of Belarus, Art. 6 (processing without consent in the "
            "cases the law lists)"
        ),
    },
    "EU": {
        Basis.CONSENT: _l("GDPR Art. 6(1)(a) (consent)"),
        Basis.CONTRACT: _l("GDPR Art. 6(1)(b) (performance of a contract)"),
        Basis.LEGAL_OBLIGATION: _l("GDPR Art. 6(1)(c) (a legal obligation)"),
        Basis.LEGITIMATE_INTEREST: _l("GDPR Art. 6(1)(f) (legitimate interests)"),
    },
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
class People:
    """A category of people whose data a purpose touches."""

    key: str
    label: object


@dataclass(frozen=True)
class Purpose:
    """What processing is for: one entry, referenced by every field and store serving it.

    ``basis`` is the kind of legal ground; ``legal_ground(jurisdiction)`` says where the law
    of that jurisdiction provides it.
    """

    key: str
    name: object
    description: object
    basis: Basis
    people: tuple[People, ...]

    def legal_ground(self, jurisdiction: str):
        grounds = LEGAL_GROUNDS.get(jurisdiction.upper(), LEGAL_GROUNDS[DEFAULT_JURISDICTION])
        return grounds[self.basis]

    @property
    def basis_label(self):
        return BASIS_LABELS[self.basis]


@dataclass(frozen=True)
class Retention:
    """How long a value is kept.

    With ``days``, the value goes that long after ``anchor``, and a retention rule
    (``retention.register_rule``) carries it out on every retention run; the period in force
    is :func:`retention_days` (the ``RETENTION_DAYS`` setting may override it). Without, the
    value goes with what it belongs to (the account's erasure, the course's listing), which
    erasure or closure carries out: no clock runs for it. A label with a period names it as
    ``%(period)s``, so what people read (:attr:`described`) follows an override.
    """

    key: str
    label: object
    days: int | None = None
    anchor: str = "account_closed"

    @property
    def has_period(self) -> bool:
        """Whether a retention rule, rather than erasure or closure, carries this out."""
        return self.days is not None

    @property
    def described(self) -> str:
        """The label in words, with the period in force."""
        if self.days is None:
            return str(self.label)
        return str(self.label) % {"period": period_words(retention_days(self))}


def retention_days(retention: Retention) -> int | None:
    """The period in force: the declared days, unless ``RETENTION_DAYS`` overrides them.

    Every clock of the site that removes personal data reads its days here, and nowhere
    else, so the pages that promise a period and the rule that keeps it cannot disagree."""
    if retention.days is None:
        return None
    return int(current_app.config["RETENTION_DAYS"].get(retention.key, retention.days))


def period_words(days: int) -> str:
    """A period in words: whole years as years, anything else as days."""
    if days >= 365 and days % 365 == 0:
        return ngettext("%(num)d year", "%(num)d years", days // 365)
    return ngettext("%(num)d day", "%(num)d days", days)


@dataclass(frozen=True)
class PersonalField:
    table: str
    column: str
    label: object  # what the value is, in the person's words
    category: Category
    purpose: Purpose
    retention: Retention
    export: bool
    erasure: Erasure
    keep_reason: object | None = None
    encrypted: bool = False
    # How ANONYMISE rewrites the value: "text" (a fixed placeholder), "fingerprint" (a keyed
    # hash that proves a match if the person gives us the value again, but cannot be read
    # back), or "unique_email" (a placeholder address unique to the row).
    anonymise_as: str = "text"
    # A key column shown to the person as a column of the row it points to
    # ("policy_version.version": the version number, not its row id).
    shown_as: str | None = None

    @property
    def key(self) -> str:
        return f"{self.table}.{self.column}"

    @property
    def basis(self) -> Basis:
        return self.purpose.basis


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

# --- Whose data ----------------------------------------------------------------------------

STUDENTS = People("students", _l("students with an account"))
STAFF_MEMBERS = People("staff", _l("members of staff"))
VISITORS = People("visitors", _l("visitors of the site"))
SUBSCRIBERS = People("subscribers", _l("newsletter subscribers"))
CORRESPONDENTS = People("correspondents", _l("anyone who writes to us about their data"))
GUARDIANS = People("guardians", _l("parents and guardians of students under the age of consent"))
TEACHERS = People("teachers", _l("teachers named on course pages"))

# --- Retention rules ---------------------------------------------------------------------

WHILE_ACCOUNT_EXISTS = Retention(
    "account", _l("while your account exists; erased or anonymised when it is closed")
)
# The sign-in details (time, address, count) go together once the account has not been
# signed in to for the period: the count then starts again from zero.
SECURITY_LOG = Retention(
    "security",
    _l("%(period)s after your last sign-in, then deleted (the count of sign-ins starts again)"),
    days=365,
    anchor="event",
)
CONSENT_EVIDENCE = Retention(
    "consent_evidence",
    _l("%(period)s after the consent ends, to prove it was given"),
    days=3 * 365,
    anchor="consent_ended",
)
MAIL_LOG = Retention(
    "mail_log", _l("%(period)s after sending, then deleted"), days=90, anchor="event"
)
# A data export's archive lives as long as its download link works.
EXPORT_LINK = Retention(
    "export_link",
    _l("until the download link expires, %(period)s after the export is ready, then deleted"),
    days=7,
    anchor="export_ready",
)


_PURPOSES: dict[str, Purpose] = {}
_FIELDS: dict[str, PersonalField] = {}
# The same fields by table, in declaration order: an export asks for a table's fields for
# every table it writes under a record (each enrolment's lessons), and would otherwise scan
# the whole registry each time.
_FIELDS_OF: dict[str, list[PersonalField]] = {}
_NOT_PERSONAL: set[str] = set()


def purpose(key: str, **declaration) -> Purpose:
    """Declare what processing is for; fields and stores then reference the entry."""
    entry = Purpose(key=key, **declaration)
    if key in _PURPOSES:
        raise ValueError(f"purpose {key} is declared twice")
    if not str(entry.name).strip() or not str(entry.description).strip() or not entry.people:
        raise ValueError(f"purpose {key} needs a name, a description and whose data it touches")
    _PURPOSES[key] = entry
    return entry


def purposes() -> list[Purpose]:
    return list(_PURPOSES.values())


def personal(table: str, column: str, **declaration) -> PersonalField:
    field = PersonalField(table=table, column=column, **declaration)
    if field.key in _FIELDS or field.key in _NOT_PERSONAL:
        raise ValueError(f"{field.key} is declared twice")
    if not str(field.label or "").strip():
        raise ValueError(f"{field.key} has no label: say in words what it is")
    if not isinstance(field.purpose, Purpose) or field.purpose.key not in _PURPOSES:
        raise ValueError(f"{field.key} must name a declared purpose")
    if field.erasure is Erasure.KEEP and not field.keep_reason:
        raise ValueError(f"{field.key} is kept on erasure without a stated reason")
    _FIELDS[field.key] = field
    _FIELDS_OF.setdefault(table, []).append(field)
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
    return list(_FIELDS_OF.get(table, ()))


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
    of the ``via`` table, which is itself owned directly, and the rows are shown under that
    row (a lesson's progress under its enrolment). Export, "My data" and erasure walk these.
    """

    table: str
    column: str | None
    label: object  # what one row is, in words ("Enrolments"), as a heading
    via: str | None = None
    # Rows tied to the person's address rather than their account (mail sent to them
    # before they signed up, a request emailed without an account).
    email_column: str | None = None


_OWNERS: dict[str, Ownership] = {}


def owned(
    table: str,
    column: str | None,
    *,
    label,
    via: str | None = None,
    email_column: str | None = None,
) -> None:
    if table in _OWNERS:
        raise ValueError(f"{table} has two owners")
    if via is not None and (via not in _OWNERS or _OWNERS[via].via is not None):
        raise ValueError(f"{table}: {via} must be declared first, and owned directly")
    _OWNERS[table] = Ownership(table, column, label, via, email_column)


def ownerships() -> list[Ownership]:
    """Every table holding rows about one person, parents before children."""
    return list(_OWNERS.values())


def ownership(table: str) -> Ownership | None:
    return _OWNERS.get(table)


# =========================================================================================
# The purposes: what the school processes personal data for.
# =========================================================================================
ACCOUNT_PURPOSE = purpose(
    "account",
    name=_l("Your account"),
    description=_l(
        "to run your account: sign you in, address you in the language you chose, send you "
        "messages about your account and courses, and issue certificates in your name"
    ),
    basis=Basis.CONTRACT,
    people=(STUDENTS, STAFF_MEMBERS),
)
SECURITY_PURPOSE = purpose(
    "security",
    name=_l("Keeping accounts safe"),
    description=_l("to show you your last sign-in and to detect misuse of your account"),
    basis=Basis.LEGITIMATE_INTEREST,
    people=(STUDENTS, STAFF_MEMBERS),
)
CONSENT_PROOF_PURPOSE = purpose(
    "consent_proof",
    name=_l("Proof of consent"),
    description=_l(
        "to prove what you agreed to, and when, as the law requires of us: every consent "
        "given or withdrawn, with its purpose, the policy version and the exact wording"
    ),
    basis=Basis.LEGAL_OBLIGATION,
    people=(STUDENTS, SUBSCRIBERS, GUARDIANS),
)
GUARDIAN_PURPOSE = purpose(
    "guardian_consent",
    name=_l("Consent of a parent or guardian"),
    description=_l(
        "to ask your parent or guardian for consent, as the law requires for a person under "
        "the age of consent, and to prove that they gave it"
    ),
    basis=Basis.LEGAL_OBLIGATION,
    people=(STUDENTS, GUARDIANS),
)
MAIL_PURPOSE = purpose(
    "mail",
    name=_l("Sending you email"),
    description=_l("to deliver messages to you and show that they were sent"),
    basis=Basis.CONTRACT,
    people=(STUDENTS, SUBSCRIBERS, CORRESPONDENTS, GUARDIANS),
)
STATISTICS_PURPOSE = purpose(
    "statistics",
    name=_l("Visit statistics"),
    description=_l("to learn which pages help students and which confuse them"),
    basis=Basis.CONSENT,
    people=(VISITORS,),
)
REQUESTS_PURPOSE = purpose(
    "privacy_requests",
    name=_l("Answering your privacy requests"),
    description=_l(
        "to answer your request, on the web or by email, and prove what you asked and how we "
        "answered"
    ),
    basis=Basis.LEGAL_OBLIGATION,
    people=(STUDENTS, CORRESPONDENTS, SUBSCRIBERS),
)
COURSE_LISTING_PURPOSE = purpose(
    "course_listing",
    name=_l("Describing courses"),
    description=_l("to tell students who will teach them"),
    basis=Basis.CONTRACT,
    people=(TEACHERS,),
)
TEACHING_PURPOSE = purpose(
    "teaching",
    name=_l("Teaching your courses"),
    description=_l(
        "to consider your enrolment, teach you the course and show you how far you have come"
    ),
    basis=Basis.CONTRACT,
    people=(STUDENTS,),
)
AGREEMENT_PROOF_PURPOSE = purpose(
    "agreement_proof",
    name=_l("Proof of the course agreement"),
    description=_l("to prove what you agreed to when you enrolled"),
    basis=Basis.LEGAL_OBLIGATION,
    people=(STUDENTS,),
)
PAYMENTS_PURPOSE = purpose(
    "payments",
    name=_l("Payments"),
    description=_l("to know whether a course is paid; the payment provider holds the details"),
    basis=Basis.LEGAL_OBLIGATION,
    people=(STUDENTS,),
)
CERTIFICATES_PURPOSE = purpose(
    "certificates",
    name=_l("Certificates"),
    description=_l("to let anyone you show your certificate to check that it is genuine"),
    basis=Basis.CONTRACT,
    people=(STUDENTS,),
)
PROFILE_PURPOSE = purpose(
    "profile",
    name=_l("Your learning profile"),
    description=_l(
        "to know you and fit your courses to you; you choose to give it and can clear it at "
        "any time"
    ),
    basis=Basis.CONSENT,
    people=(STUDENTS,),
)
PLACEMENT_PURPOSE = purpose(
    "placement",
    name=_l("Placing you at your level"),
    description=_l("to suggest courses at your level and place you in the right group"),
    basis=Basis.CONSENT,
    people=(STUDENTS,),
)
PHOTO_PURPOSE = purpose(
    "photo",
    name=_l("Your photograph"),
    description=_l("to let teachers and staff recognise you; only you and staff can see it"),
    basis=Basis.CONSENT,
    people=(STUDENTS,),
)
ACCESS_LOG_PURPOSE = purpose(
    "access_log",
    name=_l("Record of who looked at your data"),
    description=_l("to show you, and prove to an authority, who opened your data and why"),
    basis=Basis.LEGAL_OBLIGATION,
    people=(STUDENTS,),
)
NEWSLETTER_PURPOSE = purpose(
    "newsletter",
    name=_l("Newsletter"),
    description=_l("to send you the newsletter you asked for, and only after you confirmed"),
    basis=Basis.CONSENT,
    people=(SUBSCRIBERS, STUDENTS),
)
SUPPRESSION_PURPOSE = purpose(
    "suppression",
    name=_l("Stopping mail that bounces"),
    description=_l("to stop sending newsletters to an address whose mail server refuses them"),
    basis=Basis.LEGITIMATE_INTEREST,
    people=(SUBSCRIBERS, STUDENTS),
)


# =========================================================================================
# The declarations. Keep them grouped by table, in the order of the domain packages.
# =========================================================================================

# --- accounts: user ----------------------------------------------------------------------
not_personal("user", "id", "role", "created_at", "erased_at", "restricted_at")
for _column, _label, _category, _export, _erasure in (
    ("full_name", _l("Full name"), IDENTITY, True, Erasure.ANONYMISE),
    ("email", _l("Email address"), CONTACT, True, Erasure.ANONYMISE),
    ("password_hash", _l("Password, as a one-way hash"), ACCOUNT, False, Erasure.DELETE),
    ("locale", _l("Preferred language of the site"), ACCOUNT, True, Erasure.DELETE),
    (
        "email_confirmed_at",
        _l("When you confirmed your email address"),
        ACCOUNT,
        True,
        Erasure.DELETE,
    ),
):
    personal(
        "user",
        _column,
        label=_label,
        category=_category,
        purpose=ACCOUNT_PURPOSE,
        retention=WHILE_ACCOUNT_EXISTS,
        export=_export,
        erasure=_erasure,
        anonymise_as="unique_email" if _column == "email" else "text",
    )
for _column, _label in (
    ("last_login_at", _l("Time of your last sign-in")),
    ("last_login_ip", _l("IP address of your last sign-in")),
    ("login_count", _l("Number of sign-ins")),
):
    personal(
        "user",
        _column,
        label=_label,
        category=ACCOUNT,
        purpose=SECURITY_PURPOSE,
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
not_personal("consent_record", "id", "user_id")
_CONSENT_KEEP_REASON = _l(
    "kept as proof of consent for three years, while a claim about it is possible; "
    "your address in it is replaced by a fingerprint, and your account has no name"
)
for _column, _label, _shown_as in (
    ("email", _l("Email address at the time of consent"), None),
    ("purpose", _l("What the consent is for"), None),
    ("action", _l("Given or withdrawn"), None),
    ("policy_version_id", _l("Version of the privacy policy"), "policy_version.version"),
    ("wording", _l("Exact wording you agreed to"), None),
    ("language", _l("Language of that wording"), None),
    ("method", _l("How the consent was given"), None),
    ("ip_address", _l("IP address when consenting"), None),
    ("given_on_behalf_by", _l("Who consented on your behalf, if anyone"), None),
    ("created_at", _l("When the consent was given or withdrawn"), None),
):
    _anonymised = _column == "email"
    personal(
        "consent_record",
        _column,
        label=_label,
        category=CONSENTS,
        purpose=CONSENT_PROOF_PURPOSE,
        retention=CONSENT_EVIDENCE,
        export=True,
        erasure=Erasure.ANONYMISE if _anonymised else Erasure.KEEP,
        keep_reason=None if _anonymised else _CONSENT_KEEP_REASON,
        anonymise_as="fingerprint" if _anonymised else "text",
        shown_as=_shown_as,
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
for _column, _label in (
    ("recipient", _l("Recipient address")),
    ("subject", _l("Subject of the message")),
    ("text_body", _l("Text of the message")),
    ("html_body", _l("Formatted version of the message")),
    ("headers", _l("Technical headers of the message")),
):
    # Erasure empties a message to the person but keeps its row and state (a campaign still
    # counts it); the recipient becomes a placeholder unique to the row.
    personal(
        "outbox_message",
        _column,
        label=_label,
        category=COMMUNICATIONS,
        purpose=MAIL_PURPOSE,
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
    "analytics", _l("%(period)s from the visit, then deleted"), days=180, anchor="event"
)
not_personal("page_view", "id")
for _column, _label in (
    ("visit_id", _l("A random number for one visit")),
    ("at", _l("Time of the page view")),
    ("path", _l("Address of the page")),
    ("browser", _l("Browser")),
    ("os", _l("Operating system")),
    ("language", _l("Language of the browser")),
    ("screen", _l("Screen size")),
    ("ip_prefix", _l("Shortened IP address")),
):
    personal(
        "page_view",
        _column,
        label=_label,
        category=VISITS,
        purpose=STATISTICS_PURPOSE,
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
    _l("%(period)s after the request is closed, to show how we answered it"),
    days=3 * 365,
    anchor="request_closed",
)
_REQUEST_KEEP_REASON = _l("proof of how your request was answered")
not_personal(
    "privacy_request",
    "id",
    "public_id",
    "channel",
    "user_id",
    "open_key",
    "confirmed_at",
    "due_on",
    "extended_due_on",
    "due_by",
    "decided_by_id",
    "decided_at",
    "completed_at",
    "outcome",
)
for _column, _label, _erasure in (
    ("type", _l("What kind of request"), Erasure.KEEP),
    ("status", _l("State of the request"), Erasure.KEEP),
    ("received_at", _l("When we received the request"), Erasure.KEEP),
    ("subject_email", _l("Email address the request came from"), Erasure.ANONYMISE),
    ("details", _l("What you asked"), Erasure.DELETE),
    ("requested_changes", _l("Changes you asked for"), Erasure.DELETE),
    ("extension_reason", _l("Why we extended the deadline"), Erasure.KEEP),
    ("rejection_reason", _l("Why we refused a request"), Erasure.KEEP),
    ("language", _l("Language of the request"), Erasure.KEEP),
):
    personal(
        "privacy_request",
        _column,
        label=_label,
        category=REQUESTS,
        purpose=REQUESTS_PURPOSE,
        retention=REQUEST_EVIDENCE,
        export=True,
        erasure=_erasure,
        keep_reason=_REQUEST_KEEP_REASON if _erasure is Erasure.KEEP else None,
        anonymise_as="fingerprint" if _erasure is Erasure.ANONYMISE else "text",
    )
not_personal("privacy_request_event", "id", "request_id", "actor_id", "from_status")
for _column, _label in (
    ("at", _l("When the request changed")),
    ("actor_role", _l("Who changed it: you, staff or the system")),
    ("to_status", _l("What the request became")),
    ("note", _l("What was done")),
):
    personal(
        "privacy_request_event",
        _column,
        label=_label,
        category=REQUESTS,
        purpose=REQUESTS_PURPOSE,
        retention=REQUEST_EVIDENCE,
        export=True,
        erasure=Erasure.KEEP,
        keep_reason=_REQUEST_KEEP_REASON,
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
    _l(
        "The name of the teacher of each course and, with their agreement, their photo, shown "
        "to students choosing a course."
    ),
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
    "image_file",
)
personal(
    "course",
    "teacher_name",
    label=_l("Name of the course's teacher"),
    category=TEACHING,
    purpose=COURSE_LISTING_PURPOSE,
    retention=Retention("course_listing", _l("while the course is listed")),
    export=False,
    erasure=Erasure.KEEP,
    keep_reason=_l("part of the course description; a teacher's own data follows their contract"),
)
TEACHER_PHOTO_PURPOSE = purpose(
    "teacher_photo",
    name=_l("Teachers' photographs"),
    description=_l("to show students the face of their teacher, with the teacher's agreement"),
    basis=Basis.CONSENT,
    people=(TEACHERS,),
)
personal(
    "course",
    "teacher_photo_file",
    label=_l("Teacher's photograph"),
    category=TEACHING,
    purpose=TEACHER_PHOTO_PURPOSE,
    retention=Retention(
        "teacher_photo",
        _l("while the course is listed, until the teacher withdraws their agreement"),
    ),
    # Not tied to an account (a course names its teacher in words), so no export can find
    # it; staff remove it on the course's page at the teacher's word, and the file goes too.
    export=False,
    erasure=Erasure.DELETE,
)
not_personal("lesson", "id", "course_id", "position", "title", "summary")
# When retention last ran and what each rule removed: rule names and counts only.
not_personal("retention_run", "id", "ran_at", "removed")
# The number that says when public pages must be rendered afresh (school.pagecache).
not_personal("content_version", "id", "version")
# The number that says when stored lists of the staff privacy queue must be rendered afresh.
not_personal("privacy_queue_version", "id", "version")

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
    _l("%(period)s after the place on the course ended, as accounting law requires"),
    days=5 * 365,
    anchor="enrolment_ended",
)
COMPLETED_COURSE_REASON = _l(
    "a completed course and its certificate stay, no longer linked to your name, so that a "
    "certificate you gave someone can still be verified"
)
not_personal("enrollment", "id", "public_id", "user_id", "open_key", "decided_by_id")
for _column, _label, _erasure in (
    ("course_id", _l("Course"), Erasure.KEEP),
    ("status", _l("State of the enrolment"), Erasure.KEEP),
    ("requested_at", _l("When you asked for a place"), Erasure.KEEP),
    ("completed_at", _l("When you completed the course"), Erasure.KEEP),
    ("decided_at", _l("When we decided on your place"), Erasure.DELETE),
    ("waitlisted_at", _l("When you were put on the waiting list"), Erasure.DELETE),
    ("started_at", _l("When your place started"), Erasure.DELETE),
    ("cancelled_at", _l("When the place was cancelled"), Erasure.DELETE),
    ("decline_reason", _l("Why we could not offer a place"), Erasure.DELETE),
    ("preferred_schedule", _l("The schedule you preferred"), Erasure.DELETE),
    ("self_assessed_level", _l("The level you gave yourself"), Erasure.DELETE),
    ("message", _l("Your message when enrolling"), Erasure.DELETE),
):
    personal(
        "enrollment",
        _column,
        label=_label,
        category=LEARNING,
        purpose=TEACHING_PURPOSE,
        retention=STUDIES,
        export=True,
        erasure=_erasure,
        keep_reason=COMPLETED_COURSE_REASON if _erasure is Erasure.KEEP else None,
        shown_as="course.title" if _column == "course_id" else None,
    )
for _column, _label in (
    ("contract_accepted_at", _l("When you accepted the course offer")),
    ("contract_wording", _l("Wording of the offer you accepted")),
):
    personal(
        "enrollment",
        _column,
        label=_label,
        category=LEARNING,
        purpose=AGREEMENT_PROOF_PURPOSE,
        retention=CONSENT_EVIDENCE,
        export=True,
        erasure=Erasure.KEEP,
        keep_reason=_l("kept as proof of the agreement while a claim about it is possible"),
    )
for _column, _label in (
    ("payment_reference", _l("Payment reference")),
    ("payment_status", _l("Whether the course is paid")),
):
    personal(
        "enrollment",
        _column,
        label=_label,
        category=LEARNING,
        purpose=PAYMENTS_PURPOSE,
        retention=ACCOUNTING,
        export=True,
        erasure=Erasure.KEEP,
        keep_reason=_l("accounting law requires payment records to be kept"),
    )
not_personal("lesson_progress", "id", "enrollment_id")
for _column, _label in (
    ("lesson_id", _l("Lesson")),
    ("done_at", _l("When you marked the lesson done")),
):
    personal(
        "lesson_progress",
        _column,
        label=_label,
        category=LEARNING,
        purpose=TEACHING_PURPOSE,
        retention=STUDIES,
        export=True,
        erasure=Erasure.DELETE,
        shown_as="lesson.title" if _column == "lesson_id" else None,
    )
not_personal("certificate", "id", "enrollment_id", "course_title", "language", "level")
for _column, _label in (
    ("code", _l("Certificate verification code")),
    ("issued_at", _l("When the certificate was issued")),
):
    personal(
        "certificate",
        _column,
        label=_label,
        category=LEARNING,
        purpose=CERTIFICATES_PURPOSE,
        retention=STUDIES,
        export=True,
        erasure=Erasure.KEEP,
        keep_reason=COMPLETED_COURSE_REASON,
    )


# =========================================================================================
# Whose rows are whose: export, "My data" and erasure find a person's data through these.
# =========================================================================================
owned("user", "id", label=_l("Your account"))
owned("consent_record", "user_id", label=_l("Consents given and withdrawn"), email_column="email")
owned("outbox_message", "user_id", label=_l("Emails we sent you"), email_column="recipient")
owned("privacy_request", "user_id", label=_l("Privacy requests"), email_column="subject_email")
owned(
    "privacy_request_event", "request_id", label=_l("History of the request"), via="privacy_request"
)
owned("enrollment", "user_id", label=_l("Enrolments"))
owned("lesson_progress", "enrollment_id", label=_l("Lessons done"), via="enrollment")
owned("certificate", "enrollment_id", label=_l("Certificate"), via="enrollment")

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
    _l("%(period)s from the access, then deleted"),
    days=3 * 365,
    anchor="event",
)
not_personal("profile", "user_id", "updated_at")
for _column, _label, _category, _encrypted in (
    ("display_name", _l("Display name"), IDENTITY, False),
    ("date_of_birth", _l("Date of birth"), IDENTITY, True),
    ("phone", _l("Phone"), CONTACT, True),
    ("address", _l("Residential address"), CONTACT, True),
    ("postal_code", _l("Postal code"), CONTACT, True),
    ("workplace", _l("Workplace"), EDUCATION_AND_WORK, True),
    ("position", _l("Position"), EDUCATION_AND_WORK, True),
    ("education", _l("Educational background"), EDUCATION_AND_WORK, False),
    ("interests", _l("Professional interests"), LEARNING_PROFILE, False),
    ("learning_goals", _l("Learning goals"), LEARNING_PROFILE, False),
):
    personal(
        "profile",
        _column,
        label=_label,
        category=_category,
        purpose=PROFILE_PURPOSE,
        retention=WHILE_ACCOUNT_EXISTS,
        export=True,
        erasure=Erasure.DELETE,
        encrypted=_encrypted,
    )
for _column, _label in (
    ("photo_file", _l("Photograph")),
    ("photo_updated_at", _l("When the photograph was last changed")),
):
    personal(
        "profile",
        _column,
        label=_label,
        category=PHOTOGRAPH,
        purpose=PHOTO_PURPOSE,
        retention=WHILE_ACCOUNT_EXISTS,
        export=True,
        erasure=Erasure.DELETE,
    )
not_personal("language_level", "id", "user_id")
for _column, _label in (
    ("language", _l("Languages you rated")),
    ("level", _l("Your level in each (CEFR A1 to C2)")),
):
    personal(
        "language_level",
        _column,
        label=_label,
        category=LEARNING_PROFILE,
        purpose=PLACEMENT_PURPOSE,
        retention=WHILE_ACCOUNT_EXISTS,
        export=True,
        erasure=Erasure.DELETE,
    )
not_personal("staff_access", "id", "staff_id", "subject_id")
for _column, _label in (
    ("at", _l("When a member of staff opened your data")),
    ("page", _l("Which of your data they opened")),
    ("reason", _l("The reason they gave")),
    ("note", _l("Their note about the reason")),
):
    personal(
        "staff_access",
        _column,
        label=_label,
        category=STAFF_ACCESS,
        purpose=ACCESS_LOG_PURPOSE,
        retention=ACCESS_LOG,
        export=True,
        erasure=Erasure.KEEP,
        keep_reason=_l(
            "kept for its retention period as proof that access to your data was lawful"
        ),
    )
owned("profile", "user_id", label=_l("Your profile"))
owned("language_level", "user_id", label=_l("Languages and levels"))
# A look at someone without an account (a request emailed from an address alone) names the
# address; erasure leaves a keyed fingerprint, so the entry still proves the look was lawful.
personal(
    "staff_access",
    "subject_email",
    label=_l("Your address, when you have no account"),
    category=STAFF_ACCESS,
    purpose=ACCESS_LOG_PURPOSE,
    retention=ACCESS_LOG,
    export=True,
    erasure=Erasure.ANONYMISE,
    anonymise_as="fingerprint",
)
owned(
    "staff_access",
    "subject_id",
    label=_l("Who looked at your data"),
    email_column="subject_email",
)

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
# On erasure the message itself (raw file, attachments, subject, Message-ID) goes; the row
# keeps as evidence only the SHA-256 of its bytes, what was checked and a keyed fingerprint
# of the sender's address (see ``stores.INTAKE_RAW``).
for _column, _label, _export in (
    ("from_address", _l("Address your email came from"), True),
    ("subject", _l("Subject of your email"), True),
    ("raw_path", _l("Where the email as it arrived is stored"), False),
    ("attachments", _l("Names of the files attached to your email"), False),
    ("message_id", _l("Your email's Message-ID"), False),
):
    _anonymised = _column == "from_address"
    personal(
        "intake_message",
        _column,
        label=_label,
        category=REQUESTS,
        purpose=REQUESTS_PURPOSE,
        retention=REQUEST_EVIDENCE,
        export=_export,
        erasure=Erasure.ANONYMISE if _anonymised else Erasure.DELETE,
        anonymise_as="fingerprint" if _anonymised else "text",
    )
owned(
    "intake_message",
    "request_id",
    label=_l("Emailed requests"),
    via="privacy_request",
    email_column="from_address",
)

# --- newsletter: visitor subscriptions, campaigns, hard bounces -----------------------------
NEWSLETTER_SUBSCRIPTION = Retention(
    "newsletter_subscription",
    _l(
        "until you unsubscribe; an unconfirmed address is deleted after %(period)s, and "
        "%(period)s after you unsubscribe only a keyed fingerprint of your address stays, so "
        "that we remember not to write to it"
    ),
    days=30,
    anchor="sign_up_or_unsubscribe",
)
not_personal("newsletter_subscriber", "id", "token")
for _column, _label in (
    ("email", _l("Address the newsletter goes to")),
    ("locale", _l("Language of the newsletter")),
    ("created_at", _l("When you signed up for the newsletter")),
    ("confirmed_at", _l("When you confirmed the sign-up")),
    ("unsubscribed_at", _l("When you unsubscribed")),
    ("restricted_at", _l("Since when the newsletter is blocked at your request")),
):
    personal(
        "newsletter_subscriber",
        _column,
        label=_label,
        category=CONTACT if _column == "email" else CONSENTS,
        purpose=NEWSLETTER_PURPOSE,
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
# A mailbox refused once may work again later: the stop is lifted after its period, and a
# new refusal starts it again.
MAIL_SUPPRESSION = Retention(
    "mail_suppression",
    _l(
        "%(period)s after your mail server refused our mail, then deleted (a new refusal "
        "stops the newsletter again)"
    ),
    days=365,
    anchor="event",
)
not_personal("mail_suppression", "id", "reason", "created_at")
personal(
    "mail_suppression",
    "email",
    label=_l("Address we no longer send newsletters to"),
    category=COMMUNICATIONS,
    purpose=SUPPRESSION_PURPOSE,
    retention=MAIL_SUPPRESSION,
    export=True,
    erasure=Erasure.DELETE,
)
owned("newsletter_subscriber", None, label=_l("Newsletter sign-ups"), email_column="email")
owned("mail_suppression", None, label=_l("Addresses we stopped mailing"), email_column="email")

# --- accounts: a parent or guardian's consent for a person under MINOR_AGE ------------------
_GUARDIAN_KEEP_REASON = _l(
    "kept as proof that your parent or guardian consented while a claim about it is possible"
)
for _column, _label in (
    ("guardian_name", _l("Name of your parent or guardian")),
    ("guardian_email", _l("Email address of your parent or guardian")),
    ("guardian_consent_at", _l("When your parent or guardian consented")),
):
    _anonymised = _column == "guardian_email"
    personal(
        "user",
        _column,
        label=_label,
        category=CONSENTS,
        purpose=GUARDIAN_PURPOSE,
        retention=CONSENT_EVIDENCE,
        export=True,
        erasure=Erasure.ANONYMISE if _anonymised else Erasure.KEEP,
        keep_reason=None if _anonymised else _GUARDIAN_KEEP_REASON,
        anonymise_as="fingerprint" if _anonymised else "text",
    )

# --- accounts: sign-in sessions, and the counters that limit password guessing ------------------
SIGN_IN = Retention(
    "sign_in",
    _l("until you sign out (or sign out everywhere), or %(period)s after its last use"),
    days=30,
    anchor="event",
)
SIGN_IN_PURPOSE = purpose(
    "sign_in",
    name=_l("Keeping you signed in"),
    description=_l("to keep you signed in, and to let you sign out on every device at once"),
    basis=Basis.CONTRACT,
    people=(STUDENTS, STAFF_MEMBERS),
)
GUESSING_LIMIT_PURPOSE = purpose(
    "guessing_limit",
    name=_l("Limiting password guessing"),
    description=_l(
        "to limit password guessing and misuse of our forms; a keyed hash of the address or "
        "IP address the limit counts, never the address itself"
    ),
    basis=Basis.LEGITIMATE_INTEREST,
    people=(STUDENTS, STAFF_MEMBERS, VISITORS),
)
not_personal("sign_in_session", "id", "token", "user_id")
for _column, _label in (
    ("created_at", _l("When you signed in on a device")),
    ("last_seen_at", _l("When that sign-in was last used")),
):
    personal(
        "sign_in_session",
        _column,
        label=_label,
        category=ACCOUNT,
        purpose=SIGN_IN_PURPOSE,
        retention=SIGN_IN,
        export=True,
        erasure=Erasure.DELETE,
    )
owned("sign_in_session", "user_id", label=_l("Your sign-ins"))
not_personal("rate_limit_counter", "count", "expires_at")
RATE_LIMIT = Retention(
    "rate_limit",
    _l("until the limit's window ends (at most one hour), and deleted %(period)s later"),
    days=1,
    anchor="window_end",
)
personal(
    "rate_limit_counter",
    "key",
    label=_l("A keyed hash of what a limit counts"),
    category=ACCOUNT,
    purpose=GUESSING_LIMIT_PURPOSE,
    retention=RATE_LIMIT,
    export=False,  # a keyed hash cannot be found for one person, nor read back
    erasure=Erasure.DELETE,
)

# --- accounts: a change of address waiting for its link -------------------------------------
EMAIL_CHANGE_WINDOW = Retention(
    "email_change",
    _l("until the link sent to the new address is used, or %(period)s later, then deleted"),
    days=1,
    anchor="event",
)
not_personal("email_change", "id", "public_id", "user_id")
for _column, _label in (
    ("new_email", _l("New address waiting for confirmation")),
    ("requested_at", _l("When you asked to change your address")),
):
    personal(
        "email_change",
        _column,
        label=_label,
        category=CONTACT,
        purpose=ACCOUNT_PURPOSE,
        retention=EMAIL_CHANGE_WINDOW,
        export=True,
        erasure=Erasure.DELETE,
    )
owned("email_change", "user_id", label=_l("Address changes waiting for confirmation"))
