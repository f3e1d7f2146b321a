from __future__ import annotations

import email
import email.policy
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from school.admin import bp
from school.compliance import services as compliance
from school.extensions import db
from school.mail import services as mail_services
from school.mail.models import OutboxMessage, OutboxStatus
from school.pagination import paginate
from school.privacy.requests import queue as privacy_queue
from school.security import staff_required


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token, for one-button actions."""


@bp.route("/")
@staff_required
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
    )


@bp.route("/mail")
@staff_required
def outbox():
    status = request.args.get("status")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in {s.value for s in OutboxStatus}:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    page = paginate(query, per_page=50)
    return render_template(
        "admin/outbox.html",
        page=page,
        status=status,
        statuses=list(OutboxStatus),
        mail_server=current_app.config.get("MAIL_SERVER"),
        action_form=ActionForm(),
    )


@bp.route("/mail/<int:message_id>")
@staff_required
def outbox_message(message_id):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("admin/outbox_message.html", message=message, action_form=ActionForm())


@bp.route("/mail/<int:message_id>/requeue", methods=["POST"])
@staff_required
def requeue_message(message_id):
    message = db.get_or_404(OutboxMessage, message_id)
    if ActionForm().validate_on_submit() and message.status is OutboxStatus.FAILED:
        mail_services.requeue(message)
        flash(_("The message is queued again."), "success")
    return redirect(url_for("admin.outbox_message", message_id=message_id))


@bp.route("/mail/send", methods=["POST"])
@staff_required
def send_now():
    if ActionForm().validate_on_submit():
        report = mail_services.deliver()
        flash(
            _(
                "Sent %(sent)d, will retry %(retrying)d, failed %(failed)d.",
                sent=report.sent,
                retrying=report.retrying,
                failed=report.failed,
            ),
            "info",
        )
    return redirect(url_for("admin.outbox"))


@bp.route("/mail/spool")
@staff_required
def spool():
    files = mail_services.spool_files()
    return render_template("admin/spool.html", files=files)


@bp.route("/mail/spool/<name>")
@staff_required
def spool_file(name):
    files = {path.name: path for path in mail_services.spool_files(limit=10_000)}
    path: Path | None = files.get(name)
    if path is None:
        abort(404)
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    return render_template(
        "admin/spool_file.html",
        name=name,
        headers=list(parsed.items()),
        text=text.get_content() if text is not None else "",
    )
