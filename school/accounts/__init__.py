"""Accounts: sign-up, confirmation, sign-in, passwords, email changes and staff creation."""

from __future__ import annotations

import click
from flask import Blueprint
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l

from school.extensions import login_manager

bp = Blueprint("accounts", __name__)
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


def init_app(app) -> None:
    from school.accounts import models, routes  # noqa: F401
    from school.accounts.services import forget_old_sign_in_addresses, purge_consent_evidence
    from school.privacy.data import retention

    retention.register_job(
        "sign-in addresses older than a year forgotten", forget_old_sign_in_addresses
    )
    retention.register_job(
        "consent records of accounts erased 3+ years ago deleted", purge_consent_evidence
    )

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)


@login_manager.user_loader
def load_user(session_token: str):
    from school.accounts.services import find_user_by_session_token

    user = find_user_by_session_token(session_token)
    if user is None or not user.is_active:
        return None
    return user
