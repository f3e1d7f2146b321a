"""The ``flask keys`` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

keys_cli = AppGroup("keys", help="Manage the keys that encrypt personal data at rest.")


@keys_cli.command("rotate")
def rotate_command():
    """Add a new key, re-encrypt every encrypted value, then drop the old keys."""
    from school.extensions import db
    from school.profile.encryption import rotate_keys

    count = rotate_keys(db)
    click.echo(f"Re-encrypted {count} values with a new key; old keys removed.")
