"""Each sign-in is a session on the server: ending it makes every copy of its cookie useless."""

from __future__ import annotations

from sqlalchemy import func, select

from school.accounts.models import SignInSession, User
from school.extensions import db
from school.privacy.data import registry
from school.privacy.data.erasure import erase
from tests.conftest import PASSWORD, AuthActions, link_in, path_of

PERSONAL_PAGES = ["/dashboard", "/profile", "/account"]


def signed_in(app, email: str, **extra):
    client = app.test_client()
    response = AuthActions(client).login(email, **extra)
    assert response.status_code == 302
    return client


def replay(app, cookies: dict):
    """A fresh browser holding copies of cookies taken earlier (a thief's, say)."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def cookies_of(client) -> dict:
    return {
        name: client.get_cookie(name).value
        for name in ("session", "remember_token")
        if client.get_cookie(name) is not None
    }


def opens(client, path: str) -> bool:
    return client.get(path).status_code == 200


def live_sessions(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SignInSession).where(SignInSession.user_id == user.id)
    )


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app, student):
    client = signed_in(app, student.email, remember="y")
    copied = cookies_of(client)
    assert set(copied) == {"session", "remember_token"}
    assert all(opens(replay(app, copied), path) for path in PERSONAL_PAGES)

    assert AuthActions(client).logout().status_code == 302
    for path in PERSONAL_PAGES:
        assert not opens(replay(app, copied), path), path
    # The remember cookie alone does not bring the session back either.
    assert not opens(replay(app, {"remember_token": copied["remember_token"]}), "/profile")


def test_logout_ends_only_the_session_it_is_made_in(app, student):
    phone, laptop = signed_in(app, student.email), signed_in(app, student.email)
    assert live_sessions(student) == 2
    AuthActions(phone).logout()
    assert not opens(phone, "/account")
    assert opens(laptop, "/account")
    assert live_sessions(student) == 1


def test_signing_out_everywhere_ends_every_session(app, student):
    phone, laptop = signed_in(app, student.email), signed_in(app, student.email)
    page = laptop.get("/account")
    assert "You are signed in on 2 devices or browsers." in page.text
    response = laptop.submit("/account/sign-out-everywhere", csrf_field="all-csrf_token")
    assert response.status_code == 302
    assert not opens(phone, "/account")
    assert not opens(laptop, "/account")
    assert live_sessions(student) == 0


def test_a_password_reset_ends_every_other_session(app, smtp, student):
    thief = signed_in(app, student.email)
    owner = signed_in(app, student.email)
    owner.submit("/forgot-password", {"email": student.email})
    reset = path_of(link_in(smtp.last_to(student.email), "/reset-password/"))
    new_password = "a brand new password"  # noqa: S105
    owner.submit(reset, {"password": new_password, "confirm": new_password})
    assert not opens(thief, "/account")
    assert opens(owner, "/account")
    assert live_sessions(student) == 1


def test_changing_the_password_ends_every_other_session(app, student):
    thief, owner = signed_in(app, student.email), signed_in(app, student.email)
    new_password = "a brand new password"  # noqa: S105
    owner.submit(
        "/account/password",
        {"pw-current_password": PASSWORD, "pw-password": new_password, "pw-confirm": new_password},
        csrf_field="pw-csrf_token",
    )
    assert not opens(thief, "/account")
    assert opens(owner, "/account")


def test_an_email_change_ends_every_other_session(app, smtp, student):
    thief, owner = signed_in(app, student.email), signed_in(app, student.email)
    owner.submit(
        "/account/email",
        {"em-new_email": "sam.new@example.com", "em-current_password": PASSWORD},
        csrf_field="em-csrf_token",
    )
    confirm = path_of(link_in(smtp.last_to("sam.new@example.com"), "/account/email/confirm/"))
    owner.get(confirm)
    assert not opens(thief, "/account")
    assert opens(owner, "/account")


def test_sessions_are_declared_and_end_with_erasure(app, student):
    declared = registry.field("sign_in_session", "last_seen_at")
    assert declared.erasure is registry.Erasure.DELETE
    assert "signed in" in str(declared.purpose)

    client = signed_in(app, student.email)
    erase(db.session.get(User, student.id))
    db.session.commit()
    assert live_sessions(student) == 0
    assert not opens(client, "/account")
