"""Staff pages for newsletters: compose, preview, test, send and watch the progress."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from school.courses.services import language_choices as course_language_choices
from school.forms import select_choices
from school.i18n import current_language
from school.newsletter import services
from school.newsletter.forms import ActionForm, CampaignForm
from school.security import staff_blueprint

bp = staff_blueprint("newsletter_admin", __name__, url_prefix="/admin/newsletters")


def _campaign_or_404(public_id):
    campaign = services.campaign_by_public_id(public_id)
    if campaign is None:
        abort(404)
    return campaign


@bp.route("/", shows=None)
def index():
    return render_template("newsletter/admin/index.html", history=services.history())


@bp.route("/new", methods=["GET", "POST"], shows=None)
@bp.route("/<public_id>/edit", methods=["GET", "POST"], shows=None)
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


@bp.route("/<public_id>", shows=None)
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


@bp.route("/<public_id>/progress.json", shows=None)
def progress(public_id):
    campaign = _campaign_or_404(public_id)
    return jsonify(services.progress(campaign).as_dict())


@bp.route("/<public_id>/test", methods=["POST"], shows=None)
def send_test(public_id):
    campaign = _campaign_or_404(public_id)
    if ActionForm().validate_on_submit():
        services.send_test(campaign, current_user)
        flash(_("A test copy is on its way to %(address)s.", address=current_user.email), "info")
    return redirect(url_for("newsletter_admin.show", public_id=public_id))


@bp.route("/<public_id>/send", methods=["POST"], shows=None)
def send(public_id):
    campaign = _campaign_or_404(public_id)
    if ActionForm().validate_on_submit():
        count = services.queue_campaign(campaign, current_user)
        if count:
            flash(_("The newsletter is queued. Recipients: %(count)d.", count=count), "success")
        elif count == 0:
            flash(_("Nobody is in the audience; nothing was sent."), "warning")
    return redirect(url_for("newsletter_admin.show", public_id=public_id))
