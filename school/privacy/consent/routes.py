"""The policy pages: the version in force and its history, each version as worded, what
changed between two, and accepting a significantly changed policy."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from school.extensions import db
from school.i18n import current_language
from school.markdown_text import render_markdown
from school.privacy.blueprint import bp
from school.privacy.consent import policies
from school.privacy.consent.forms import AcceptPolicyForm
from school.privacy.consent.ledger import current_policy
from school.privacy.consent.models import PolicyVersion
from school.privacy.data.recipients import active_processors, home_country


@bp.route("/privacy")
def policy():
    """The policy in force, with the history of published versions."""
    language = current_language()
    policy = current_policy()
    history = db.session.scalars(
        select(PolicyVersion).order_by(PolicyVersion.effective_on.desc(), PolicyVersion.id.desc())
    ).all()
    return render_template(
        "privacy/policy.html",
        policy=policy,
        body=render_markdown(policy.body(language)),
        history=history,
        language=language,
        processors=active_processors(),
        home_country=home_country(),
    )


@bp.route("/privacy/versions/<version>")
def version(version):
    """One published version, as it was worded."""
    policy = policies.policy_by_version(version)
    if policy is None:
        abort(404)
    language = current_language()
    return render_template(
        "privacy/version.html",
        policy=policy,
        body=render_markdown(policy.body(language)),
        language=language,
    )


@bp.route("/privacy/versions/<old>/diff/<new>")
def diff(old, new):
    """What changed between two versions, line by line, in the reader's language."""
    old_policy = policies.policy_by_version(old)
    new_policy = policies.policy_by_version(new)
    if old_policy is None or new_policy is None:
        abort(404)
    language = current_language()
    return render_template(
        "privacy/diff.html",
        old=old_policy,
        new=new_policy,
        lines=policies.diff_lines(old_policy.body(language), new_policy.body(language)),
        language=language,
    )


@bp.route("/privacy/accept", methods=["GET", "POST"])
@login_required
def accept():
    """Where the banner leads after a significant change: the new text, what changed, and
    a button to accept it."""
    form = AcceptPolicyForm()
    if form.validate_on_submit():
        accepted = policies.accept_policy(
            current_user, language=current_language(), ip_address=request.remote_addr
        )
        if accepted is not None:
            flash(
                _("Thank you. You accepted version %(version)s.", version=accepted.version),
                "success",
            )
        return redirect(url_for("privacy.policy"))
    language = current_language()
    policy = current_policy()
    return render_template(
        "privacy/accept.html",
        form=form,
        policy=policy,
        body=render_markdown(policy.body(language)),
        needed=policies.version_needing_acceptance(current_user) is not None,
        changes=policies.changes_since_acceptance(current_user),
        language=language,
    )
