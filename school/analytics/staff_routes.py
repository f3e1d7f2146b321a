"""Staff page: the visit statistics, counted only for visitors who consented."""

from __future__ import annotations

from flask import render_template, request

from school.analytics import services
from school.security import staff_blueprint

bp = staff_blueprint("analytics_admin", __name__, url_prefix="/admin/analytics")


@bp.route("", shows=None)
def summary():
    days = request.args.get("days", 30, type=int)
    days = days if days in (7, 30, 90) else 30
    return render_template("analytics/summary.html", summary=services.summary(days), days=days)
