"""The ``flask keys`` commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

keys_cli = AppGroup("keys", help="Manage the keys that encrypt personal data at rest.")


@keys_cli.command("rotate")
def rotate_command():
    """Add a new key, re-encrypt every encrypted value, then retire the old keys.

    A retired key only decrypts (backups taken before), and is dropped by a rotation made
    BACKUP_RETENTION_DAYS after it was retired.
    """
    from school.extensions import db
    from school.profile.encryption import rotate_keys

    count = rotate_keys(db)
    days = current_app.config["BACKUP_RETENTION_DAYS"]
    click.echo(
        f"Re-encrypted {count} values with a new key; the old key is retired: it decrypts "
        f"backups taken before for {days} days, and never encrypts."
    )
