"""Public pages: home, terms, cookies, contact, and the language switch."""

from flask import Blueprint

bp = Blueprint("pages", __name__)


def init_app(app) -> None:
    from school.pages import routes  # noqa: F401, PLC0415

    app.register_blueprint(bp)
