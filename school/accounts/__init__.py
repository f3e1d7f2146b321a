"""Accounts: sign-up, confirmation, sign-in, passwords, email changes and staff creation."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from school.extensions import login_manager

bp = Blueprint("accounts", __name__)


def init_app(app) -> None:
    from school import rate_limits  # noqa: PLC0415
    from school.accounts import (  # noqa: F401, PLC0415
        models,
        routes,
        services,  # noqa: PLC0415
    )
    from school.accounts.cli import users_cli  # noqa: PLC0415
    from school.privacy.data import registry, retention  # noqa: PLC0415

    for retained, name, description, covers, count, apply in (
        (
            registry.SECURITY_LOG,
            "sign_in_details",
            _l("last sign-in time, address and count of accounts idle for the period, forgotten"),
            ("user",),
            services.count_idle_sign_in_details,
            services.forget_idle_sign_in_details,
        ),
        (
            registry.CONSENT_EVIDENCE,
            "erased_accounts",
            _l("consent records and guardian consents of accounts erased long ago, deleted"),
            ("consent_record", "user"),
            services.count_consent_evidence_of_erased,
            services.purge_consent_evidence,
        ),
    ):
        retention.register_rule(
            retained, name, description, covers=covers, count=count, apply=apply
        )
    for retained, name, description, model, past in (
        (
            registry.EMAIL_CHANGE_WINDOW,
            "email_changes",
            _l("address changes never confirmed, deleted"),
            models.EmailChange,
            lambda cutoff: models.EmailChange.requested_at < cutoff,
        ),
        (
            registry.SIGN_IN,
            "sessions",
            _l("sign-ins unused for the period, ended and deleted"),
            models.SignInSession,
            lambda cutoff: models.SignInSession.last_seen_at < cutoff,
        ),
        (
            registry.RATE_LIMIT,
            "counters",
            _l("counters of password-guessing limits whose window ended, deleted"),
            rate_limits.RateLimitCounter,
            lambda cutoff: rate_limits.RateLimitCounter.expires_at < cutoff.timestamp(),
        ),
    ):
        retention.register_deletion(retained, name, description, model, past)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(sign_in_token: str):
        """The cookies carry a sign-in's token; an ended sign-in loads nobody."""
        return services.user_for_sign_in_token(sign_in_token)

    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
