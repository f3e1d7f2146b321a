"""Public pages rendered once and served as stored bytes to every anonymous visitor.

A page for an anonymous visitor depends on the address, the language, the cookie choice
(the banner, the analytics script) and the public content; it is stored under exactly those,
with the content version read from the database on every request, so a change committed by
any worker on any host is seen by the next request everywhere. Per-visitor parts never enter
the store: ``csrf_token()`` renders a per-process marker that each response replaces with
that visitor's own token, and a request with flashed messages (or a signed-in person) is
rendered normally and not stored.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, make_response, request, session
from flask.globals import request_ctx
from flask_login import current_user

from school.cookie_choice import read_choice
from school.database import utcnow
from school.i18n import current_language
from school.pagecache.markers import holds_markers, rendering_for_everyone, with_tokens
from school.pagecache.versions import current_version

# Cache-Control of an answer made for one browser: it may keep it and ask again (ETag), a
# shared cache may not keep it. Written out rather than through ``response.cache_control``:
# parsing and re-writing the header was 2% of a stored page's time in a worker (py-spy).
FOR_THIS_BROWSER_ONLY = "private, no-cache"


@dataclass(frozen=True)
class StoredPage:
    body: bytes
    mimetype: str
    digest: str  # of the shared bytes: the ETag's first half
    has_markers: bool  # a CSRF token or the page's own address to fill in per response


class PageStore:
    """A small least-recently-used store of pages, one per worker process."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[tuple, StoredPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> StoredPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: StoredPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def store() -> PageStore:
    return current_app.extensions["page_store"]


def _csrf_field() -> str:
    return current_app.config["WTF_CSRF_FIELD_NAME"]


def _anonymous_without_messages() -> bool:
    return (
        request.method in ("GET", "HEAD")
        and current_app.config["PAGE_CACHE_SIZE"] > 0
        and not current_user.is_authenticated
        and not session.get("_flashes")
    )


def shared_page(view):
    """Serve ``view`` to anonymous visitors from the page store (see the module docstring)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not _anonymous_without_messages():
            return view(*args, **kwargs)
        key = (
            request.full_path,
            current_language(),
            read_choice(request),  # the banner until decided; the analytics script
            utcnow().date(),  # what is "current" or "not ended" changes at midnight
            current_version(),
        )
        page = store().get(key)
        if page is None:
            page, response = _render(view, args, kwargs)
            if page is None:
                return response
            store().put(key, page)
        return _respond(page)

    return wrapped


def _render(view, args, kwargs):
    """Render with the CSRF marker; (page to store, None), or (None, response) when the
    response must not be shared: not a plain 200, setting cookies, showing flashed
    messages, or holding a real token that something outside ``csrf_token()`` generated."""
    with rendering_for_everyone():
        response = make_response(view(*args, **kwargs))
    shareable = (
        response.status_code == 200
        and not response.direct_passthrough
        and "Set-Cookie" not in response.headers
        and not request_ctx.flashes
        and _csrf_field() not in g
    )
    body = response.get_data()
    if not shareable:
        response.set_data(with_tokens(body))
        return None, response
    page = StoredPage(
        body=body,
        mimetype=response.mimetype,
        digest=hashlib.blake2b(body, digest_size=12).hexdigest(),
        has_markers=holds_markers(body),
    )
    return page, None


def _respond(page: StoredPage):
    """The stored bytes with this visitor's token, as a conditional response."""
    body, etag = page.body, page.digest
    if page.has_markers:
        body = with_tokens(body)
        if _csrf_field() in session:
            etag += "." + _token_tag(session[_csrf_field()])
    response = current_app.response_class(body, mimetype=page.mimetype)
    # The bytes carry this visitor's token: a browser may keep them, a shared cache may not.
    response.headers["Cache-Control"] = FOR_THIS_BROWSER_ONLY
    response.set_etag(etag, weak=True)
    if "If-None-Match" not in request.headers:
        return response  # nothing to compare: werkzeug's checks would only add a Date
    return response.make_conditional(request)


def _token_tag(raw_token: str) -> str:
    """Ties the ETag to the visitor's token, and to the hour: a copy a browser revalidates
    is at most an hour old, so the token in it is far from its time limit."""
    hour = int(time.time() // 3600)
    return hashlib.blake2b(f"{raw_token}.{hour}".encode(), digest_size=8).hexdigest()
