"""Profile: every detail a student may tell the school, their photo, and staff access to it."""

from __future__ import annotations

from flask import Blueprint

from school.security import staff_required

bp = Blueprint("profile", __name__)
# Staff pages about students live beside the data they show, behind the same guard as /admin.
staff_bp = Blueprint("students", __name__, url_prefix="/admin/students")

DEFAULTS = {
    "PHOTO_MAX_BYTES": 5 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 25_000_000,
    "PHOTO_MAX_SIDE": 1024,
}


@staff_bp.before_request
@staff_required
def require_staff():
    """Every student page for staff is staff-only, whatever its own decorators say."""


def init_app(app) -> None:
    from school.accounts.services import register_signup_hook  # noqa: PLC0415
    from school.privacy.data import erasure, export, retention  # noqa: PLC0415
    from school.profile import models, routes, staff_routes  # noqa: F401, PLC0415
    from school.profile.cli import keys_cli  # noqa: PLC0415
    from school.profile.encryption import ensure_keys  # noqa: PLC0415
    from school.profile.services import (  # noqa: PLC0415
        photo_bytes,
        photo_for_erasure,
        purge_access_log,
        start_profile,
    )

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    ensure_keys(app)
    register_signup_hook(start_profile)
    erasure.register_hook(photo_for_erasure)
    export.register_photo_source(photo_bytes)
    retention.register_job("staff access entries past three years deleted", purge_access_log)
    app.register_blueprint(bp)
    app.register_blueprint(staff_bp)
    app.cli.add_command(keys_cli)
