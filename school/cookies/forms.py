from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField

from school.forms import SchoolForm


class CookieBannerForm(SchoolForm):
    """The banner: accepting and refusing are the same size and one click each."""

    accept_all = SubmitField(_l("Accept all cookies"))
    refuse_all = SubmitField(_l("Only essential cookies"))


class CookieChoicesForm(SchoolForm):
    functional = BooleanField(_l("Functional cookies"))
    analytics = BooleanField(_l("Analytics cookies"))
    save = SubmitField(_l("Save my choices"))
