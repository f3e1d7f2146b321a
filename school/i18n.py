"""Languages: the locale of each request, and of each email's recipient."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from school.cookie_choice import LANGUAGE_COOKIE, read_choice
from school.extensions import babel

LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}


def select_locale() -> str:
    """A person's explicit choice first, then their account setting, then the browser's."""
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in supported:
        return chosen
    if read_choice(request).functional and request.cookies.get(LANGUAGE_COOKIE) in supported:
        return request.cookies[LANGUAGE_COOKIE]
    if current_user and current_user.is_authenticated:
        preferred = getattr(current_user, "locale", None)
        if preferred in supported:
            return preferred
    return (
        request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    _register_filters(app)
    app.jinja_env.globals["get_locale"] = get_locale

    @app.context_processor
    def language_context():
        return {
            "language_names": LANGUAGE_NAMES,
            "current_language": current_language(),
        }


def _register_filters(app) -> None:
    app.jinja_env.filters["format_date_long"] = lambda value: format_date(value, "long")
    app.jinja_env.filters["format_date_medium"] = lambda value: format_date(value, "medium")
    app.jinja_env.filters["format_datetime_short"] = lambda value: format_datetime(value, "short")
