"""Courses: the public catalogue, course pages, and staff editing of courses and syllabi."""

from flask import Blueprint

bp = Blueprint("courses", __name__)


def init_app(app) -> None:
    from school.courses import models, routes, staff_routes  # noqa: F401, PLC0415
    from school.courses.models import FORMAT_LABELS  # noqa: PLC0415
    from school.courses.services import language_name  # noqa: PLC0415
    from school.markdown_text import render_markdown  # noqa: PLC0415

    app.add_template_filter(language_name)
    app.add_template_filter(render_markdown, "markdown")
    app.jinja_env.globals["format_labels"] = FORMAT_LABELS
    app.register_blueprint(bp)
    app.register_blueprint(staff_routes.bp)
