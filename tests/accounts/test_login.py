"""Signing in and out, remember-me, throttling, and sessions that end everywhere."""

from school.extensions import db
from tests.conftest import PASSWORD, AuthActions


def test_login_with_correct_password(client, auth, student):
    response = auth.login(student.email)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    db.session.refresh(student)
    assert student.login_count == 1
    assert student.last_login_ip == "127.0.0.1"


def test_login_is_case_insensitive_on_the_address(client, auth, student):
    assert auth.login("STUDENT@Example.COM").status_code == 302


def test_wrong_password_and_unknown_address_get_the_same_answer(client, auth, student):
    wrong = auth.login(student.email, "not the password")
    unknown = auth.login("nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    message = "That email and password do not match an account."
    assert message in wrong.text and message in unknown.text


def test_unconfirmed_account_is_asked_to_confirm_first(client, auth, make_user):
    user = make_user("new@example.com", confirmed=False)
    response = auth.login(user.email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/confirm")
    assert client.get("/account").status_code == 302


def test_safe_next_redirect_is_followed_and_unsafe_one_ignored(client, auth, student):
    response = auth.login(student.email, next="/account")
    assert response.headers["Location"] == "/account"
    AuthActions(client).logout()
    response = auth.login(student.email, next="https://evil.example/steal")
    assert response.headers["Location"] == "/"
    AuthActions(client).logout()
    response = auth.login(student.email, next="//evil.example/")
    assert response.headers["Location"] == "/"


def test_logout_requires_a_post_with_csrf(client, auth, student):
    auth.login(student.email)
    assert client.get("/logout").status_code == 200  # a page with a button, not a logout
    assert client.get("/account").status_code == 200
    assert client.post("/logout").status_code == 400  # no CSRF token
    auth.logout()
    assert client.get("/account").status_code == 302


def test_remember_me_sets_a_long_lived_cookie(client, auth, student):
    auth.login(student.email, remember="y")
    assert client.get_cookie("remember_token") is not None


def test_repeated_failures_are_throttled_per_account(client, auth, student):
    for _ in range(5):
        assert auth.login(student.email, "wrong password").status_code == 401
    blocked = auth.login(student.email, PASSWORD)
    assert blocked.status_code == 429
    assert "Email me a sign-in link" in blocked.text
    # Another account from the same address is not locked out by this.
    assert auth.login("someone-else@example.com", "wrong").status_code == 401


def test_unknown_addresses_are_throttled_like_known_ones(client, auth):
    for _ in range(5):
        auth.login("ghost@example.com", "wrong password")
    assert auth.login("ghost@example.com", "wrong password").status_code == 429


def test_throttling_per_ip_across_accounts(make_app, smtp):
    app = make_app(LOGIN_LIMIT_PER_IP="3 per 15 minutes")
    client = app.test_client()
    with app.app_context():
        auth = AuthActions(client)
        for number in range(3):
            assert auth.login(f"user{number}@example.com", "wrong").status_code == 401
        assert auth.login("user9@example.com", "wrong").status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(client, auth, student):
    for _ in range(7):
        assert auth.login(student.email).status_code == 302
        auth.logout()


def test_password_hashes_are_bcrypt(student):
    assert student.password_hash.startswith("$2b$")
    assert PASSWORD not in student.password_hash


def test_language_choice_survives_logging_in_and_out(client, auth, student):
    client.submit(
        "/language", {"lang-language": "ru", "lang-next": "/"}, csrf_field="lang-csrf_token"
    )
    auth.login(student.email)
    assert 'lang="ru"' in client.get("/").text
    auth.logout()
    assert 'lang="ru"' in client.get("/").text
