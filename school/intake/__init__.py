"""Privacy requests by email: the MTA pipe, IMAP polling and maildirs, and the staff pages."""

from __future__ import annotations


def init_app(app) -> None:
    from school.intake import cli, models, staff_routes  # noqa: F401, PLC0415
    from school.intake.parsing import FIELD_ALIASES  # noqa: PLC0415
    from school.intake.services import forget_emailed_messages  # noqa: PLC0415
    from school.privacy.data import erasure  # noqa: PLC0415
    from school.privacy.requests.corrections import register_field_aliases  # noqa: PLC0415

    register_field_aliases(FIELD_ALIASES)
    erasure.register_hook(forget_emailed_messages)
    app.register_blueprint(staff_routes.bp)
