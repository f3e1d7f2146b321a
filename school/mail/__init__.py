"""Outgoing mail: the transactional outbox, its delivery, and the ``flask mail`` commands."""

from __future__ import annotations

from flask import current_app


def init_app(app) -> None:
    from school.mail import models, staff_routes  # noqa: F401, PLC0415  (models registers the table)
    from school.mail.cli import mail_cli  # noqa: PLC0415
    from school.mail.masking import mask_secrets  # noqa: PLC0415
    from school.mail.services import send_committed  # noqa: PLC0415

    app.cli.add_command(mail_cli)
    app.add_template_filter(mask_secrets)
    app.register_blueprint(staff_routes.bp)

    def deliver_committed_mail():
        if app.config["MAIL_SEND_AFTER_REQUEST"]:
            try:
                send_committed()
            except Exception:  # delivery must never break the answer to the person
                current_app.logger.exception("mail delivery after commit failed")

    @app.after_request
    def deliver_after_request(response):
        deliver_committed_mail()
        return response

    @app.teardown_appcontext
    def deliver_after_command(exception):
        """CLI commands run in an app context of their own: send what they committed."""
        if exception is None:
            deliver_committed_mail()
