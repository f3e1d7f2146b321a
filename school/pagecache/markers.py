"""The CSRF token in markup rendered for more than one visitor.

Markup stored for reuse (a public page, a fragment of one) is rendered with an unguessable
per-process marker where a form's token goes, and each response puts its own visitor's token
in its place: a stored form is never one visitor's, and no visitor's form lacks a token.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager

from flask import g
from flask_wtf.csrf import generate_csrf

# Unguessable, so no text a visitor can put on a page is ever mistaken for it.
CSRF_MARKER = f"csrf-marker-{secrets.token_hex(16)}"
MARKER_BYTES = CSRF_MARKER.encode()
_RENDERING = "_rendering_for_everyone"
_MARKERS_OUT = "_csrf_markers_out"


def csrf_token() -> str:
    """The template global: the marker while stored markup renders, else the real token."""
    if g.get(_RENDERING):
        markers_used()
        return CSRF_MARKER
    return generate_csrf()


def markers_used() -> None:
    """This answer holds markup with the marker: :func:`fill_tokens` must replace it."""
    setattr(g, _MARKERS_OUT, True)


@contextmanager
def rendering_for_everyone():
    """Markup rendered inside holds the marker instead of this visitor's token."""
    outer = g.get(_RENDERING, False)
    setattr(g, _RENDERING, True)
    try:
        yield
    finally:
        setattr(g, _RENDERING, outer)


def with_tokens(body: bytes) -> bytes:
    """``body`` with this visitor's token wherever the marker stands."""
    if MARKER_BYTES not in body:
        return body
    return body.replace(MARKER_BYTES, generate_csrf().encode())


def fill_tokens(response):
    """After a request that put stored markup into its answer: the visitor's own tokens."""
    if g.pop(_MARKERS_OUT, False) and not response.direct_passthrough:
        response.set_data(with_tokens(response.get_data()))
    return response
