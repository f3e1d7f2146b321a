"""Password reset and change, and email change."""

import re

from sqlalchemy import select

from school.accounts.models import User
from school.extensions import db
from tests.conftest import PASSWORD, AuthActions, create_user, link_in, path_of, text_of

NEW_PASSWORD = "a brand new password"  # noqa: S105


def without_tokens(html: str) -> str:
    """A page with its CSRF token values blanked: they carry a timestamp."""
    return re.sub(r'value="[^"]*"', 'value=""', html)


def test_reset_answers_the_same_whether_or_not_the_address_exists(client, smtp, student):
    known = client.submit("/forgot-password", {"email": student.email})
    unknown = client.submit("/forgot-password", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert without_tokens(known.text) == without_tokens(unknown.text)
    assert len(smtp.to(student.email)) == 1
    # The address without an account hears that it has none: the same work either way.
    assert smtp.last_to("nobody@example.com")["Subject"] == "No account uses this address"
    assert "/reset-password/" not in text_of(smtp.last_to("nobody@example.com"))


def test_reset_link_sets_a_new_password_once(client, smtp, student, auth):
    client.submit("/forgot-password", {"email": student.email})
    path = path_of(link_in(smtp.last_to(student.email), "/reset-password/"))
    assert client.get(path).status_code == 200

    done = client.submit(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert smtp.last_to(student.email)["Subject"] == "Your password was changed"
    assert auth.login(student.email, PASSWORD).status_code == 401
    assert auth.login(student.email, NEW_PASSWORD).status_code == 302

    reused = client.get(path)
    assert reused.status_code == 400
    assert "not valid" in reused.text


def test_reset_link_expires(make_app, smtp, make_user):
    from datetime import timedelta

    app = make_app(PASSWORD_RESET_WITHIN=timedelta(seconds=-1))
    client = app.test_client()
    with app.app_context():
        create_user("late@example.com", full_name="Late")
        client.submit("/forgot-password", {"email": "late@example.com"})
        path = path_of(link_in(smtp.last_to("late@example.com"), "/reset-password/"))
        response = client.get(path)
        assert response.status_code == 400
        assert "expired" in response.text


def test_reset_with_mismatched_passwords_changes_nothing(client, smtp, student):
    client.submit("/forgot-password", {"email": student.email})
    path = path_of(link_in(smtp.last_to(student.email), "/reset-password/"))
    before = student.password_hash
    response = client.submit(path, {"password": NEW_PASSWORD, "confirm": "something else"})
    assert "The two passwords differ." in response.text
    db.session.refresh(student)
    assert student.password_hash == before


def test_password_change_ends_other_sessions_but_keeps_this_one(app, smtp, student):
    here, elsewhere = app.test_client(), app.test_client()
    AuthActions(here).login(student.email)
    AuthActions(elsewhere).login(student.email)

    response = here.submit(
        "/account/password",
        {"pw-current_password": PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD},
        csrf_field="pw-csrf_token",
    )
    assert response.status_code == 302
    assert here.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302
    assert smtp.last_to(student.email)["Subject"] == "Your password was changed"


def test_password_change_with_wrong_current_password_is_refused(student_client, student):
    before = student.password_hash
    response = student_client.submit(
        "/account/password",
        {
            "pw-current_password": "wrong one",
            "pw-password": NEW_PASSWORD,
            "pw-confirm": NEW_PASSWORD,
        },
        csrf_field="pw-csrf_token",
    )
    assert response.status_code == 400
    assert "That is not your current password." in response.text
    db.session.refresh(student)
    assert student.password_hash == before


def test_email_change_confirms_the_new_address_and_tells_the_old(student_client, smtp, student):
    response = student_client.submit(
        "/account/email",
        {"em-new_email": "sam.new@example.com", "em-current_password": PASSWORD},
        csrf_field="em-csrf_token",
    )
    assert response.status_code == 302
    db.session.refresh(student)
    assert student.email == "student@example.com"  # not until the link is opened

    link = link_in(smtp.last_to("sam.new@example.com"), "/account/email/confirm/")
    assert student_client.get(path_of(link)).status_code == 302
    db.session.refresh(student)
    assert student.email == "sam.new@example.com"

    notice = smtp.last_to("student@example.com")
    assert notice["Subject"] == "Your email address was changed"
    assert "sam.new@example.com" in text_of(notice)

    again = student_client.get(path_of(link))
    assert again.status_code == 400


def test_email_change_to_a_taken_address_does_not_reveal_it(
    student_client, smtp, student, make_user
):
    make_user("taken@example.com")
    response = student_client.submit(
        "/account/email",
        {"em-new_email": "taken@example.com", "em-current_password": PASSWORD},
        csrf_field="em-csrf_token",
    )
    assert response.status_code == 302  # same answer as for a free address
    assert smtp.last_to("taken@example.com")["Subject"] == "Someone tried to use your address"
    db.session.refresh(student)
    assert student.email == "student@example.com"


def test_email_change_needs_the_current_password(student_client, smtp, student):
    response = student_client.submit(
        "/account/email",
        {"em-new_email": "x@example.com", "em-current_password": "nope"},
        csrf_field="em-csrf_token",
    )
    assert response.status_code == 400
    assert smtp.to("x@example.com") == []


def test_emails_are_sent_in_the_recipients_language(client, smtp, make_user):
    russian = make_user("ivan@example.com", locale="ru")
    client.submit("/forgot-password", {"email": russian.email})
    message = smtp.last_to(russian.email)
    assert message["Subject"] != "Reset your password"
    assert db.session.scalar(select(User.locale).where(User.id == russian.id)) == "ru"
