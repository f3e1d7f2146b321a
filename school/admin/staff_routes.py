"""The staff home: what waits for staff, from every domain, on one page."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from school.compliance import services as compliance
from school.extensions import db
from school.mail.models import OutboxMessage
from school.privacy.data import retention
from school.privacy.requests import queue as privacy_queue
from school.security import staff_blueprint

bp = staff_blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/", shows=None)
def home():
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return render_template(
        "admin/home.html",
        outbox_counts=counts,
        register_deadlines=compliance.deadlines(),
        request_deadlines=privacy_queue.deadlines(),
        retention_run=retention.last_run_report(),
    )
