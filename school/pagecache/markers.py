"""The CSRF token, and the page a form returns to, in markup rendered for more than one visitor.

Markup stored for reuse (a public page, a fragment of one) is rendered with unguessable
per-process markers where a form's token goes and where a form names the page it was sent
from (the language switch and the cookie banner return there), and each response puts its
own visitor's token and address in their place: a stored form is never one visitor's, no
visitor's form lacks a token, and one stored header serves every page.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager

from flask import g, request
from markupsafe import escape

from school.csrf_tokens import current_csrf_token

# Unguessable, so no text a visitor can put on a page is ever mistaken for it.
CSRF_MARKER = f"csrf-marker-{secrets.token_hex(16)}"
MARKER_BYTES = CSRF_MARKER.encode()
PAGE_MARKER = f"page-marker-{secrets.token_hex(16)}"
PAGE_MARKER_BYTES = PAGE_MARKER.encode()
_RENDERING = "_rendering_for_everyone"


def csrf_token() -> str:
    """The template global: the marker while stored markup renders, else the real token."""
    if g.get(_RENDERING):
        return CSRF_MARKER
    return current_csrf_token()


def this_page() -> str:
    """The template global for a form's way back: the marker while stored markup renders,
    else the path and query of this request."""
    if g.get(_RENDERING):
        return PAGE_MARKER
    return _this_page()


def _this_page() -> str:
    return request._get_current_object().full_path.rstrip("?")


def holds_markers(text: str | bytes) -> bool:
    """Whether ``text`` holds a marker a response must fill in."""
    if isinstance(text, str):
        return CSRF_MARKER in text or PAGE_MARKER in text
    return MARKER_BYTES in text or PAGE_MARKER_BYTES in text


@contextmanager
def rendering_for_everyone():
    """Markup rendered inside holds the marker instead of this visitor's token."""
    outer = g.get(_RENDERING, False)
    setattr(g, _RENDERING, True)
    try:
        yield
    finally:
        setattr(g, _RENDERING, outer)


def filled(markup: str) -> str:
    """Stored ``markup`` put into a page rendered for this visitor alone: their token and
    this request's page where the markers stand, as it enters the page rather than by
    copying and searching the finished answer. Inside markup rendered for everyone (a
    stored public page) the markers stay, for that markup's own answers to fill."""
    if g._get_current_object().get(_RENDERING):
        return markup
    text = str.__str__(markup)  # plain text: Markup's own replace would escape the token
    if CSRF_MARKER in text:
        text = text.replace(CSRF_MARKER, current_csrf_token())
    if PAGE_MARKER in text:
        text = text.replace(PAGE_MARKER, str.__str__(escape(_this_page())))
    return text


def with_tokens(body: bytes) -> bytes:
    """``body`` with this visitor's token and this request's page where the markers stand."""
    if MARKER_BYTES in body:
        body = body.replace(MARKER_BYTES, current_csrf_token().encode())
    if PAGE_MARKER_BYTES in body:
        body = body.replace(PAGE_MARKER_BYTES, str(escape(_this_page())).encode())
    return body
