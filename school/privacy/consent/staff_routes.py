"""Staff pages for publishing privacy-policy versions."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from school.markdown_text import render_markdown
from school.privacy.consent import policies
from school.privacy.consent.forms import PolicyVersionForm
from school.privacy.consent.ledger import current_policy
from school.security import staff_blueprint

bp = staff_blueprint("policy_admin", __name__, url_prefix="/admin/policies")


@bp.route("/", shows=None)
def versions():
    return render_template(
        "privacy/admin_versions.html",
        versions=policies.all_versions(),
        current=current_policy(),
    )


def _draft(form: PolicyVersionForm) -> policies.PolicyDraft:
    return policies.PolicyDraft(
        version=form.version.data.strip(),
        effective_on=form.effective_on.data,
        significant=form.significant.data == "yes",
        body_en=form.body_en.data,
        body_ru=form.body_ru.data,
        summary_en=form.summary_en.data,
        summary_ru=form.summary_ru.data,
    )


@bp.route("/new", methods=["GET", "POST"], shows=None)
def publish():
    """Write a version starting from the one in force, preview it, then publish it."""
    form = PolicyVersionForm()
    if not form.is_submitted():
        policy = current_policy()
        form.body_en.data = policy.body_en
        form.body_ru.data = policy.body_ru
    preview = None
    if form.validate_on_submit():
        draft = _draft(form)
        try:
            if form.publish.data and not form.preview.data:
                policy = policies.publish_policy(draft, published_by=current_user)
                flash(_published_message(policy), "success")
                return redirect(url_for("policy_admin.versions"))
            policies.check_draft(draft)
            preview = {
                "en": render_markdown(form.body_en.data),
                "ru": render_markdown(form.body_ru.data),
            }
        except policies.PolicyError as error:
            field = getattr(form, error.field, None) if error.field else None
            if field is not None:
                field.errors = [*field.errors, str(error.message)]
            else:
                form.form_errors.append(str(error.message))
    status = 400 if form.is_submitted() and preview is None else 200
    return render_template("privacy/admin_publish.html", form=form, preview=preview), status


def _published_message(policy) -> str:
    if policy.significant:
        return _(
            "Version %(version)s is published. Everyone with an active account is being "
            "told by email.",
            version=policy.version,
        )
    return _("Version %(version)s is published.", version=policy.version)


def init_app(app) -> None:
    app.register_blueprint(bp)
