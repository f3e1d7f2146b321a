"""Parts of every page that are the same for everyone in one language, rendered once.

The site's header navigation, its footer and the staff menu hold nothing about the person
reading them: only links and words, which differ by language, by the kind of visitor (the
menu of a student is not a visitor's) and by the address the site is served under. Each is
rendered once per process for each of those and served as stored markup after, which spares
every page the two dozen link builds and translations they cost.

A fragment template sees only what its key holds (``role``, the language through ``_``), never
``request``, ``current_user`` or a CSRF token: anything per person stays in the page itself.
"""

from __future__ import annotations

import threading

from flask import current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from school.i18n import current_language

_lock = threading.Lock()


def viewer_role() -> str:
    """The kind of visitor a menu is made for: a visitor, a student or a member of staff."""
    if not current_user.is_authenticated:
        return "visitor"
    return "staff" if current_user.is_staff else "student"


def fragment(template_name: str, role: str = "") -> Markup:
    """``template_name`` rendered for this language, site address and ``role``, once."""
    stored: dict = current_app.extensions["page_fragments"]
    key = (template_name, current_language(), request.script_root, role)
    markup = stored.get(key)
    if markup is None:
        markup = Markup(render_template(template_name, role=role))  # noqa: S704 (our own template)
        with _lock:
            stored[key] = markup
    return markup


def init_app(app) -> None:
    app.extensions["page_fragments"] = {}
    app.jinja_env.globals["fragment"] = fragment
    app.jinja_env.globals["viewer_role"] = viewer_role
