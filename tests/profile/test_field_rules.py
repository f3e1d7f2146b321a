"""One rule for each personal detail: sign-up, the profile page and a correction request
accept and refuse exactly the same values."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from school.extensions import db
from school.privacy.requests.corrections import CORRECTABLE
from school.privacy.requests.forms import CorrectionForm
from school.privacy.requests.models import PrivacyRequest
from school.profile.forms import ProfileDetailsForm
from school.profile.models import (
    ADDRESS_MAX,
    DISPLAY_NAME_MAX,
    LONG_TEXT_MAX,
    POSITION_MAX,
    WORKPLACE_MAX,
    Profile,
)
from tests.conftest import AuthActions


def years_ago(years: int, days: int = 0) -> str:
    """The date ``years`` before today, moved by ``days`` (29 February falls back to 28)."""
    today = date.today()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:
        birthday = today.replace(year=today.year - years, day=28)
    return (birthday + timedelta(days=days)).isoformat()


def written(born) -> str:
    """A date given as (years, days) from today, worked out when the test runs rather than
    when it is collected: a run that passes midnight would otherwise test yesterday's edges."""
    return years_ago(*born) if isinstance(born, tuple) else born


def sign_up(client, born: str):
    return client.submit(
        "/signup",
        {
            "full_name": "Nina Novak",
            "email": "nina@example.com",
            "password": "a long enough password",
            "date_of_birth": born,
            "guardian_name": "Olga Novak",
            "guardian_email": "olga@example.com",
            "processing_consent": "y",
        },
    )


def edit_profile(client, born: str):
    return client.submit("/profile", {"full_name": "Sam Student", "locale": "en",
                                      "date_of_birth": born})  # fmt: skip


def ask_for_correction(client, **values):
    data = {"kind": "correction", "correction-type": "correction"}
    data.update({f"correction-{name}": value for name, value in values.items()})
    return client.submit("/privacy/centre/requests", data, csrf_field="correction-csrf_token")


@pytest.fixture
def entry(request, app, client, student, smtp):
    """Where a date of birth is typed: ``entry(born)`` answers (accepted, page text)."""
    if request.param != "sign-up":
        AuthActions(client).login(student.email)
    send = {
        "sign-up": lambda born: sign_up(client, born),
        "profile": lambda born: edit_profile(client, born),
        "correction": lambda born: ask_for_correction(client, date_of_birth=born),
    }[request.param]

    def submit(born: str):
        response = send(born)
        assert response.status_code in (302, 200, 400), response.status_code
        return response.status_code == 302, html.unescape(response.text)

    return submit


WHERE = ["sign-up", "profile", "correction"]


@pytest.mark.parametrize("entry", WHERE, indirect=True)
@pytest.mark.parametrize(
    ("born", "refusal"),
    [
        ((0, 1), "A date of birth cannot be in the future."),
        ((5, 1), "that is less than 5 years ago"),
        ((121, 0), "that is more than 120 years ago"),
        ("31/02/2001", "Enter your date of birth as a date"),
    ],
)
def test_the_same_dates_of_birth_are_refused_everywhere(entry, born, refusal):
    accepted, page = entry(written(born))
    assert not accepted
    assert refusal in page


@pytest.mark.parametrize("entry", WHERE, indirect=True)
@pytest.mark.parametrize("born", [(5, 0), (121, 1)])
def test_the_same_dates_of_birth_are_accepted_everywhere(entry, born):
    """Five years old today, and 120 years and 364 days: the youngest and oldest ages."""
    accepted, page = entry(written(born))
    assert accepted, page


def test_a_correction_offers_the_profile_fields_themselves():
    """Not copies with their own limits: the very fields of the profile's form."""
    profile_fields = {name for name in dir(ProfileDetailsForm) if name in CORRECTABLE}
    assert set(CorrectionForm.CHANGE_FIELDS) == profile_fields == set(CORRECTABLE)
    for name in CORRECTABLE:
        assert getattr(CorrectionForm, name) is getattr(ProfileDetailsForm, name), name


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("display_name", DISPLAY_NAME_MAX),
        ("address", ADDRESS_MAX),
        ("workplace", WORKPLACE_MAX),
        ("position", POSITION_MAX),
        ("learning_goals", LONG_TEXT_MAX),
        ("full_name", 120),
    ],
)
def test_a_correction_takes_values_up_to_the_column_limit_and_not_one_more(
    app, student_client, name, limit
):
    too_long = ask_for_correction(student_client, **{name: "x" * (limit + 1)})
    assert too_long.status_code == 400
    assert f"Use at most {limit} characters." in too_long.text
    assert db.session.scalar(select(func.count()).select_from(PrivacyRequest)) == 0

    just_fits = ask_for_correction(student_client, **{name: "x" * limit})
    assert just_fits.status_code == 302
    request = db.session.scalar(select(PrivacyRequest))
    assert request.requested_changes == {name: "x" * limit}


def test_the_display_name_column_holds_the_longest_correction_allowed(app, student):
    assert DISPLAY_NAME_MAX == Profile.__table__.c.display_name.type.length == 60
