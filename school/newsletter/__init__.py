"""Newsletters: subscriptions that honour the consent ledger, composition and sending.

``bp`` holds the public pages (visitor double opt-in, an account's choice, one-click
unsubscribe); ``staff_routes`` the staff pages under /admin/newsletters. Messages go through the
outbox and are sent by ``flask mail send`` / ``flask mail worker``, never in the request.
"""

from __future__ import annotations

import click
from flask import Blueprint
from flask.cli import AppGroup

bp = Blueprint("newsletter", __name__)

newsletter_cli = AppGroup("newsletter", help="Newsletter subscriptions.")


@newsletter_cli.command("purge")
def purge_command():
    """Delete visitor subscriptions that were never confirmed within 30 days."""
    from school.newsletter.services import purge_unconfirmed

    click.echo(f"purged {purge_unconfirmed()} unconfirmed subscription(s)")


def init_app(app) -> None:
    from school.mail.services import register_personaliser
    from school.newsletter import models, routes, staff_routes  # noqa: F401
    from school.newsletter.services import TEMPLATE, personalise

    register_personaliser(TEMPLATE, personalise)
    app.register_blueprint(bp)
    app.register_blueprint(staff_routes.bp)
    app.cli.add_command(newsletter_cli)
