"""Profile: every detail a student may tell the school, their photo, and staff access to it."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("profile", __name__)


def init_app(app) -> None:
    from school.accounts.services import register_signup_hook  # noqa: PLC0415
    from school.privacy.data import erasure, export, registry, retention  # noqa: PLC0415
    from school.profile import models, routes, staff_routes  # noqa: F401, PLC0415
    from school.profile.cli import keys_cli  # noqa: PLC0415
    from school.profile.encryption import ensure_keys  # noqa: PLC0415
    from school.profile.services import (  # noqa: PLC0415
        photo_bytes,
        photo_for_erasure,
        record_looks,
        start_profile,
    )
    from school.security import register_look_recorder  # noqa: PLC0415

    ensure_keys(app)
    register_signup_hook(start_profile)
    erasure.register_hook(photo_for_erasure)
    export.register_photo_source(photo_bytes)
    retention.register_deletion(
        registry.ACCESS_LOG,
        "staff_access",
        _l("records of staff opening a person's data, deleted"),
        models.StaffAccess,
        lambda cutoff: models.StaffAccess.at < cutoff,
    )
    register_look_recorder(record_looks)
    app.register_blueprint(bp)
    app.register_blueprint(staff_routes.bp)
    app.cli.add_command(keys_cli)
