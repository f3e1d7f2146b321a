"""The public analytics endpoint: a consenting visitor's screen size."""

from __future__ import annotations

from flask import request

from school.analytics import bp, services
from school.cookie_choice import read_choice


@bp.route("/analytics/screen", methods=["POST"])
def screen():
    """The analytics script reports the screen size of a consenting visitor's visit."""
    visit_id = request.cookies.get(services.VISIT_COOKIE)
    if not read_choice(request).analytics or not visit_id:
        return "", 204
    services.record_screen(visit_id, request.form.get("screen", ""))
    return "", 204
