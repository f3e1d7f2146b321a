"""Profile: every detail a student may tell the school, their photo, and staff access to it."""

from __future__ import annotations

import click
from flask import Blueprint
from flask.cli import AppGroup

bp = Blueprint("profile", __name__)
keys_cli = AppGroup("keys", help="Manage the keys that encrypt personal data at rest.")


@keys_cli.command("rotate")
def rotate_command():
    """Add a new key, re-encrypt every encrypted value, then drop the old keys."""
    from school.extensions import db
    from school.profile.encryption import rotate_keys

    count = rotate_keys(db)
    click.echo(f"Re-encrypted {count} values with a new key; old keys removed.")


def init_app(app) -> None:
    from school.privacy.data import erasure
    from school.profile import models, routes, staff_routes  # noqa: F401
    from school.profile.encryption import ensure_keys
    from school.profile.services import photo_for_erasure

    ensure_keys(app)
    erasure.register_hook(photo_for_erasure)
    app.register_blueprint(bp)
    app.register_blueprint(staff_routes.bp)
    app.cli.add_command(keys_cli)
