from __future__ import annotations

from flask import render_template, request

from school.analytics import bp, services
from school.cookie_choice import read_choice
from school.security import staff_required


@bp.route("/analytics/screen", methods=["POST"])
def screen():
    """The analytics script reports the screen size of a consenting visitor's visit."""
    visit_id = request.cookies.get(services.VISIT_COOKIE)
    if not read_choice(request).analytics or not visit_id:
        return "", 204
    services.record_screen(visit_id, request.form.get("screen", ""))
    return "", 204


@bp.route("/admin/analytics")
@staff_required
def summary():
    days = request.args.get("days", 30, type=int)
    days = days if days in (7, 30, 90) else 30
    return render_template("analytics/summary.html", summary=services.summary(days), days=days)
