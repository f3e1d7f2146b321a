"""Privacy requests by email: the MTA pipe, IMAP polling and maildirs, and the staff pages."""

from __future__ import annotations

import os

from flask import Blueprint

bp = Blueprint("intake", __name__, url_prefix="/admin/intake")

DEFAULTS = {
    "INTAKE_MAX_BYTES": 25 * 1024 * 1024,
    "INTAKE_ATTACHMENTS_MAX_BYTES": 10 * 1024 * 1024,  # per message, stored but never opened
    # The authserv-id our receiving server writes in Authentication-Results; others are
    # ignored, since a sender can write any such header itself.
    "INTAKE_AUTHSERV_ID": None,
    "INTAKE_OWN_ADDRESSES": (),  # more addresses of ours whose mail is never answered
    "INTAKE_IMAP_HOST": "",
    "INTAKE_IMAP_PORT": 993,
    "INTAKE_IMAP_TLS": True,  # IMAP over TLS; with False, INTAKE_IMAP_STARTTLS may upgrade
    "INTAKE_IMAP_STARTTLS": False,
    "INTAKE_IMAP_USER": "",
    "INTAKE_IMAP_PASSWORD": "",
    "INTAKE_IMAP_FOLDER": "INBOX",
    "INTAKE_IMAP_PROCESSED_FOLDER": "Processed",
    "INTAKE_IMAP_QUARANTINE_FOLDER": "Quarantine",
    "INTAKE_IMAP_TIMEOUT": 30,
}


def init_app(app) -> None:
    from school.intake import cli, models, routes  # noqa: F401, PLC0415
    from school.intake.parsing import FIELD_ALIASES  # noqa: PLC0415
    from school.privacy.requests.corrections import register_field_aliases  # noqa: PLC0415

    register_field_aliases(FIELD_ALIASES)

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("INTAKE_DIR", os.path.join(app.instance_path, "intake"))
    app.register_blueprint(bp)
