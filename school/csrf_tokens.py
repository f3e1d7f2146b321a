"""A visitor's signed CSRF token, signed once every few minutes instead of on every page.

Flask-WTF keeps a random token in the session and puts a signed copy of it in each form; the
signed copy carries the time it was signed and is accepted for ``WTF_CSRF_TIME_LIMIT`` after
that. Signing it (a key derivation and an HMAC) took about 30 µs of every page with a form,
though the result changes only with the time in it. So the signed copy is kept
here, in this process's memory, and handed out (:func:`current_csrf_token`, which the page
templates and the page cache use) for ``REUSE_SIGNED_FOR`` seconds:
a form then stays valid for at least the time limit less that, and the copy is still bound to
the one session whose raw token it signs (another visitor's session holds another raw token,
and the key it was signed with is part of what finds it).
"""

from __future__ import annotations

import time

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

REUSE_SIGNED_FOR = 300  # seconds
# More visitors than this within the reuse window just means more signing, not more memory.
_MOST_KEPT = 4096
_signed: dict[tuple[str, str], tuple[str, float]] = {}


def init_app(app: Flask) -> None:
    app.teardown_request(_keep_signed_token)


def _key(app: Flask, raw: str) -> tuple[str, str]:
    """The raw token beside the app's key: another key (another app in this process, a new
    key after a restart) never finds a copy signed with the old one."""
    return (app.secret_key, raw)


def current_csrf_token() -> str:
    """This visitor's signed token, as Flask-WTF's ``generate_csrf`` gives it, reusing the
    copy signed lately for the same session (it looks in ``g`` first, where it is put).

    Each page asks for it several times: the objects behind Flask's proxies are taken once
    (an attribute read through a proxy first fails on the proxy itself)."""
    app = current_app._get_current_object()
    field = app.config["WTF_CSRF_FIELD_NAME"]
    request_globals = g._get_current_object()
    signed = request_globals.get(field)
    if signed is not None:
        return signed  # what generate_csrf returns once it has put it there
    raw = session.get(field)
    kept = _signed.get(_key(app, raw)) if isinstance(raw, str) else None
    if kept is not None and time.monotonic() - kept[1] < REUSE_SIGNED_FOR:
        setattr(request_globals, field, kept[0])
        return kept[0]
    return generate_csrf()


def _keep_signed_token(_error: BaseException | None = None) -> None:
    """Once the answer is made: keep a copy this request signed, for the next ones. Not for
    a visitor who came without a session cookie: most never come back (a crawler, a
    monitor), and their copies would only push out those of people who do."""
    app = current_app._get_current_object()
    field = app.config["WTF_CSRF_FIELD_NAME"]
    signed = g._get_current_object().get(field)
    if not signed or app.config["SESSION_COOKIE_NAME"] not in request._get_current_object().cookies:
        return
    raw = session.get(field)
    if not isinstance(raw, str):
        return
    key = _key(app, raw)
    kept = _signed.get(key)
    if kept is not None and kept[0] == signed:
        return
    if len(_signed) >= _MOST_KEPT:
        _signed.clear()
    _signed[key] = (signed, time.monotonic())
