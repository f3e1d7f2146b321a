from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class CookieBannerForm(FlaskForm):
    """The banner: accepting and refusing are the same size and one click each."""

    accept_all = SubmitField(_l("Accept all cookies"))
    refuse_all = SubmitField(_l("Only essential cookies"))


class CookieChoicesForm(FlaskForm):
    functional = BooleanField(_l("Functional cookies"))
    analytics = BooleanField(_l("Analytics cookies"))
    save = SubmitField(_l("Save my choices"))
