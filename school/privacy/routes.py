from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from school.extensions import db
from school.i18n import current_language
from school.markdown_text import render_markdown
from school.privacy import bp
from school.privacy.models import PolicyVersion
from school.privacy.services import current_policy


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
    )
