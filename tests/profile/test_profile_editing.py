"""A student edits, clears and validates every field of their profile over HTTP."""

from __future__ import annotations

from datetime import date

import pytest

from school.extensions import db
from school.profile.models import LanguageLevel, Level, Profile
from tests.profile.helpers import FULL_PROFILE

OPTIONAL = [name for name in FULL_PROFILE if name not in ("full_name", "locale")]


def test_profile_page_needs_a_login(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_every_field_is_saved_and_shown_back(student_client, student):
    response = student_client.submit("/profile", FULL_PROFILE)
    assert response.status_code == 302

    profile = db.session.get(Profile, student.id)
    db.session.refresh(student)
    assert student.full_name == "Sam Q. Student"
    assert student.locale == "ru"
    assert profile.phone == "+375 29 123 45 67"
    assert profile.date_of_birth == date(1990, 5, 17)
    for name in OPTIONAL:
        if name != "date_of_birth":
            assert getattr(profile, name) == FULL_PROFILE[name], name

    page = student_client.get("/profile").text
    for name in OPTIONAL:
        assert FULL_PROFILE[name] in page, name


def test_every_optional_field_can_be_cleared(student_client, student):
    student_client.submit("/profile", FULL_PROFILE)
    cleared = {**{name: "" for name in OPTIONAL}, "full_name": "Sam", "locale": "en"}
    response = student_client.submit("/profile", cleared)
    assert response.status_code == 302

    profile = db.session.get(Profile, student.id)
    db.session.refresh(profile)
    for name in OPTIONAL:
        assert getattr(profile, name) is None, name


def test_the_full_name_stays_required(student_client):
    response = student_client.submit("/profile", {**FULL_PROFILE, "full_name": "  "})
    assert response.status_code == 400
    assert "Enter your name." in response.text


def test_email_changes_through_the_confirmed_flow(student_client):
    page = student_client.get("/profile").text
    assert "student@example.com" in page
    assert 'href="/account#email-heading"' in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2999-01-01", "A date of birth cannot be in the future."),
        ("1850-01-01", "more than 120 years ago"),
        (date.today().isoformat(), "less than 5 years ago"),
        ("17/05/1990", "Enter your date of birth as a date"),
    ],
)
def test_bad_dates_of_birth_are_refused(student_client, student, value, message):
    response = student_client.submit("/profile", {**FULL_PROFILE, "date_of_birth": value})
    assert response.status_code == 400
    assert message in response.text
    assert db.session.get(Profile, student.id) is None


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("display_name", 60),
        ("address", 300),
        ("workplace", 150),
        ("position", 100),
        ("education", 2000),
        ("interests", 2000),
        ("learning_goals", 2000),
        ("full_name", 120),
    ],
)
def test_over_long_text_is_refused_with_the_limit(student_client, name, limit):
    response = student_client.submit("/profile", {**FULL_PROFILE, name: "x" * (limit + 1)})
    assert response.status_code == 400
    assert f"Use at most {limit} characters." in response.text


@pytest.mark.parametrize("phone", ["12", "call me", "+375 29 123 45 67 89 01 23", "++375291234567"])
def test_invalid_phone_numbers_are_refused(student_client, phone):
    response = student_client.submit("/profile", {**FULL_PROFILE, "phone": phone})
    assert response.status_code == 400
    assert "Enter a phone number with its country code" in response.text


@pytest.mark.parametrize("phone", ["+375291234567", "+44 (20) 7946-0958", "8 029 123 45 67"])
def test_usual_phone_numbers_are_accepted(student_client, phone):
    response = student_client.submit("/profile", {**FULL_PROFILE, "phone": phone})
    assert response.status_code == 302


@pytest.mark.parametrize("code", ["12", "12345678901", "22 0030!", "-2200"])
def test_invalid_postal_codes_are_refused(student_client, code):
    response = student_client.submit("/profile", {**FULL_PROFILE, "postal_code": code})
    assert response.status_code == 400
    assert "A postal code has 3 to 10 letters, digits, spaces or dashes." in response.text


@pytest.mark.parametrize("code", ["220030", "SW1A 1AA", "10-001", "K1A0B1"])
def test_postal_codes_of_many_countries_are_accepted(student_client, code):
    response = student_client.submit("/profile", {**FULL_PROFILE, "postal_code": code})
    assert response.status_code == 302


def test_language_levels_are_added_changed_and_removed(student_client, student):
    def levels():
        rows = db.session.scalars(db.select(LanguageLevel).filter_by(user_id=student.id)).all()
        return {row.language: row.level for row in rows}

    student_client.submit("/profile/languages", {"level-language": "de", "level-level": "A2"})
    student_client.submit("/profile/languages", {"level-language": "fr", "level-level": "C1"})
    assert levels() == {"de": Level.A2, "fr": Level.C1}

    student_client.submit("/profile/languages", {"level-language": "de", "level-level": "B1"})
    assert levels() == {"de": Level.B1, "fr": Level.C1}
    page = student_client.get("/profile").text
    assert "German" in page and "B1" in page

    student_client.submit("/profile/languages/de/remove", csrf_field="rm-csrf_token")
    assert levels() == {"fr": Level.C1}


def test_an_unknown_language_or_level_is_refused(student_client, student):
    response = student_client.submit(
        "/profile/languages", {"level-language": "xx", "level-level": "D9"}
    )
    assert response.status_code == 400
    assert db.session.scalars(db.select(LanguageLevel)).all() == []
