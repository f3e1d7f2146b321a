"""Newsletter pages: parse, call one service, answer."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from school.courses.services import language_choices as course_language_choices
from school.extensions import csrf, limiter
from school.forms import select_choices
from school.i18n import current_language
from school.newsletter import admin_bp, bp, services
from school.newsletter.forms import (
    AccountSubscriptionForm,
    ActionForm,
    CampaignForm,
    SubscribeForm,
    UnsubscribeForm,
)
from school.privacy.consent.ledger import consent_wording
from school.privacy.consent.models import ConsentPurpose
from school.security import TokenError, staff_required

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
        days=current_app.config["NEWSLETTER_CONFIRM_WITHIN"].days,
    )


@bp.route("/newsletter/confirm/<token>")
def confirm(token):
    result = services.confirm_subscription(token, request.remote_addr)
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


# --- staff --------------------------------------------------------------------------------------


@admin_bp.before_request
@staff_required
def require_staff():
    """Every newsletter page for staff is staff-only."""


def _campaign_or_404(public_id):
    campaign = services.campaign_by_public_id(public_id)
    if campaign is None:
        abort(404)
    return campaign


@admin_bp.route("/")
@staff_required
def index():
    return render_template("newsletter/admin/index.html", history=services.history())


@admin_bp.route("/new", methods=["GET", "POST"])
@admin_bp.route("/<public_id>/edit", methods=["GET", "POST"])
@staff_required
def compose(public_id=None):
    campaign = _campaign_or_404(public_id) if public_id else None
    if campaign is not None and not campaign.is_draft:
        flash(_("This newsletter is already being sent and can no longer change."), "warning")
        return redirect(url_for("newsletter_admin.show", public_id=campaign.public_id))
    form = CampaignForm(obj=campaign)
    form.course_language.choices = select_choices(
        [("", _("Any course language"))] + course_language_choices()
    )
    if request.method == "GET" and campaign is None:
        form.language.data = current_language()
    elif request.method == "GET":
        form.course_language.data = (campaign.audience or {}).get("course_language") or ""
        form.course_level.data = (campaign.audience or {}).get("course_level") or ""
    if form.validate_on_submit():
        campaign = services.save_campaign(
            campaign,
            subject=form.subject.data.strip(),
            body=form.body.data,
            language=form.language.data,
            author=current_user,
            course_language=form.course_language.data or "",
            course_level=form.course_level.data or "",
        )
        return redirect(url_for("newsletter_admin.show", public_id=campaign.public_id))
    return render_template("newsletter/admin/compose.html", form=form, campaign=campaign)


@admin_bp.route("/<public_id>")
@staff_required
def show(public_id):
    campaign = _campaign_or_404(public_id)
    audience_count = None
    if campaign.is_draft:
        audience_count = services.audience_count(services.Audience.of(campaign))
    return render_template(
        "newsletter/admin/show.html",
        campaign=campaign,
        rendered=services.render_campaign(campaign),
        placeholder=services.UNSUBSCRIBE_PLACEHOLDER,
        audience_count=audience_count,
        progress=services.progress(campaign),
        action_form=ActionForm(),
    )


@admin_bp.route("/<public_id>/progress.json")
@staff_required
def progress(public_id):
    campaign = _campaign_or_404(public_id)
    return jsonify(services.progress(campaign).as_dict())


@admin_bp.route("/<public_id>/test", methods=["POST"])
@staff_required
def send_test(public_id):
    campaign = _campaign_or_404(public_id)
    if ActionForm().validate_on_submit():
        services.send_test(campaign, current_user)
        flash(_("A test copy is on its way to %(address)s.", address=current_user.email), "info")
    return redirect(url_for("newsletter_admin.show", public_id=public_id))


@admin_bp.route("/<public_id>/send", methods=["POST"])
@staff_required
def send(public_id):
    campaign = _campaign_or_404(public_id)
    if ActionForm().validate_on_submit():
        count = services.queue_campaign(campaign, current_user)
        if count:
            flash(_("The newsletter is queued. Recipients: %(count)d.", count=count), "success")
        elif count == 0:
            flash(_("Nobody is in the audience; nothing was sent."), "warning")
    return redirect(url_for("newsletter_admin.show", public_id=public_id))
