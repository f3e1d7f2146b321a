"""First-party analytics, only with consent."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

bp = Blueprint("analytics", __name__)


def init_app(app) -> None:
    from school.analytics import models, routes, services, staff_routes  # noqa: F401, PLC0415
    from school.cookie_choice import read_choice  # noqa: PLC0415
    from school.privacy.data import registry, retention  # noqa: PLC0415

    retention.register_deletion(
        registry.ANALYTICS_RETENTION,
        "page_views",
        _l("page views of the visit statistics, deleted"),
        models.PageView,
        lambda cutoff: models.PageView.at < cutoff,
    )

    app.register_blueprint(bp)
    app.register_blueprint(staff_routes.bp)

    @app.after_request
    def count_page_view(response):
        choice = read_choice(request)
        if not services.should_count(request, response, choice, current_user):
            return response
        try:
            visit_id = services.record_view(request, request.cookies.get(services.VISIT_COOKIE))
        except Exception:  # statistics must never break a page
            app.logger.exception("could not record a page view")
            return response
        response.set_cookie(
            services.VISIT_COOKIE,
            visit_id,
            max_age=int(services.VISIT_LIFETIME.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=app.config["SESSION_COOKIE_SECURE"],
        )
        return response
