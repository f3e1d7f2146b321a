"""The ``flask users`` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="School administrator", help="Full name.")
@click.option(
    "--password",
    default=None,
    help="Password; asked for when omitted. Use --generate for a random one.",
)
@click.option("--generate", is_flag=True, help="Generate a password and print it.")
def create_admin_command(email, name, password, generate):
    """Create a staff account (or make an existing account staff)."""
    import secrets

    from school.accounts.services import create_staff

    if generate:
        password = secrets.token_urlsafe(12)
    elif not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = create_staff(name, email, password)
    click.echo(f"Staff account ready: {user.email}")
    if generate:
        click.echo(f"Password: {password}")
