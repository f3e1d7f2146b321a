"""Staff pages for outgoing mail: the outbox with its retries, and the local spool."""

from __future__ import annotations

import email
import email.policy
from email.utils import getaddresses
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from school.extensions import db
from school.forms import SchoolForm
from school.mail import services
from school.mail.models import OutboxMessage, OutboxStatus
from school.pagination import paginate
from school.security import shown, staff_blueprint

bp = staff_blueprint("mail_admin", __name__, url_prefix="/admin/mail")


class ActionForm(SchoolForm):
    """A form with nothing but its CSRF token, for one-button actions."""


def _show(messages) -> None:
    """Each message shows its recipient: their account if it has one, else their address."""
    shown(
        users=[m.user_id for m in messages if m.user_id is not None],
        emails=[m.recipient for m in messages if m.user_id is None],
    )


@bp.route("", shows="outbox_list")
def outbox():
    status = request.args.get("status")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in {s.value for s in OutboxStatus}:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    page = paginate(query, per_page=50)
    _show(page.items)
    return render_template(
        "mail/outbox.html",
        page=page,
        status=status,
        statuses=list(OutboxStatus),
        mail_server=current_app.config.get("MAIL_SERVER"),
        action_form=ActionForm(),
    )


@bp.route("/<int:message_id>", shows="outbox_message")
def outbox_message(message_id):
    message = db.get_or_404(OutboxMessage, message_id)
    _show([message])
    return render_template("mail/outbox_message.html", message=message, action_form=ActionForm())


@bp.route("/<int:message_id>/requeue", methods=["POST"], shows=None)
def requeue_message(message_id):
    message = db.get_or_404(OutboxMessage, message_id)
    if ActionForm().validate_on_submit() and message.status is OutboxStatus.FAILED:
        services.requeue(message)
        flash(_("The message is queued again."), "success")
    return redirect(url_for("mail_admin.outbox_message", message_id=message_id))


@bp.route("/send", methods=["POST"], shows=None)
def send_now():
    if ActionForm().validate_on_submit():
        report = services.deliver()
        flash(
            _(
                "Sent %(sent)d, will retry %(retrying)d, failed %(failed)d.",
                sent=report.sent,
                retrying=report.retrying,
                failed=report.failed,
            ),
            "info",
        )
    return redirect(url_for("mail_admin.outbox"))


@bp.route("/spool", shows=None)
def spool():
    files = services.spool_files()
    return render_template("mail/spool.html", files=files)


@bp.route("/spool/<name>", shows="spool_file")
def spool_file(name):
    files = {path.name: path for path in services.spool_files(limit=10_000)}
    path: Path | None = files.get(name)
    if path is None:
        abort(404)
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    shown(emails=[address for _name, address in getaddresses(parsed.get_all("To", []))])
    return render_template(
        "mail/spool_file.html",
        name=name,
        headers=list(parsed.items()),
        text=text.get_content() if text is not None else "",
    )
