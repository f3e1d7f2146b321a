"""Languages: the locale of each request, and of each email's recipient."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from babel import Locale
from babel import dates as babel_dates
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, get_locale, get_timezone, get_translations, to_user_timezone
from flask_login import current_user
from jinja2 import pass_context, pass_eval_context
from markupsafe import Markup

from school.cookie_choice import LANGUAGE_COOKIE, read_choice
from school.extensions import babel

LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}


def select_locale() -> str:
    """A person's explicit choice first, then their account setting, then the browser's."""
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in supported:
        return chosen
    page = request._get_current_object()  # one lookup through the proxy, not one a use
    if read_choice(page).functional and page.cookies.get(LANGUAGE_COOKIE) in supported:
        return page.cookies[LANGUAGE_COOKIE]
    person = current_user._get_current_object()
    if person and person.is_authenticated:
        preferred = getattr(person, "locale", None)
        if preferred in supported:
            return preferred
    return page.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


_IDENTIFIERS: dict = {}


@lru_cache(maxsize=16)
def _parsed(code: str) -> Locale:
    return Locale.parse(code)


def _selected_locale() -> Locale:
    """:func:`select_locale`'s choice as the Babel locale, parsed once per language rather
    than on every request."""
    return _parsed(select_locale())


def current_language() -> str:
    """The reader's language code ("en", "ru"): asked for many times on every page, so each
    locale's code is written out once (``str`` of a Babel locale rebuilds it every time)."""
    locale = get_locale()
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    found = _IDENTIFIERS.get(locale)
    if found is None:
        found = _IDENTIFIERS[locale] = str(locale)
    return found


_TRANSLATED: dict[tuple[int, str], tuple[Mapping, dict]] = {}


def translated(labels: Mapping) -> dict:
    """``labels`` (a module-level mapping to lazy strings) as plain strings in the reader's
    language, built once per language: a lazy string looks its translation up again each
    time a page prints it, which on a list of thirty rows cost more than the query."""
    language = current_language()
    key = (id(labels), language)
    found = _TRANSLATED.get(key)
    if found is None or found[0] is not labels:
        found = _TRANSLATED[key] = (labels, {k: str(v) for k, v in labels.items()})
    return found[1]


_GETTEXT_IN: dict[str, dict] = {}


def _template_gettext(language: str) -> dict:
    """``_()``, ``gettext`` and ``ngettext`` bound to ``language``'s catalogue, the one in
    force when a render starts (so an email rendered under ``force_locale`` gets its own);
    made once per language."""
    found = _GETTEXT_IN.get(language)
    if found is None:
        found = _GETTEXT_IN[language] = _gettext_for(get_translations())
    return found


def _gettext_for(translations) -> dict:
    """Flask-Babel's template functions look the catalogue up again for every string, through
    three context lookups; these behave the same way (Jinja's "newstyle" gettext: escaped
    under autoescape, %-formatted) with none.

    They ask Jinja for the evaluation context, not the whole context: all they need is
    whether the render escapes. A ``pass_context`` function called inside a loop, or a block
    that sets a name, gets a copy of the whole context made for that one call (so it would
    see the loop's names), which on a list of thirty rows cost more than the strings.
    """

    @pass_eval_context
    def gettext(eval_ctx, string, **variables):
        value = translations.ugettext(string)
        if not variables and "%" not in value:
            # What formatting would give, without its cost.
            return Markup(value) if eval_ctx.autoescape else value  # noqa: S704
        return _formatted(value, variables, eval_ctx.autoescape)

    @pass_eval_context
    def ngettext(eval_ctx, singular, plural, num, **variables):
        variables.setdefault("num", num)
        value = translations.ungettext(singular, plural, num)
        return _formatted(value, variables, eval_ctx.autoescape)

    # ``_`` too: Jinja's own ``_`` only looks ``gettext`` up again and calls it.
    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


_NUMBERS = (int, float)


def _formatted(text: str, variables: dict, autoescape: bool):
    """``text`` (from our own catalogue, trusted as Jinja trusts it) %-formatted with
    ``variables``, which are escaped under autoescape. A number holds nothing to escape, so
    text given numbers alone is formatted as plain text and marked safe after: Markup's own
    formatting wraps and escapes each value first, a cost paid on every row of a list."""
    if not autoescape:
        return text % variables
    if all(type(value) in _NUMBERS for value in variables.values()):
        return Markup(text % variables)  # noqa: S704
    return Markup(text) % variables  # noqa: S704


def init_app(app) -> None:
    babel.init_app(app, locale_selector=_selected_locale)
    _register_filters(app)
    app.jinja_env.globals["get_locale"] = get_locale

    @app.context_processor
    def language_context():
        language = current_language()
        return {
            "language_names": LANGUAGE_NAMES,
            "current_language": language,
            # The reader's time zone, for every moment the render writes.
            "reader_timezone": reader_timezone(),
            **_template_gettext(language),
        }


@lru_cache(maxsize=16)
def _zone_named(name: str):
    return babel_dates.get_timezone(name)


def reader_timezone():
    """The clock moments are written on: the site's (``BABEL_DEFAULT_TIMEZONE``), as
    Flask-Babel's ``get_timezone`` gives it while no time zone is chosen per person (the
    site has no such setting), without its lookups on every page. A per-person zone would
    be chosen here."""
    configured = current_app.extensions["babel"]
    if configured.timezone_selector is not None:
        return get_timezone()
    return _zone_named(configured.default_timezone)


@lru_cache(maxsize=4096)
def _date_in(value: date, style: str, language: str) -> str:
    return format_date(value, style)  # in ``language``, the locale in force


_NO_OFFSET = timedelta(0)


@lru_cache(maxsize=16)
def _is_utc(zone) -> bool:
    """Whether ``zone`` is UTC itself (a zone with summer time has no offset without a date)."""
    return zone.utcoffset(None) == _NO_OFFSET


def _where_reader_is(value: datetime, zone) -> datetime:
    """``value`` (naive values are UTC) on the reader's clock: ``zone``, when the caller has
    it at hand, else the one Flask-Babel selects for this request. A moment stored in UTC
    is already on a UTC reader's clock: a list of them skips a conversion each."""
    if zone is None:
        return to_user_timezone(value)
    if _is_utc(zone) and (value.tzinfo is None or value.utcoffset() == _NO_OFFSET):
        return value
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone)


def _format_date(value, style: str, language: str | None = None, zone=None) -> str:
    """A calendar date is written the same way every time in one language: remember it. A
    moment is written as its date where the reader is (as ``flask_babel.format_date`` does).
    ``language`` and ``zone`` are the ones in force, when the caller knows them."""
    if isinstance(value, datetime):
        value = _where_reader_is(value, zone).date()
    if type(value) is date:
        return _date_in(value, style, language or current_language())
    return format_date(value, style)


def _date_filter(style: str):
    """A template filter writing dates in ``style``, in the language and time zone the
    render started in (``current_language`` and ``reader_timezone`` of its context): a list
    of thirty rows asks for them once."""

    @pass_context
    def written(context, value):
        return _format_date(
            value, style, context.get("current_language"), context.get("reader_timezone")
        )

    return written


@lru_cache(maxsize=4096)
def _clock_in(hour: int, minute: int, language: str) -> str:
    return babel_dates.format_time(time(hour, minute), "short", locale=language)


@lru_cache(maxsize=16)
def _date_and_clock(language: str) -> str:
    return babel_dates.get_datetime_format("short", locale=language).replace("'", "")


def format_datetime_short(value: datetime, zone=None, language: str | None = None) -> str:
    """``flask_babel.format_datetime(value, "short")``, built the way Babel builds it (the
    locale's pattern joining the short date and the short time) from remembered parts: a
    record of thousands of rows (an export) spent most of its time formatting times.
    ``zone`` and ``language`` are the reader's, when the caller has them at hand."""
    local = _where_reader_is(value, zone)
    language = language or current_language()
    return (
        _date_and_clock(language)
        .replace("{0}", _clock_in(local.hour, local.minute, language))
        .replace("{1}", _date_in(local.date(), "short", language))
    )


@pass_context
def _moment_filter(context, value: datetime) -> str:
    """:func:`format_datetime_short` as a template filter, in the render's language and zone."""
    return format_datetime_short(
        value, context.get("reader_timezone"), context.get("current_language")
    )


def _register_filters(app) -> None:
    app.jinja_env.filters["format_date_long"] = _date_filter("long")
    app.jinja_env.filters["format_date_medium"] = _date_filter("medium")
    app.jinja_env.filters["format_datetime_short"] = _moment_filter
