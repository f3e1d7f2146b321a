"""Privacy requests by email: the MTA pipe, IMAP polling and maildirs, and the staff pages."""

from __future__ import annotations


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l  # noqa: PLC0415

    from school.intake import (  # noqa: F401, PLC0415
        cli,
        models,
        services,  # noqa: PLC0415
        staff_routes,
    )
    from school.intake.parsing import FIELD_ALIASES  # noqa: PLC0415
    from school.privacy.data import erasure, registry, retention  # noqa: PLC0415
    from school.privacy.requests.corrections import register_field_aliases  # noqa: PLC0415

    register_field_aliases(FIELD_ALIASES)
    erasure.register_hook(services.forget_emailed_messages)
    retention.register_rule(
        registry.REQUEST_EVIDENCE,
        "emailed_messages",
        _l("emailed requests as they arrived, with their attachments, deleted"),
        covers=("intake_message", "intake_raw", "intake_attachments"),
        count=services.count_old_messages,
        apply=services.delete_old_messages,
    )
    app.register_blueprint(staff_routes.bp)
