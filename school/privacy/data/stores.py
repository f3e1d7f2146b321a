"""Every place outside the declared columns where the site writes something about a person.

``registry`` declares the columns; this module declares the rest: files under the instance
folder (export archives, raw emailed messages, photos, the mail spool, backups, the erasure
journal), and the keys and signed links that could otherwise carry an address. For each: what
it holds, how long, what erasure does to it and, for what survives an erasure, why.

Erasure hooks count their work per store key (``ErasureResult.count``), so a request's history
says what each store lost. A test fixture checks every file a test leaves in the instance
folder against :func:`store_for`: a file no store accounts for fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy.engine import make_url

from school.privacy.data.registry import EXPORT_LINK, MAIL_LOG, REQUEST_EVIDENCE, Retention


@dataclass(frozen=True)
class Store:
    """One store of personal data that is not a registry column (or is a key, not a value).

    ``folder`` names the setting of the folder the files live in (``None``: the instance
    folder itself) and ``patterns`` the files inside it, as globs on the relative path;
    a store that is a column or a link names it in ``location`` and has no patterns.
    """

    key: str
    label: object
    location: str
    holds: object
    retention: Retention  # with a period, a retention rule carries it out
    erasure: object
    keep_reason: object | None = None
    folder: str | None = None
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlainFile:
    """A file of the instance folder that holds nothing about any person."""

    key: str
    why: str
    folder: str | None = None
    patterns: tuple[str, ...] = ()


DATABASE = Store(
    "database",
    _l("The database"),
    "instance/school.sqlite3 (with its -wal and -shm files), or DATABASE_URL",
    _l("every column the registry declares"),
    Retention("database", _l("each column as the registry declares")),
    _l(
        "each column deleted, anonymised or kept as the registry declares; the write-ahead "
        "log is folded in at once, so no old value stays in it"
    ),  # fmt: skip
    patterns=("school.sqlite3", "school.sqlite3-wal", "school.sqlite3-shm"),
)
EXPORT_ARCHIVES = Store(
    "export_archives",
    _l("Data export archives"),
    "instance/exports/*.zip",
    _l(
        "everything an export contains: your profile, contact details, requests, courses and photo"
    ),  # fmt: skip
    EXPORT_LINK,
    _l("deleted; the request no longer points at it"),
    patterns=("exports/*.zip",),
)
INTAKE_RAW = Store(
    "intake_raw",
    _l("Emailed requests as they arrived"),
    "INTAKE_DIR/raw/YYYY-MM/*.eml (default instance/intake)",
    _l("the whole message: your name and address in its headers, and what you wrote"),
    REQUEST_EVIDENCE,
    _l(
        "deleted; as evidence only the SHA-256 of the message, what was checked and a keyed "
        "fingerprint of the sender's address stay"
    ),  # fmt: skip
    keep_reason=_l(
        "the hash, the checks and the fingerprint prove what arrived and how it "
        "was handled, without keeping anything readable about you"
    ),  # fmt: skip
    folder="INTAKE_DIR",
    patterns=("raw/*/*.eml", "raw/*/.*.eml.tmp"),
)
INTAKE_ATTACHMENTS = Store(
    "intake_attachments",
    _l("Attachments of emailed requests"),
    "INTAKE_DIR/attachments/<message>/*.bin",
    _l("files attached to an emailed request, stored unopened"),
    REQUEST_EVIDENCE,
    _l("deleted, with their names"),
    folder="INTAKE_DIR",
    patterns=("attachments/*/*.bin",),
)
PHOTOS = Store(
    "photos",
    _l("Profile photos"),
    "PHOTO_DIR/*.jpg (default instance/photos)",
    _l("the photo you uploaded, re-encoded without its metadata"),
    Retention("photo", _l("while your account exists, or until you remove it")),
    _l("deleted"),
    folder="PHOTO_DIR",
    patterns=("*.jpg",),
)
COURSE_PICTURES = Store(
    "course_pictures",
    _l("Course pictures and teachers' photos"),
    "COURSE_PICTURE_DIR/*.jpg (default instance/course_pictures; shown on course pages)",
    _l("a course's picture and, with the teacher's agreement, the teacher's photo, re-encoded"),
    Retention(
        "course_pictures",
        _l("while the course is listed, until the teacher withdraws their agreement"),
    ),
    _l("a teacher's photo is deleted when staff remove it at the teacher's word"),
    folder="COURSE_PICTURE_DIR",
    patterns=("*.jpg",),
)
MAIL_SPOOL = Store(
    "mail_spool",
    _l("The mail spool"),
    "MAIL_SPOOL_DIR/*.eml (default instance/mail_spool; used when no mail server is set)",
    _l("every email as sent: your address, name and what we wrote to you"),
    MAIL_LOG,  # it stands in for a mail server, so it keeps sent mail as the outbox does
    _l(
        "every message to you is deleted; the message telling you that your data was "
        "erased is delivered there afterwards"
    ),  # fmt: skip
    keep_reason=_l(
        "with no mail server, the spool is the delivery: that last message is the one we owe you"
    ),  # fmt: skip
    folder="MAIL_SPOOL_DIR",
    patterns=("*.eml", ".*.eml.tmp"),
)
OUTBOX_BODIES = Store(
    "outbox_bodies",
    _l("Emails waiting to be sent or recently sent"),
    "outbox_message (recipient, subject, bodies, headers)",
    _l("your address and the text of each email to you"),
    MAIL_LOG,
    _l("emptied, keeping only the state of each message; what was still waiting is not sent"),
)
BACKUPS = Store(
    "backups",
    _l("Backups"),
    "instance/backups/*.sqlite3 (flask backup)",
    _l("a copy of the whole database as it was when the backup was taken"),
    Retention("backups", _l("as long as the operator keeps each backup")),
    _l(
        "a backup is never rewritten; restoring one re-applies every erasure journaled "
        "after it was taken, so nobody erased comes back"
    ),  # fmt: skip
    keep_reason=_l(
        "a backup exists to recover from a disaster; it is kept unchanged, and the "
        "erasure journal makes sure it cannot undo an erasure"
    ),  # fmt: skip
    patterns=("backups/*.sqlite3", "backups/*.sqlite3-*"),
)
ERASURE_JOURNAL = Store(
    "erasure_journal",
    _l("The erasure journal"),
    "ERASURE_JOURNAL_FILE (default instance/erasure-journal.jsonl)",
    _l("for each erasure: when, keyed fingerprints of the account and address, and counts"),
    Retention("erasure_journal", _l("as long as any backup older than the erasure exists")),
    _l("a line is added; it holds no readable value"),
    keep_reason=_l("without it, restoring a backup would bring an erased person back"),
    folder="ERASURE_JOURNAL_FILE",
)
LOOKUP_KEYS = Store(
    "lookup_keys",
    _l("Lookup keys"),
    "privacy_request.open_key, intake_message.dedupe_key, enrollment.open_key",
    _l(
        "keys that find an open request or a message again; they never hold an address: a "
        "keyed fingerprint, a hash or ids"
    ),  # fmt: skip
    Retention("lookup_keys", _l("while the request or place is open")),
    _l("cleared when the request closes; the person's other open requests are closed"),
)
SIGNED_LINKS = Store(
    "signed_links",
    _l("Links in our emails"),
    "account, guardian, privacy-request, address-change, export and password links",
    _l(
        "an opaque id, and at most a keyed fingerprint, never an address: what a link needs "
        "stays in the database (the request, or the pending address change)"
    ),  # fmt: skip
    Retention("signed_links", _l("each works for its stated time only")),
    _l("they stop working, since what they name is gone"),
)

STORES: dict[str, Store] = {
    store.key: store
    for store in (
        DATABASE,
        EXPORT_ARCHIVES,
        INTAKE_RAW,
        INTAKE_ATTACHMENTS,
        PHOTOS,
        COURSE_PICTURES,
        MAIL_SPOOL,
        OUTBOX_BODIES,
        BACKUPS,
        ERASURE_JOURNAL,
        LOOKUP_KEYS,
        SIGNED_LINKS,
    )
}
# Counted by erasure hooks, each against the store it belongs to.
COUNTED = {"open_requests_closed": LOOKUP_KEYS}

PLAIN_FILES = (
    PlainFile("secret_key", "the install's signing key", patterns=("secret_key",)),
    PlainFile("fernet_keys", "the keys that encrypt profile fields", folder="FERNET_KEYS_FILE"),
    PlainFile("demo_credentials", "the demo staff login", patterns=("demo-credentials.txt",)),
    PlainFile("instance_readme", "the folder's README, tracked by git", patterns=("README.md",)),
    PlainFile("run_locks", "empty files that keep two intake runs apart", patterns=("*.lock",)),
    PlainFile(
        "jinja_bytecode", "compiled page templates", patterns=("jinja_bytecode", "jinja_bytecode/*")
    ),
    PlainFile("gunicorn_sockets", "gunicorn's control sockets", patterns=("gunicorn-*.ctl",)),
)


def _folder(settings, instance: Path, setting: str | None) -> Path:
    """The folder (or file) a store lives in: a file setting of ``config.INSTANCE_FILES``
    (a test holds every store to one), or the instance folder itself."""
    return Path(settings[setting]) if setting else instance


def _database_file(config) -> Path | None:
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def store_for(config, instance: Path, path: Path) -> Store | PlainFile | None:
    """The store (or plain file) that accounts for ``path``, or None when nothing does."""
    path = Path(path)
    database = _database_file(config)
    database_names = (
        {f"{database.name}{suffix}" for suffix in ("", "-wal", "-shm")} if database else set()
    )
    if database is not None and path.parent == database.parent and path.name in database_names:
        return DATABASE
    for entry in (*STORES.values(), *PLAIN_FILES):
        base = _folder(config, instance, entry.folder)
        if entry.folder and not entry.patterns:
            if path == base:
                return entry
            continue
        try:
            relative = path.relative_to(base).as_posix()
        except ValueError:
            continue
        if any(fnmatch(relative, pattern) for pattern in entry.patterns):
            return entry
    return None
