"""Courses: the catalogue and course pages."""

from flask import Blueprint

bp = Blueprint("courses", __name__)


def init_app(app) -> None:
    from school.courses import routes  # noqa: F401

    app.register_blueprint(bp)
