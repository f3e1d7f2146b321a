"""Privacy requests by email: the MTA pipe, IMAP polling and maildirs, and the staff pages."""

from __future__ import annotations


def init_app(app) -> None:
    from school.intake import cli, models, staff_routes  # noqa: F401
    from school.intake.services import forget_emailed_messages
    from school.privacy.data import erasure

    erasure.register_hook(forget_emailed_messages)
    app.register_blueprint(staff_routes.bp)
