"""Error pages and template helpers shared by every blueprint."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from school.extensions import db


def _error_page(status: int, title: str, message: str):
    return render_template("errors/error.html", title=title, message=message), status


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
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
        """A database too busy to answer in time: say so, and promise nothing changed."""
        db.session.rollback()
        current_app.logger.warning("database error: %s", error)
        response = _error_page(
            503,
            _("We are very busy"),
            _(
                "The school's database is busy right now, so nothing was changed. "
                "Please try again in a moment."
            ),
        )
        return response[0], 503, {"Retry-After": "5"}

    @app.errorhandler(500)
    def server_error(error):
        return _error_page(
            500,
            _("Something went wrong"),
            _("An error on our side stopped this request. Nothing was changed."),
        )
