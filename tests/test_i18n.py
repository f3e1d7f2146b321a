"""Dates and times read the same whichever way they are formatted: the remembered parts the
site builds a short date and time from give exactly what Babel writes, in each language."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import render_template_string
from flask_babel import force_locale, format_date, format_datetime

from school.i18n import format_datetime_short


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_short_date_and_time_is_written_as_babel_writes_it(app, language):
    start = datetime(2026, 12, 31, 23, 59, 30, tzinfo=UTC)
    moments = [start + timedelta(minutes=97 * n, seconds=n) for n in range(400)]
    moments.append(datetime(2026, 1, 1, 0, 0))  # naive values are UTC, as stored
    with app.test_request_context(), force_locale(language):
        for moment in moments:
            assert format_datetime_short(moment) == format_datetime(moment, "short"), moment


@pytest.mark.parametrize("timezone", ["UTC", "Europe/Moscow", "America/New_York"])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_date_of_a_moment_is_the_date_where_the_site_reads_it(make_app, language, timezone):
    app = make_app(BABEL_DEFAULT_TIMEZONE=timezone)  # Flask-Babel reads it when the app is made
    start = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)
    moments = [start + timedelta(minutes=53 * n) for n in range(60)]
    moments.append(datetime(2026, 1, 1, 23, 30))  # naive values are UTC, as stored
    with app.test_request_context(), force_locale(language):
        written = render_template_string(
            "{% for m in moments %}{{ m | format_date_long }}|{% endfor %}", moments=moments
        )
        assert written.split("|")[:-1] == [format_date(m, "long") for m in moments]
        moments_written = render_template_string(
            "{% for m in moments %}{{ m | format_datetime_short }}|{% endfor %}", moments=moments
        )
        assert moments_written.split("|")[:-1] == [format_datetime(m, "short") for m in moments]
        in_utc = [format_date(m, "long", rebase=False) for m in moments]
        if timezone != "UTC":  # the zone is the site's, not UTC's: some dates differ
            assert written.split("|")[:-1] != in_utc
