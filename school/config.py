"""Configuration: defaults here, then ``instance/config.py``, then the environment.

Every key the application reads has a default in :class:`Defaults`, and nowhere else (a test
reads the source to hold this), so a fresh clone runs with no configuration at all: SQLite,
a mail spool, photos and keys inside ``instance/``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from school.files import protect_instance

# Keys that may be set from the environment, with the type to parse them as.
ENVIRONMENT_KEYS: dict[str, type] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "POSTGRES_LOCK_TIMEOUT": float,
    "POSTGRES_STATEMENT_TIMEOUT": float,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_DEFAULT_SENDER": str,
    "SITE_URL": str,
    "PREFERRED_URL_SCHEME": str,
    "PRIVACY_JURISDICTION": str,
    "PRIVACY_AUTO_APPROVE_EXPORTS": bool,
    "MINOR_AGE": int,
    "INTAKE_AUTHSERV_ID": str,
    "INTAKE_IMAP_HOST": str,
    "INTAKE_IMAP_PORT": int,
    "INTAKE_IMAP_TLS": bool,
    "INTAKE_IMAP_STARTTLS": bool,
    "INTAKE_IMAP_USER": str,
    "INTAKE_IMAP_PASSWORD": str,
    "RATELIMIT_STORAGE_URI": str,
    "PROXY_FIX_X_FOR": int,
    "BCRYPT_LOG_ROUNDS": int,
    "SESSION_COOKIE_SECURE": bool,
    "SCHOOL_ENV": str,
    "MAIL_RATE_PER_SECOND": float,
    "UNSUBSCRIBE_MAILTO": str,
    "BACKUP_RETENTION_DAYS": int,
}


class Defaults:
    """Defaults for every setting the school reads."""

    SCHOOL_NAME = "Lingua Privata"
    SCHOOL_ENV = "production"
    # The public address for links in emails. Required in production (no email is sent until
    # it is set); elsewhere links point to http://127.0.0.1:5000 when it is empty.
    SITE_URL = ""
    SECRET_KEY: str | None = None  # None: generated once into instance/secret_key
    # Keys SECRET_KEY replaced (Flask's setting): session cookies they signed still sign in
    # until a key is taken off this list, which ends them at once.
    SECRET_KEY_FALLBACKS: list = []
    WTF_CSRF_FIELD_NAME = "csrf_token"  # Flask-WTF's own default, read by the page cache too

    # Files and folders; None puts each inside the instance folder (see INSTANCE_FILES).
    MAIL_SPOOL_DIR: str | None = None
    PHOTO_DIR: str | None = None
    FERNET_KEYS_FILE: str | None = None
    INTAKE_DIR: str | None = None
    COURSE_PICTURE_DIR: str | None = None

    # Course pictures, re-encoded like profile photos: the longer side of a course's image
    # and of its teacher's photo, in pixels.
    COURSE_IMAGE_SIDE = 720
    TEACHER_PHOTO_SIDE = 160
    # One line of keyed fingerprints per erasure, beside (never inside) the database, so a
    # restored backup cannot roll it back: ``flask restore`` re-applies what it lists.
    ERASURE_JOURNAL_FILE: str | None = None

    # e.g. postgresql://…; with neither set, SQLite in instance/school.sqlite3.
    DATABASE_URL = ""
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT = 10  # seconds a writer waits for another before giving up
    # PostgreSQL's counterparts, in seconds: how long a statement waits for a lock another
    # transaction holds, and how long any one statement may run, before the request gets the
    # "busy, nothing changed" page instead of hanging.
    POSTGRES_LOCK_TIMEOUT = 10
    POSTGRES_STATEMENT_TIMEOUT = 20  # below gunicorn's worker timeout (gunicorn.conf.py); 0: none
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Sessions and cookies: strict by default, SECURE outside development.
    SESSION_COOKIE_NAME = "session"  # Flask's own default, read by the CSRF token store too
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    # How long the browser keeps the cookie; the sign-in it names ends after the registry's
    # SIGN_IN period without use, whichever is shorter.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    WTF_CSRF_TIME_LIMIT = 4 * 3600
    # Anonymous public pages kept rendered per worker (address × language × cookie choice);
    # 0 renders every request afresh.
    PAGE_CACHE_SIZE = 256
    # Lists the same for everyone allowed to see them (the staff privacy queue's pages), kept
    # rendered per worker under the database's version of their rows.
    VERSIONED_FRAGMENTS = 256

    # Profile photos: larger uploads are refused; kept photos are scaled to PHOTO_MAX_SIDE.
    PHOTO_MAX_BYTES = 5 * 1024 * 1024
    PHOTO_MAX_PIXELS = 25_000_000
    PHOTO_MAX_SIDE = 1024

    BCRYPT_LOG_ROUNDS = 12
    ACCOUNT_CONFIRM_WITHIN = timedelta(days=3)
    PASSWORD_RESET_WITHIN = timedelta(hours=2)
    PASSWORD_MIN_LENGTH = 10
    SIGN_IN_LINK_WITHIN = timedelta(minutes=15)  # an emailed sign-in link, used once

    # How many proxies in front of the site set X-Forwarded-For (Werkzeug's ProxyFix). 0 trusts
    # none, so a client cannot choose its own address; behind one TLS proxy, set 1.
    PROXY_FIX_X_FOR = 0

    # Login throttling (Flask-Limiter notation); failed attempts only.
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_LIMIT_PER_IP = "30 per 15 minutes"
    SIGNUP_LIMIT_PER_IP = "20 per hour"
    RESET_LIMIT_PER_IP = "10 per hour"
    # "school+db://" keeps the counters in the site's own database, shared by every worker
    # and host (school/rate_limits.py); "redis://host:6379" if you run Redis.
    RATELIMIT_STORAGE_URI = "school+db://"
    RATELIMIT_HEADERS_ENABLED = False

    # Mail: with no MAIL_SERVER, messages go to MAIL_SPOOL_DIR as .eml files.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Lingua Privata <school@lingua.example>"
    MAIL_TIMEOUT = 10
    MAIL_MAX_ATTEMPTS = 8
    MAIL_BATCH_SIZE = 200
    MAIL_SEND_AFTER_REQUEST = True
    MAIL_SUPPRESS_SEND = False
    MAIL_RATE_PER_SECOND = 0.0  # the provider's sending limit; 0 sends as fast as it accepts

    # Newsletters: the mailto unsubscribe address (RFC 8058) is read by the email intake
    # (default: the privacy box). How long a sign-up waits for confirmation is the registry's
    # NEWSLETTER_SUBSCRIPTION retention.
    NEWSLETTER_SUBSCRIBE_LIMIT_PER_IP = "10 per hour"
    UNSUBSCRIBE_MAILTO = ""

    LANGUAGES = ("en", "ru")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    PRIVACY_JURISDICTION = "BY"
    SCHOOL_COUNTRY = "BY"  # where the school keeps data; processors elsewhere are transfers
    PRIVACY_CONTACT_EMAIL = "privacy@lingua.example"
    # Below this age a parent or guardian gives the consent to processing (GDPR Art. 8 lets
    # member states choose 13 to 16; Belarus's Law 99-Z says 16). One setting for both.
    MINOR_AGE = 16
    GUARDIAN_CONSENT_WITHIN = timedelta(days=7)
    PUBLIC_HOLIDAYS: tuple[str, ...] = ()
    # Days that override a period the privacy registry declares, by the retention's key
    # (e.g. {"analytics": 90}). Every retention rule, every link that lives as long as its
    # data and every page that states a period read it through registry.retention_days.
    RETENTION_DAYS: dict[str, int] = {}
    PRIVACY_AUTO_APPROVE_EXPORTS = False  # carry out exports without waiting for staff
    # How long a backup of the database is kept. A key retired by ``flask keys rotate``
    # still decrypts (never encrypts) for this long, so every backup kept can be restored.
    BACKUP_RETENTION_DAYS = 35

    # The privacy mailbox: requests by email, through an MTA pipe, IMAP or a maildir.
    INTAKE_MAX_BYTES = 25 * 1024 * 1024
    INTAKE_ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024  # per message, stored but never opened
    # The authserv-id our receiving server writes in Authentication-Results; others are
    # ignored, since a sender can write any such header itself.
    INTAKE_AUTHSERV_ID: str | None = None
    INTAKE_OWN_ADDRESSES: tuple[str, ...] = ()  # more addresses of ours, never answered
    INTAKE_IMAP_HOST = ""
    INTAKE_IMAP_PORT = 993
    INTAKE_IMAP_TLS = True  # IMAP over TLS; with False, INTAKE_IMAP_STARTTLS may upgrade
    INTAKE_IMAP_STARTTLS = False
    INTAKE_IMAP_USER = ""
    INTAKE_IMAP_PASSWORD = ""
    INTAKE_IMAP_FOLDER = "INBOX"
    INTAKE_IMAP_PROCESSED_FOLDER = "Processed"
    INTAKE_IMAP_QUARANTINE_FOLDER = "Quarantine"
    INTAKE_IMAP_TIMEOUT = 30


# Where each file setting left as None goes, inside the instance folder.
INSTANCE_FILES = {
    "MAIL_SPOOL_DIR": "mail_spool",
    "PHOTO_DIR": "photos",
    "FERNET_KEYS_FILE": "fernet.keys",
    "INTAKE_DIR": "intake",
    "COURSE_PICTURE_DIR": "course_pictures",
    "ERASURE_JOURNAL_FILE": "erasure-journal.jsonl",
}


def load_config(app, test_config: dict | None = None) -> None:
    """Apply defaults, the instance file, the environment and ``test_config``, in that order."""
    app.config.from_object(Defaults)
    instance = Path(app.instance_path)
    protect_instance(instance)

    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        _apply_environment(app.config)
    else:
        app.config.update(test_config)

    for key, name in INSTANCE_FILES.items():
        if not app.config[key]:
            app.config[key] = str(instance / name)
    if app.config["DATABASE_URL"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(app.config["DATABASE_URL"])
    elif not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'school.sqlite3'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    _set_waiting_limits(app.config)
    if app.config["SCHOOL_ENV"] == "development":
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")


def _apply_environment(config) -> None:
    for key, kind in ENVIRONMENT_KEYS.items():
        raw = os.environ.get(key)
        if raw is None or raw == "":
            continue
        if kind is bool:
            config[key] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif kind in (int, float):
            config[key] = kind(raw)
        else:
            config[key] = raw


def _normalise_database_url(url: str) -> str:
    """PostgreSQL URLs without a driver use psycopg 3 (the ``postgres`` extra).

    ``postgres://`` (Heroku style) is no longer accepted by SQLAlchemy, and a bare
    ``postgresql://`` means psycopg2 before SQLAlchemy 2.1; a URL naming its driver is kept.
    """
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


def _set_waiting_limits(config) -> None:
    """How long a connection waits for others before giving up, per backend.

    SQLite: the driver's busy timeout. PostgreSQL: ``lock_timeout`` and
    ``statement_timeout`` for every connection, so a request behind a held lock fails like a
    busy SQLite database (the 503 page) instead of waiting without end.
    """
    uri = config["SQLALCHEMY_DATABASE_URI"]
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args", {}))
    if uri.startswith("sqlite"):
        connect_args.setdefault("timeout", config["SQLITE_BUSY_TIMEOUT"])
    elif uri.startswith("postgresql"):
        lock_ms = int(config["POSTGRES_LOCK_TIMEOUT"] * 1000)
        statement_ms = int(config["POSTGRES_STATEMENT_TIMEOUT"] * 1000)
        connect_args.setdefault(
            "options", f"-c lock_timeout={lock_ms} -c statement_timeout={statement_ms}"
        )
    else:
        return
    options["connect_args"] = connect_args
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _instance_secret(path: Path) -> str:
    """Read the install's secret key, creating it (readable by the owner only) on first run."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
