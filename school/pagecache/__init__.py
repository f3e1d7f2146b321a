"""Speed without giving anything up: stored public pages, fingerprinted static files, and
no shared cache ever holding anything personal.

Domains call :func:`watch` with the models their anonymous pages are built from and wrap
those views in :func:`shared_page`.
"""

from __future__ import annotations

from pathlib import Path

from flask import session

from school.pagecache import fragments, models, static_files
from school.pagecache.compiled_templates import CompiledTemplates
from school.pagecache.markers import csrf_token, this_page
from school.pagecache.shared import FOR_THIS_BROWSER_ONLY, PageStore, shared_page
from school.pagecache.versions import current_version, watch

__all__ = ["current_version", "init_app", "shared_page", "watch"]


def init_app(app) -> None:
    assert models  # the content_version table, registered by import
    app.extensions["page_store"] = PageStore(app.config["PAGE_CACHE_SIZE"])
    # Replaces Flask-WTF's global and context entry of the same name, registered just before.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.jinja_env.globals["this_page"] = this_page
    fragments.init_app(app)
    app.url_defaults(static_files.add_fingerprint)
    app.after_request(static_files.cache_fingerprinted)

    # Compiled templates survive a restart, so a fresh worker answers its first requests fast.
    bytecode = Path(app.instance_path) / "jinja_bytecode"
    bytecode.mkdir(parents=True, exist_ok=True)
    app.jinja_env.bytecode_cache = CompiledTemplates(bytecode, app.jinja_env)

    @app.after_request
    def never_shared(response):
        """A response built with the session (a signed-in person's, a visitor's token) is
        for that browser only."""
        if session.accessed and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = FOR_THIS_BROWSER_ONLY
        return response
