"""A session's signed CSRF token is reused for a few minutes, never across sessions, and a
form sent with it is accepted; after the reuse window a freshly signed one is given."""

import pytest
from flask import g

from school import csrf_tokens
from tests.conftest import AuthActions


@pytest.fixture
def signings(monkeypatch):
    """How many times Flask-WTF signed a token."""
    count = [0]
    original = csrf_tokens.generate_csrf

    def counting():
        if "csrf_token" not in g:
            count[0] += 1
        return original()

    monkeypatch.setattr(csrf_tokens, "generate_csrf", counting)
    return count


def test_a_session_gets_the_same_signed_token_for_a_while_and_it_works(
    student_client, signings, monkeypatch
):
    first = student_client.csrf_token()
    signed = signings[0]
    assert [student_client.csrf_token() for _ in range(3)] == [first] * 3
    assert signings[0] == signed  # nothing signed again
    changed = student_client.post(
        "/language", data={"lang-language": "ru", "lang-csrf_token": first}
    )
    assert changed.status_code == 302

    monkeypatch.setattr(csrf_tokens, "REUSE_SIGNED_FOR", -1)  # the window has passed
    student_client.csrf_token()
    student_client.csrf_token()
    assert signings[0] == signed + 2  # each page signs its own again


def test_two_sessions_never_share_a_signed_token(app, student, make_user):
    other = make_user("other@example.com")
    first, second = app.test_client(), app.test_client()
    AuthActions(first).login(student.email)
    AuthActions(second).login(other.email)
    one, two = first.csrf_token(), second.csrf_token()
    assert one != two
    refused = first.post("/language", data={"lang-language": "ru", "lang-csrf_token": two})
    assert refused.status_code == 400
    assert first.csrf_token() == one and second.csrf_token() == two


def test_a_visitor_without_a_session_cookie_leaves_no_copy_behind(app, client):
    """A first visit (a crawler's, a monitor's every visit) signs its token without keeping
    it; the visitor's next page, sent with the cookie, keeps it."""
    client.get("/courses")
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    assert (app.secret_key, raw) not in csrf_tokens._signed
    client.get("/courses")
    assert (app.secret_key, raw) in csrf_tokens._signed
