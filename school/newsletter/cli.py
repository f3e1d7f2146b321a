"""The ``flask newsletter`` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

newsletter_cli = AppGroup("newsletter", help="Newsletter subscriptions.")


@newsletter_cli.command("purge")
def purge_command():
    """Delete visitor subscriptions that were never confirmed within 30 days."""
    from school.newsletter.services import purge_unconfirmed

    click.echo(f"purged {purge_unconfirmed()} unconfirmed subscription(s)")
