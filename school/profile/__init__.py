"""Profile: every detail a student may tell the school, their photo, and staff access to it."""

from __future__ import annotations

import click
from flask import Blueprint
from flask.cli import AppGroup

from school.security import staff_required

bp = Blueprint("profile", __name__)
# Staff pages about students live beside the data they show, behind the same guard as /admin.
staff_bp = Blueprint("students", __name__, url_prefix="/admin/students")
keys_cli = AppGroup("keys", help="Manage the keys that encrypt personal data at rest.")

DEFAULTS = {
    "PHOTO_MAX_BYTES": 5 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 25_000_000,
    "PHOTO_MAX_SIDE": 1024,
}


@staff_bp.before_request
@staff_required
def require_staff():
    """Every student page for staff is staff-only, whatever its own decorators say."""


@keys_cli.command("rotate")
def rotate_command():
    """Add a new key, re-encrypt every encrypted value, then drop the old keys."""
    from school.extensions import db
    from school.profile.encryption import rotate_keys

    count = rotate_keys(db)
    click.echo(f"Re-encrypted {count} values with a new key; old keys removed.")


def init_app(app) -> None:
    from school.profile import models, routes, staff_routes  # noqa: F401
    from school.profile.encryption import ensure_keys

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    from school.privacy.data import erasure
    from school.profile.services import photo_for_erasure

    ensure_keys(app)
    erasure.register_hook(photo_for_erasure)
    app.register_blueprint(bp)
    app.register_blueprint(staff_bp)
    app.cli.add_command(keys_cli)
