"""Flask's signed session cookie, verified once per cookie rather than on every request.

A browser sends the same session cookie with every page until something in the session
changes. Reading it is a key derivation, an HMAC, base64, zlib and JSON each time: about a
tenth of a signed-in page, measured side by side. The signature stands for exactly those bytes,
so a cookie verified once is kept here with what it says and when it was signed, in this
process's memory only, and the next request with the same bytes gets a fresh copy of it. Its
age is still checked against the session lifetime on every use, as Flask does, and the app's
key is part of what finds it. Sessions holding anything but plain values (a list of flashed
messages, say) are read the usual way every time: the session is changed in place.
"""

from __future__ import annotations

import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

# More browsers than this just means more verifying, not more memory.
_MOST_KEPT = 4096
_PLAIN = (str, int, float, bool, type(None))


class VerifiedOnceSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._verified: dict[tuple, tuple[dict, float]] = {}

    def open_session(self, app, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        max_age = app.permanent_session_lifetime.total_seconds()
        key = (app.secret_key, value)
        kept = self._verified.get(key)
        if kept is not None:
            data, signed_at = kept
            if time.time() - signed_at <= max_age:
                return self.session_class(data)  # a copy: the dict is the session's own
            self._verified.pop(key, None)  # another thread may have dropped it already
        try:
            data, signed = self.get_signing_serializer(app).loads(
                value, max_age=int(max_age), return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        if all(isinstance(item, _PLAIN) for item in data.values()):
            if len(self._verified) >= _MOST_KEPT:
                self._verified.clear()
            self._verified[key] = (dict(data), signed.timestamp())
        return self.session_class(data)
