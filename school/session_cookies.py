"""Flask's signed session cookie, verified once per cookie rather than on every request.

A browser sends the same session cookie with every page until something in the session
changes. Reading it is a key derivation, an HMAC, base64, zlib and JSON each time: about a
tenth of a signed-in page, measured side by side. The signature stands for exactly those bytes,
so a cookie verified once is kept here with what it says and when it was signed, in this
process's memory only, and the next request with the same bytes gets a fresh copy of it. Its
age is still checked against the session lifetime on every use, as Flask does, and the app's
keys are part of what finds it: a key taken out of ``SECRET_KEY_FALLBACKS`` stops vouching for
the cookies it signed at once, not when they drop out of this memory. Sessions holding
anything but plain values (a list of flashed messages, say) are read the usual way every
time: the session is changed in place.

Writing a cookie (a first visit's CSRF token, a sign-in) signs with a serializer made once per
key rather than once per use, and leaves a small session uncompressed: zlib ran on every
first visitor's cookie only for itsdangerous to throw the result away as no smaller.
"""

from __future__ import annotations

import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer

# More browsers than this just means more verifying, not more memory.
_MOST_KEPT = 4096
_PLAIN = (str, int, float, bool, type(None))
# Below this many bytes of JSON a session is not worth compressing (a CSRF token and an
# account's ids come to about 250); above it itsdangerous compresses as usual.
COMPRESS_FROM = 512


def _keys(app) -> tuple:
    """The keys a cookie may be signed with, the current one last (as itsdangerous wants)."""
    return (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)


class CookieSerializer(URLSafeTimedSerializer):
    """Flask's session serializer, writing a small session as plain base64: the form
    itsdangerous itself writes whenever compressing gains nothing, and reads either way."""

    def dump_payload(self, obj) -> bytes:
        json = Serializer.dump_payload(self, obj)
        if len(json) < COMPRESS_FROM:
            return base64_encode(json)
        return super().dump_payload(obj)


class VerifiedOnceSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._verified: dict[tuple, tuple[dict, float]] = {}
        self._serializers: dict[tuple, CookieSerializer] = {}

    def get_signing_serializer(self, app):
        """Flask's serializer for the app's keys (its salt, keys and signer), made once for
        those keys: it holds no state of a request."""
        if not app.secret_key:
            return None
        keys = _keys(app)
        serializer = self._serializers.get(keys)
        if serializer is None:
            flasks = super().get_signing_serializer(app)
            serializer = self._serializers[keys] = CookieSerializer(
                flasks.secret_keys,
                salt=flasks.salt,
                serializer=flasks.serializer,
                signer_kwargs=flasks.signer_kwargs,
            )
        return serializer

    def open_session(self, app, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        max_age = app.permanent_session_lifetime.total_seconds()
        key = (_keys(app), value)  # a key dropped from the fallbacks no longer vouches
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
