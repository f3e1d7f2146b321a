"""Accounts: sign-up, confirmation, sign-in, passwords, email changes and staff creation."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from school.extensions import login_manager

bp = Blueprint("accounts", __name__)


def init_app(app) -> None:
    from school.accounts import models, routes  # noqa: F401, PLC0415
    from school.accounts.cli import users_cli  # noqa: PLC0415
    from school.accounts.services import (  # noqa: PLC0415
        forget_old_sign_in_addresses,
        forget_stale_email_changes,
        purge_consent_evidence,
        user_for_sign_in_token,
    )
    from school.privacy.data import retention  # noqa: PLC0415

    retention.register_job(
        "sign-in addresses older than a year forgotten", forget_old_sign_in_addresses
    )
    retention.register_job(
        "consent records of accounts erased 3+ years ago deleted", purge_consent_evidence
    )
    retention.register_job("unconfirmed address changes deleted", forget_stale_email_changes)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(sign_in_token: str):
        """The cookies carry a sign-in's token; an ended sign-in loads nobody."""
        return user_for_sign_in_token(sign_in_token)

    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
