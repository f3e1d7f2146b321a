from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import select

from school.compliance.services import active_processors, home_country
from school.extensions import db
from school.i18n import current_language
from school.markdown_text import render_markdown
from school.privacy import bp, requests
from school.privacy.models import PolicyVersion
from school.privacy.services import current_policy
from school.security import TokenError


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


@bp.route("/privacy/requests/confirm/<token>")
def confirm_request(token):
    """The link from a confirmation email: only this makes an emailed request act."""
    try:
        request = requests.confirm_request(token)
    except TokenError as error:
        if error.reason == "expired":
            message = _(
                "This confirmation link has expired, so the request was not made. "
                "Please send your request again."
            )
        else:
            message = _("This link is not valid. It may have been copied incompletely.")
        return render_template("privacy/confirm_failed.html", message=message), 400
    return render_template("privacy/request_confirmed.html", privacy_request=request)
