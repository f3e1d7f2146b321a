"""Enrolment: requests for a place, staff decisions, progress through lessons, certificates."""

from flask import Blueprint

bp = Blueprint("enrollment", __name__)


def init_app(app) -> None:
    from school.courses.routes import register_course_page_context  # noqa: PLC0415
    from school.enrollment import models, routes, staff_routes  # noqa: F401, PLC0415
    from school.enrollment.models import PAYMENT_LABELS, STATUS_LABELS  # noqa: PLC0415
    from school.enrollment.services import erase_enrollments, erasure_blockers  # noqa: PLC0415
    from school.privacy.data import erasure  # noqa: PLC0415

    register_course_page_context(routes.course_page_context)
    app.jinja_env.globals["status_labels"] = STATUS_LABELS
    app.jinja_env.globals["payment_labels"] = PAYMENT_LABELS
    erasure.register_blocker(erasure_blockers)
    erasure.register_hook(erase_enrollments)
    app.register_blueprint(bp)
    app.register_blueprint(staff_routes.bp)
