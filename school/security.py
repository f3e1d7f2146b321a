"""Password hashing, signed tokens, role guards, safe redirects and security headers."""

from __future__ import annotations

from urllib.parse import urlsplit

import bcrypt
from flask import Blueprint, abort, current_app
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

# A hash of a random password, checked against when no account matches, so a login for an
# unknown address costs the same time as one for a known address.
_DUMMY_HASHES: dict[int, bytes] = {}


def hash_password(password: str) -> str:
    rounds = current_app.config["BCRYPT_LOG_ROUNDS"]
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def check_password(password: str, password_hash: str | None) -> bool:
    """Compare in constant time; with no hash, burn the same bcrypt time and say no."""
    if not password_hash:
        rounds = current_app.config["BCRYPT_LOG_ROUNDS"]
        if rounds not in _DUMMY_HASHES:
            _DUMMY_HASHES[rounds] = bcrypt.hashpw(b"no such account", bcrypt.gensalt(rounds))
        bcrypt.checkpw(password.encode(), _DUMMY_HASHES[rounds])
        return False
    return bcrypt.checkpw(password.encode(), password_hash.encode())


class TokenError(Exception):
    """A token that is tampered with, expired or meant for something else."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "invalid" or "expired"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"school.{purpose}")


def make_token(purpose: str, payload) -> str:
    """Sign ``payload`` for one purpose; a token for one purpose never works for another."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age_seconds: int):
    try:
        return _serializer(purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc


def _refuse_unless_staff():
    """Nothing for signed-in staff; the login page for visitors; 403 for everyone else."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_staff:
        abort(403)
    return None


def staff_blueprint(name: str, import_name: str, *, url_prefix: str) -> Blueprint:
    """A blueprint for staff pages, every one of them behind the staff guard.

    The guard runs before each request the blueprint answers, so a page added to it cannot
    forget it. Staff pages live under ``/admin``; a test checks that every rule there belongs
    to a blueprint made here (``made_by_staff_factory`` marks them).
    """
    if not url_prefix.startswith("/admin"):
        raise ValueError(f"staff pages live under /admin, not {url_prefix!r}")
    blueprint = Blueprint(name, import_name, url_prefix=url_prefix)
    blueprint.before_request(_refuse_unless_staff)
    blueprint.made_by_staff_factory = True
    return blueprint


def is_safe_redirect(target: str | None) -> bool:
    """True only for a path on this site ("/account?tab=1"), written the one way browsers
    cannot read as another host.

    Browsers are lenient: they drop tabs and newlines anywhere, read a backslash as a slash,
    take "//host" and "/\\host" as another host and "http:host" or "https:/host" as an
    absolute address. So the target must start with exactly one "/", and hold no backslash,
    whitespace or control character at all; resolving it against our own address (as
    before) let "http:evil.example" through.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if any(ch == "\\" or ch.isspace() or not ch.isprintable() for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if current_user.is_authenticated:
            # A signed-in page is about a person: no shared cache keeps it, and no browser
            # stores it on disk for the next user of the computer to find in its history.
            headers["Cache-Control"] = "private, no-store"
        return response
