"""One function per account email; each queues it in the caller's transaction."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from school.mail.services import queue_email
from school.web_urls import absolute_url


def confirm_your_address(user, token: str) -> None:
    queue_email(
        user.email,
        user=user,
        locale=user.locale,
        subject=_l("Confirm your email address"),
        template="accounts/confirm",
        link=absolute_url("accounts.confirm", token=token),
    )


def someone_tried_to_sign_up(user) -> None:
    queue_email(
        user.email,
        user=user,
        locale=user.locale,
        subject=_l("Someone tried to sign up with your address"),
        template="accounts/already_registered",
        login_link=absolute_url("accounts.login"),
        reset_link=absolute_url("accounts.forgot_password"),
    )


def address_already_registered(address: str, locale: str) -> None:
    queue_email(
        address,
        locale=locale,
        subject=_l("Someone tried to use your address"),
        template="accounts/address_taken",
        reset_link=absolute_url("accounts.forgot_password"),
    )


def reset_your_password(user, token: str) -> None:
    queue_email(
        user.email,
        user=user,
        locale=user.locale,
        subject=_l("Reset your password"),
        template="accounts/reset_password",
        link=absolute_url("accounts.reset_password", token=token),
    )


def password_changed(user) -> None:
    queue_email(
        user.email,
        user=user,
        locale=user.locale,
        subject=_l("Your password was changed"),
        template="accounts/password_changed",
        reset_link=absolute_url("accounts.forgot_password"),
    )


def confirm_new_address(user, new_address: str, token: str) -> None:
    queue_email(
        new_address,
        user=user,
        locale=user.locale,
        subject=_l("Confirm your new email address"),
        template="accounts/confirm_new_address",
        link=absolute_url("accounts.confirm_email_change", token=token),
    )


def address_was_changed(user, old_address: str) -> None:
    queue_email(
        old_address,
        user=user,
        locale=user.locale,
        subject=_l("Your email address was changed"),
        template="accounts/address_changed",
        new_address=user.email,
        old_address=old_address,
    )


def guardian_consent_request(user, token: str) -> None:
    """To the parent or guardian of a minor, in the language the minor chose."""
    queue_email(
        user.guardian_email,
        user=user,
        locale=user.locale,
        subject=_l("Your consent is needed for %(name)s's account", name=user.full_name),
        template="accounts/guardian_consent",
        link=absolute_url("accounts.guardian_consent", token=token),
        days=current_app.config["GUARDIAN_CONSENT_WITHIN"].days,
        guardian_name=user.guardian_name,
        child_name=user.full_name,
        child_email=user.email,
    )


def no_account_here(address: str, locale: str) -> None:
    """To an address someone asked about (a reset, a confirmation, a sign-in link) that has
    no account: the same work as for an address with one, so neither page nor timing tells."""
    queue_email(
        address,
        locale=locale,
        subject=_l("No account uses this address"),
        template="accounts/no_account",
        signup_link=absolute_url("accounts.signup"),
    )


def already_confirmed(user) -> None:
    queue_email(
        user.email,
        user=user,
        locale=user.locale,
        subject=_l("Your address is already confirmed"),
        template="accounts/already_confirmed",
        login_link=absolute_url("accounts.login"),
        reset_link=absolute_url("accounts.forgot_password"),
    )


def sign_in_link(user, token: str) -> None:
    queue_email(
        user.email,
        user=user,
        locale=user.locale,
        subject=_l("Your sign-in link"),
        template="accounts/sign_in_link",
        link=absolute_url("accounts.sign_in_by_link", token=token),
        minutes=int(current_app.config["SIGN_IN_LINK_WITHIN"].total_seconds() // 60),
    )
