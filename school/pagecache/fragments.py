"""Parts of pages that are the same for everyone in one language, rendered once.

The site's header menu, its footer, the staff menu and the privacy centre's request forms hold
nothing about the person reading them: links, words and empty forms, which differ by language,
by the address the site is served under and by a few stated values (the kind of visitor the
menu is for, whether the person's processing is blocked). Each is rendered once per process
for each of those and served as stored markup after: most of what a page costs is spent on
parts that never change.

A fragment's template sees only the values of its key and what its registered context builds
from them, never ``request`` or ``current_user``; a form's CSRF token in it is a marker that
each response replaces with its own visitor's token (:mod:`school.pagecache.markers`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import current_app, render_template, request
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from school.i18n import current_language
from school.pagecache.markers import filled, holds_markers, rendering_for_everyone
from school.pagecache.shared import PageStore

_lock = threading.Lock()
# A fragment's template → what it is rendered with, made from the values of its key.
_contexts: dict[str, Callable[..., dict]] = {}


def register(template_name: str, context: Callable[..., dict]) -> None:
    """Render ``template_name`` as a fragment with ``context(**key)`` besides its key."""
    _contexts[template_name] = context


def viewer_role() -> str:
    """The kind of visitor a menu is made for: a visitor, a student or a member of staff.

    Here and below, the objects behind Flask's proxies are taken once: an attribute read
    through a proxy is first looked for on the proxy itself, and the AttributeError made and
    dropped there cost a microsecond a read, dozens of times a page."""
    viewer = current_user._get_current_object()
    if not viewer.is_authenticated:
        return "visitor"
    return "staff" if viewer.is_staff else "student"


def _rendered(template_name: str, context: dict) -> tuple[Markup, bool]:
    with rendering_for_everyone():
        markup = Markup(render_template(template_name, **context))  # noqa: S704
    return markup, holds_markers(markup)


def _served(found: tuple[Markup, bool]) -> Markup:
    markup, holds_a_form = found
    if holds_a_form:
        return Markup(filled(markup))  # noqa: S704  (stored markup and a token)
    return markup


@pass_context
def fragment(context, template_name: str, **key) -> Markup:
    """``template_name`` rendered for this language, site address and ``key``, once.

    A template global: the language is the one the calling render started in (its
    context's ``current_language``), not asked of Flask-Babel again for each fragment."""
    language = context.get("current_language") or current_language()
    stored: dict = current_app._get_current_object().extensions["page_fragments"]
    site_root = request._get_current_object().script_root
    cache_key = (template_name, language, site_root, *sorted(key.items()))
    found = stored.get(cache_key)
    if found is None:
        made = _contexts.get(template_name, lambda **_: {})(**key)
        found = _rendered(template_name, {**made, **key})
        with _lock:
            stored[cache_key] = found
    return _served(found)


def versioned_fragment(template_name: str, version: tuple, context: Callable[[], dict]) -> Markup:
    """``template_name`` rendered with ``context()`` once per language, site address and
    ``version``: a list the same for everyone allowed to see it, built from rows that change
    now and then.

    ``version`` must name everything the list depends on (the filters and page asked for, a
    number the database raises with every change to its rows, the day when the list marks
    what is late), read before the rows are: a list is then never older than its key. Those
    lists are kept, most recently used first, in a bounded store per worker.
    """
    stored: PageStore = current_app.extensions["versioned_fragments"]
    cache_key = (template_name, current_language(), request.script_root, *version)
    found = stored.get(cache_key)
    if found is None:
        found = _rendered(template_name, context())
        stored.put(cache_key, found)
    return _served(found)


def init_app(app) -> None:
    app.extensions["page_fragments"] = {}
    app.extensions["versioned_fragments"] = PageStore(app.config["VERSIONED_FRAGMENTS"])
    app.jinja_env.globals["fragment"] = fragment
    app.jinja_env.globals["viewer_role"] = viewer_role
