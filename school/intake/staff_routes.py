"""Staff pages: what came in by email, what was checked, and what it led to."""

from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from school.extensions import db
from school.intake import services
from school.intake.models import IntakeMessage, IntakeOutcome
from school.pagination import paginate
from school.security import shown, staff_blueprint

bp = staff_blueprint("intake", __name__, url_prefix="/admin/intake")

RAW_SHOWN_BYTES = 512 * 1024


def _show(rows) -> None:
    """Each message shows its sender, and the account of the request it led to."""
    shown(
        users=[row.request.user_id for row in rows if row.request is not None],
        emails=[row.from_address for row in rows],
    )


@bp.route("/", shows="intake_list")
def messages():
    outcome = request.args.get("outcome")
    query = (
        select(IntakeMessage)
        .options(selectinload(IntakeMessage.request))
        .order_by(IntakeMessage.id.desc())
    )
    if outcome in {o.value for o in IntakeOutcome}:
        query = query.where(IntakeMessage.outcome == IntakeOutcome(outcome))
    page = paginate(query, per_page=50)
    _show(page.items)
    return render_template(
        "intake/messages.html",
        page=page,
        outcome=outcome,
        outcomes=list(IntakeOutcome),
    )


@bp.route("/<public_id>", shows="intake_message")
def message(public_id):
    row = db.session.scalar(select(IntakeMessage).where(IntakeMessage.public_id == public_id))
    if row is None:
        abort(404)
    _show([row])
    try:
        raw = services.read_raw(row, RAW_SHOWN_BYTES)
        raw_text = raw.decode("utf-8", "replace")
        truncated = row.size > RAW_SHOWN_BYTES
    except OSError:
        raw_text, truncated = None, False
    return render_template(
        "intake/message.html", message=row, raw_text=raw_text, truncated=truncated
    )
