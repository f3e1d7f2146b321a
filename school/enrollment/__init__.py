"""Enrolment: requests for a place, staff decisions, progress through lessons, certificates."""

from flask import Blueprint

bp = Blueprint("enrollment", __name__)


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l  # noqa: PLC0415

    from school.courses.routes import register_course_page_context  # noqa: PLC0415
    from school.enrollment import (  # noqa: F401, PLC0415
        models,
        routes,
        services,  # noqa: PLC0415
        staff_routes,
    )
    from school.enrollment.models import PAYMENT_LABELS, STATUS_LABELS  # noqa: PLC0415
    from school.privacy.data import erasure, registry, retention  # noqa: PLC0415

    register_course_page_context(routes.course_page_context)
    app.jinja_env.globals["status_labels"] = STATUS_LABELS
    app.jinja_env.globals["payment_labels"] = PAYMENT_LABELS
    erasure.register_blocker(services.erasure_blockers)
    erasure.register_hook(services.erase_enrollments)
    retention.register_rule(
        registry.ACCOUNTING,
        "payments",
        _l("payment references and states of places that ended, deleted"),
        covers=("enrollment",),
        count=services.count_old_payment_records,
        apply=services.forget_old_payment_records,
    )
    retention.register_rule(
        registry.CONSENT_EVIDENCE,
        "agreements",
        _l("wording of the offers that accounts erased long ago had accepted, cleared"),
        covers=("enrollment",),
        count=services.count_old_agreement_proof,
        apply=services.forget_old_agreement_proof,
    )
    app.register_blueprint(bp)
    app.register_blueprint(staff_routes.bp)
