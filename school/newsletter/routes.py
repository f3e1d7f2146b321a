"""Public newsletter pages: a visitor's double opt-in, an account's choice, unsubscribing."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from school.extensions import csrf, limiter
from school.forms import ConfirmLinkForm
from school.i18n import current_language
from school.newsletter import bp, services
from school.newsletter.forms import (
    AccountSubscriptionForm,
    SubscribeForm,
    UnsubscribeForm,
)
from school.privacy.consent.ledger import consent_wording
from school.privacy.consent.models import ConsentPurpose
from school.security import TokenError

# --- visitors ---------------------------------------------------------------------------------


@bp.route("/newsletter", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["NEWSLETTER_SUBSCRIBE_LIMIT_PER_IP"], methods=["POST"])
def subscribe():
    if current_user.is_authenticated:
        return redirect(url_for("newsletter.account"))
    form = SubscribeForm()
    if request.method == "GET":
        form.language.data = current_language()
    if form.validate_on_submit():
        services.subscribe_visitor(form.email.data, form.language.data, request.remote_addr)
        # The same answer for every address: nobody learns who has an account or subscribed.
        return redirect(url_for("newsletter.check_email"))
    return render_template(
        "newsletter/subscribe.html",
        form=form,
        wording=consent_wording(ConsentPurpose.MARKETING, current_language(), None),
    )


@bp.route("/newsletter/check-email")
def check_email():
    return render_template(
        "newsletter/check_email.html",
        days=services.confirm_within().days,
    )


@bp.route("/newsletter/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    """Opening the link shows a button; only pressing it subscribes."""
    form = ConfirmLinkForm()
    if form.validate_on_submit():
        result = services.confirm_subscription(token, request.remote_addr)
    else:
        result, subscriber = services.subscription_to_confirm(token)
        if result is services.ConfirmResult.CONFIRMED:
            return render_template(
                "confirm_link.html",
                form=form,
                heading=_("Confirm your newsletter subscription"),
                explanation=_(
                    "Press the button to receive our newsletter at %(email)s.",
                    email=subscriber.email,
                ),
                button=_("Subscribe"),
            )
    if result is services.ConfirmResult.INVALID:
        return render_template("newsletter/link_problem.html"), 400
    return render_template("newsletter/confirmed.html")


# Exempt from CSRF on purpose: RFC 8058 one-click unsubscribe is a POST made by the mail
# client, with no session and no form token. The signed, unguessable token in the address is
# the authority, and the only thing a forged POST could do is what the link's owner asked.
@bp.route("/newsletter/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token):
    try:
        services.read_unsubscribe_token(token)
    except TokenError:
        return render_template("newsletter/link_problem.html"), 400
    form = UnsubscribeForm()
    if request.method == "POST":
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        services.unsubscribe(
            token,
            method="one-click unsubscribe (RFC 8058)" if one_click else "unsubscribe link",
            ip_address=request.remote_addr,
        )
        return render_template("newsletter/unsubscribed.html")
    return render_template("newsletter/unsubscribe.html", form=form)


# --- people with an account -----------------------------------------------------------------


@bp.route("/account/newsletter", methods=["GET", "POST"])
@login_required
def account():
    user = current_user._get_current_object()
    form = AccountSubscriptionForm()
    if request.method == "GET":
        form.subscribed.data = services.is_subscribed(user)
    if form.validate_on_submit():
        changed = services.set_account_subscription(
            user,
            bool(form.subscribed.data),
            language=current_language(),
            method="account settings",
            ip_address=request.remote_addr,
        )
        if not changed:
            flash(_("Nothing changed."), "info")
        elif form.subscribed.data:
            flash(_("You will receive the newsletter."), "success")
        else:
            flash(_("You will no longer receive the newsletter."), "success")
        return redirect(url_for("newsletter.account"))
    return render_template(
        "newsletter/account.html",
        form=form,
        subscribed=services.is_subscribed(user),
        wording=consent_wording(ConsentPurpose.MARKETING, current_language(), None),
    )
