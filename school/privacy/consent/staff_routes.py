"""Staff pages of the consent ledger: publishing privacy-policy versions, a person's consent
history (opened with a reason, recorded in the staff access log) and the acceptances of each
version with filters and a CSV download."""

from __future__ import annotations

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from school.markdown_text import render_markdown
from school.pagination import paginate
from school.privacy.consent import policies, reports
from school.privacy.consent.forms import AcceptanceFilterForm, PolicyVersionForm
from school.privacy.consent.ledger import ACTION_LABELS, PURPOSE_LABELS, current_policy
from school.security import shown, staff_blueprint

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


def _acceptance_filters() -> tuple[AcceptanceFilterForm, reports.AcceptanceFilter]:
    form = AcceptanceFilterForm(request.args)
    form.set_versions(policies.all_versions())
    return form, form.filters()


@bp.route("/acceptances", shows="consent_acceptances")
def acceptances():
    """Who gave or withdrew which consent under which version: counts, then the rows."""
    form, filters = _acceptance_filters()
    page = paginate(reports.acceptances(filters), per_page=50)
    shown(users=[r.user_id for r in page.items], emails=[r.email for r in page.items])
    return render_template(
        "privacy/admin_acceptances.html",
        form=form,
        args=filters.as_args(),
        counts=reports.counts_by_version(filters),
        page=page,
        purpose_labels=PURPOSE_LABELS,
        action_labels=ACTION_LABELS,
    )


@bp.route("/acceptances.csv", shows="consent_acceptances")
def acceptances_csv():
    _form, filters = _acceptance_filters()
    people = reports.people_in(filters)
    shown(users=[user_id for user_id, _ in people], emails=[email for _, email in people])
    response = Response(stream_with_context(reports.acceptances_csv(filters)), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="consent-acceptances.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)
