from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf

from school.cookie_choice import read_choice
from school.cookies.services import remember_language
from school.extensions import db
from school.i18n import LANGUAGE_NAMES, current_language
from school.markdown_text import render_markdown
from school.pages import bp
from school.security import is_safe_redirect

TEXTS = Path(__file__).resolve().parent / "texts"


class LanguageForm(FlaskForm):
    language = StringField(validators=[AnyOf(list(LANGUAGE_NAMES))])
    next = HiddenField()


def _text_page(name: str, template: str):
    path = TEXTS / f"{name}.{current_language()}.md"
    if not path.exists():
        path = TEXTS / f"{name}.en.md"
    return render_template(template, body=render_markdown(path.read_text(encoding="utf-8")))


@bp.route("/")
def home():
    return render_template("pages/home.html")


@bp.route("/health")
def health():
    """For load balancers and monitoring: the app answers, without touching the database."""
    return {"status": "ok"}


@bp.route("/terms")
def terms():
    return _text_page("terms", "pages/terms.html")


@bp.route("/contact")
def contact():
    return render_template("pages/contact.html")


@bp.route("/language", methods=["POST"])
def set_language():
    """Remember a language choice in the session (an essential cookie), and on the account."""
    form = LanguageForm(prefix="lang")
    if not form.validate_on_submit():
        abort(400)
    language = form.language.data
    session["lang"] = language
    if current_user.is_authenticated and current_user.locale != language:
        current_user.locale = language
        db.session.commit()
    target = form.next.data or request.referrer
    if not is_safe_redirect(target):
        target = url_for("pages.home")
    response = redirect(target)
    remember_language(response, language, read_choice(request))
    return response


@bp.app_context_processor
def site_context():
    return {
        "school_name": current_app.config["SCHOOL_NAME"],
    }
