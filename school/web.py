"""Error pages and template helpers shared by every blueprint."""

from __future__ import annotations

from flask import current_app, g, has_request_context, render_template
from flask.templating import Environment
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from school.extensions import db


class TemplateEnvironment(Environment):
    """Flask's template environment, giving each loaded template its globals as one plain
    dictionary rather than Jinja's chain of the template's own over the environment's.

    Every render copies a template's globals into its context; copying a chain map reads it
    key by key in Python, 13 µs a page, more than rendering a short template. Globals are
    all registered while the app is built, before any template loads, as Jinja asks ("avoid
    modifying any globals after a template is loaded"): a global added later would reach
    only templates loaded after it.
    """

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


@event.listens_for(Session, "after_commit")
def _remember_commit(session) -> None:
    """Note that this request saved something, so an error page never denies it."""
    if has_request_context():
        g.committed_in_request = True


def _committed_in_request() -> bool:
    return g.get("committed_in_request", False)


def _start_afresh() -> None:
    """Roll back what the failed request left, first thing in every error handler.

    A failed statement leaves the transaction unusable (PostgreSQL refuses every further
    query in it; SQLAlchemy refuses the session after a failed flush), and the page needs
    queries of its own: the signed-in person, for the language of the very first message,
    and the policy banner. What the request had not committed is discarded, as it would be.
    """
    db.session.rollback()


def _error_page(status: int, title: str, message: str):
    return render_template("errors/error.html", title=title, message=message), status


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        _start_afresh()
        return _error_page(
            400,
            _("This form has expired"),
            _(
                "For your safety, forms only work for a limited time and from this site. "
                "Nothing was changed. Please go back, reload the page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        _start_afresh()
        messages = {
            400: (_("Bad request"), _("We could not understand that request.")),
            403: (_("Not allowed"), _("You do not have permission to open this page.")),
            404: (_("Page not found"), _("There is nothing at this address.")),
            405: (_("Not allowed"), _("This page cannot be used that way.")),
            413: (
                _("Too large"),
                _("What you sent is larger than we accept. Nothing was changed."),
            ),
            429: (
                _("Too many attempts"),
                _("You have tried this too many times. Please wait a few minutes and try again."),
            ),
        }
        title, message = messages.get(
            error.code,
            (_("Something went wrong"), _("Please try again in a moment.")),
        )
        return _error_page(error.code or 500, title, message)

    @app.errorhandler(OperationalError)
    def database_busy(error):
        """A database too busy to answer in time (SQLite's busy timeout, PostgreSQL's lock or
        statement timeout): say so, and whether anything was saved before."""
        _start_afresh()
        current_app.logger.warning("database error: %s", error)
        if _committed_in_request():
            message = _(
                "The school's database is busy right now. Part of what you asked for was "
                "already saved: please check before you try again."
            )
        else:
            message = _(
                "The school's database is busy right now, so nothing was changed. "
                "Please try again in a moment."
            )
        response = _error_page(503, _("We are very busy"), message)
        return response[0], 503, {"Retry-After": "5"}

    @app.errorhandler(500)
    def server_error(error):
        _start_afresh()
        if _committed_in_request():
            message = _(
                "An error on our side stopped this request after part of it was saved. "
                "Please check before you try again."
            )
        else:
            message = _("An error on our side stopped this request. Nothing was changed.")
        return _error_page(500, _("Something went wrong"), message)
