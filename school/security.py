"""Password hashing, signed tokens, role guards, safe redirects and security headers."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import bcrypt
from flask import Blueprint, abort, current_app, g, request
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from school.extensions import db

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


# Whoever keeps the staff access log hands its writer in at start-up (the profile package
# does): ``recorder(staff, page, user_ids, emails, reason, note)`` adds one look per person
# in one insert, in the request's transaction; the staff blueprint commits it once the page
# is answered. Plumbing cannot import the domain that owns the log.
LookRecorder = Callable[..., None]
_look_recorders: list[LookRecorder] = []

# Answers of a view that show the page: a success, or a form shown again with its errors.
# Redirects, refusals and missing pages show nobody; neither does a request turned away before
# the view ran (the staff guard, a missing CSRF token).
_SHOWN_STATUSES = {*range(200, 300), 400}


class UndeclaredLook(RuntimeError):
    """A staff page declared as showing personal data answered without saying whom it shows."""


def register_look_recorder(recorder: LookRecorder) -> None:
    if recorder not in _look_recorders:
        _look_recorders.append(recorder)


def shown(
    users: Iterable = (),
    emails: Iterable = (),
    *,
    reason: str = "",
    note: str | None = None,
    page: str | None = None,
) -> None:
    """Say whom the staff page being answered shows: accounts (users or their ids) and
    addresses (for mail and requests tied to an address). One look per person is written:
    at once for a form sent (in the transaction of what it does), after rendering for a page
    that only reads (see below), and committed by the staff blueprint when the page is
    answered; the blueprint refuses a page declared as showing people that never said whom.
    An empty call says "nobody this time". ``reason`` and ``note`` are what the staff member
    gave, if the page asked; ``page`` names what was shown when it is less than the route
    declares (a profile's name on the page asking for a reason, before the profile itself).
    """
    blueprint = current_app.blueprints.get(request.blueprint)
    declared = getattr(blueprint, "pages", {}).get(request.endpoint)
    if declared is None:
        raise UndeclaredLook(f"{request.endpoint} is not declared as showing personal data")
    if not _look_recorders:
        raise UndeclaredLook("no staff access log is registered")
    g.staff_looks_recorded = True
    user_ids = sorted({getattr(u, "id", u) for u in users if u is not None})
    addresses = sorted({e.strip().lower() for e in emails if e})
    if not user_ids and not addresses:
        return
    look = (current_user._get_current_object(), page or declared, user_ids, addresses, reason, note)
    if request.method in ("GET", "HEAD"):
        # A page that only reads writes its looks once it is rendered, in a transaction of its
        # own: on SQLite a write holds the database's one write lock until the commit, and
        # taking it before rendering would make every other staff page wait for this one.
        g.setdefault("staff_looks_pending", []).append(look)
    else:
        _record(look)


def _record(look: tuple) -> None:
    for recorder in _look_recorders:
        recorder(*look)


class StaffBlueprint(Blueprint):
    """A blueprint whose every route says whether it shows personal data.

    ``shows`` is a short key naming the page for the person whose data it shows (the student
    reads it in "who looked at my data"), or None for a page that shows nobody's data. It has
    no default: a route that does not declare it fails at import, and a test walks the URL map
    for rules added another way.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages: dict[str, str | None] = {}
        self._answering: dict[Callable, Callable] = {}
        self.made_by_staff_factory = True
        self.before_request(_refuse_unless_staff)
        self.after_request(self._check_looks_recorded)

    def route(self, rule: str, *, shows: str | None, **options):
        register = super().route(rule, **options)

        def decorator(view):
            endpoint = options.get("endpoint") or view.__name__
            self.pages[f"{self.name}.{endpoint}"] = shows

            register(self._marking_answered(view))
            return view

        return decorator

    def _marking_answered(self, view):
        """The view, noting that it answered rather than aborted (one wrapper per view, as
        routes may be stacked)."""
        if view not in self._answering:

            @functools.wraps(view)
            def answered(*args, **kwargs):
                response = view(*args, **kwargs)
                g.staff_view_answered = True  # not on abort(): an error page shows nobody
                return response

            self._answering[view] = answered
        return self._answering[view]

    def declares(self, endpoint: str) -> bool:
        return endpoint in self.pages

    def _check_looks_recorded(self, response):
        """A page declared as showing people, answered by its view, said whom it showed."""
        page = self.pages.get(request.endpoint)
        recorded = g.pop("staff_looks_recorded", False)
        answered = g.pop("staff_view_answered", False)
        if page is None or not answered or response.status_code not in _SHOWN_STATUSES:
            return response
        if not recorded:
            raise UndeclaredLook(f"{request.endpoint} shows personal data but not whose")
        for look in g.pop("staff_looks_pending", ()):
            _record(look)
        # The page is rendered: what the rest of the answer reads (the signed-in account, for
        # the cache headers) is as it was, and need not be loaded again after the commit.
        session = db.session()
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
        return response


def staff_blueprint(name: str, import_name: str, *, url_prefix: str) -> StaffBlueprint:
    """A blueprint for staff pages, every one of them behind the staff guard and the access log.

    The guard runs before each request the blueprint answers, so a page added to it cannot
    forget it; after the view, a page declared as showing people is refused unless the view
    named them through :func:`shown`, which recorded the looks (see :class:`StaffBlueprint`).
    Staff pages live under ``/admin``; a test checks that every rule
    there belongs to a blueprint made here (``made_by_staff_factory`` marks them).
    """
    if not url_prefix.startswith("/admin"):
        raise ValueError(f"staff pages live under /admin, not {url_prefix!r}")
    return StaffBlueprint(name, import_name, url_prefix=url_prefix)


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
        if request.endpoint != "static" and current_user.is_authenticated:
            # A signed-in page is about a person: no shared cache keeps it, and no browser
            # stores it on disk for the next user of the computer to find in its history.
            # Static files are the same for everyone (and fingerprinted, kept for a year).
            headers["Cache-Control"] = "private, no-store"
        return response
