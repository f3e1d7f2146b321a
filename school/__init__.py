"""The language school's Flask application."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from school import (
    cli,
    csrf_tokens,
    database,  # noqa: F401  (registers the SQLite pragmas)
    extensions,
    i18n,
    rate_limits,  # noqa: F401  (registers the school+db:// rate-limit storage)
    security,
    session_cookies,
    web,
)
from school.accounts import init_app as init_accounts
from school.admin import init_app as init_admin
from school.analytics import init_app as init_analytics
from school.compliance import init_app as init_compliance
from school.config import load_config
from school.cookies import init_app as init_cookies
from school.courses import init_app as init_courses
from school.enrollment import init_app as init_enrollment
from school.intake import init_app as init_intake
from school.mail import init_app as init_mail
from school.newsletter import init_app as init_newsletter
from school.pagecache import init_app as init_pagecache
from school.pages import init_app as init_pages
from school.privacy import init_app as init_privacy
from school.profile import init_app as init_profile

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints and CLI commands.

    ``test_config`` replaces ``instance/config.py`` and the environment, so a test decides
    every setting it depends on (``instance_path`` among them).
    """
    instance_path = (test_config or {}).get("INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )

    app.jinja_environment = web.TemplateEnvironment  # before anything reads app.jinja_env
    load_config(app, test_config)
    app.session_interface = session_cookies.VerifiedOnceSessionInterface()

    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=str(ROOT / "migrations"), render_as_batch=True
    )
    extensions.csrf.init_app(app)
    csrf_tokens.init_app(app)
    extensions.mail.init_app(app)
    extensions.limiter.init_app(app)
    i18n.init_app(app)
    init_pagecache(app)
    security.init_app(app)
    web.init_app(app)

    for init in (
        init_accounts,
        init_mail,
        init_pages,
        init_cookies,
        init_analytics,
        init_courses,
        init_enrollment,
        init_privacy,
        init_profile,
        init_compliance,
        init_intake,
        init_newsletter,
        init_admin,
    ):
        init(app)

    cli.init_app(app)
    if app.config["PROXY_FIX_X_FOR"]:
        # Behind N proxies, the client is the address the Nth proxy from us saw; a header
        # from any further out is the client's own invention and is not trusted.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])
    return app
