from __future__ import annotations

from pathlib import Path

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from school.cookie_choice import CookieChoice, read_choice
from school.cookies import bp
from school.cookies.forms import CookieBannerForm, CookieChoicesForm
from school.cookies.services import apply_choice
from school.i18n import current_language
from school.markdown_text import render_markdown
from school.security import is_safe_redirect

TEXTS = Path(__file__).resolve().parent.parent / "pages" / "texts"


def _policy_text():
    path = TEXTS / f"cookies.{current_language()}.md"
    if not path.exists():
        path = TEXTS / "cookies.en.md"
    return render_markdown(path.read_text(encoding="utf-8"))


@bp.route("/cookies", methods=["GET", "POST"])
def policy():
    """The cookie policy, with the person's choices that they can change at any time."""
    previous = read_choice(request)
    form = CookieChoicesForm(
        prefix="choices",
        data={"functional": previous.functional, "analytics": previous.analytics},
    )
    if form.validate_on_submit():
        choice = CookieChoice(
            decided=True, functional=form.functional.data, analytics=form.analytics.data
        )
        flash(_("Your cookie choices are saved."), "success")
        return _save(choice, previous, url_for("cookies.policy"))
    return render_template("cookies/policy.html", body=_policy_text(), form=form)


@bp.route("/cookies/banner", methods=["POST"])
def banner():
    form = CookieBannerForm(prefix="cookie")
    if not form.validate_on_submit():
        abort(400)
    accept = bool(form.accept_all.data)
    choice = CookieChoice(decided=True, functional=accept, analytics=accept)
    target = request.form.get("next") or request.referrer
    if not is_safe_redirect(target):
        target = url_for("pages.home")
    return _save(choice, read_choice(request), target)


def _save(choice: CookieChoice, previous: CookieChoice, target: str):
    response = redirect(target)
    apply_choice(
        response,
        choice,
        previous=previous,
        user=current_user,
        ip=request.remote_addr,
        language=current_language(),
    )
    return response
