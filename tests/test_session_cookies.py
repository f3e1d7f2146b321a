"""The session cookie is verified once per cookie, and what was verified still expires, and a
changed cookie is verified afresh. Cookies are signed by one serializer per set of keys, which
writes a small session uncompressed and reads either form."""

import pytest
from flask import session
from flask.sessions import SecureCookieSessionInterface

from school import session_cookies


@pytest.fixture
def verifications(app, monkeypatch):
    """How many times a session cookie's signature was checked."""
    count = [0]
    loads = session_cookies.CookieSerializer.loads

    def counted(self, *args, **kwargs):
        count[0] += 1
        return loads(self, *args, **kwargs)

    monkeypatch.setattr(session_cookies.CookieSerializer, "loads", counted)
    return count


def test_the_same_cookie_is_verified_once(student_client, verifications):
    student_client.get("/dashboard")  # the session gets its CSRF token: a new cookie
    assert student_client.get("/dashboard").status_code == 200
    checked = verifications[0]
    for _ in range(3):
        assert student_client.get("/dashboard").status_code == 200
    assert verifications[0] == checked


def test_a_kept_cookie_past_the_session_lifetime_signs_nobody_in(app, student_client, monkeypatch):
    assert student_client.get("/dashboard").status_code == 200
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = session_cookies.time.time() + lifetime + 60
    monkeypatch.setattr(session_cookies.time, "time", lambda: later)
    response = student_client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_tampered_cookie_signs_nobody_in(student_client):
    assert student_client.get("/dashboard").status_code == 200
    cookie = student_client.get_cookie("session")
    forged = cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB")
    student_client.set_cookie("session", forged)
    response = student_client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_each_request_gets_its_own_copy_of_a_kept_session(app, student_client):
    """A request changes its session in place; what is kept for the cookie it came with does
    not change, so the next request with that cookie reads it as it was."""
    student_client.get("/dashboard")
    cookie = student_client.get_cookie("session").value
    interface = app.session_interface
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}) as context:
        first = interface.open_session(app, context.request)
        first["lang"] = "ru"
        second = interface.open_session(app, context.request)
    assert "lang" not in second and second["_user_id"] == first["_user_id"]


def test_a_first_visitors_cookie_is_not_compressed_and_a_large_session_is(app, client):
    client.get("/")  # the cookie banner's form gives the visitor a CSRF token
    small = client.get_cookie("session").value
    assert not small.startswith(".")  # itsdangerous marks a compressed payload with a dot
    with app.test_request_context():
        session["note"] = "a long repeated note " * 40
        session["csrf_token"] = "t" * 40
        large = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    assert large.startswith(".")
    with app.test_request_context(headers={"Cookie": f"session={large}"}):
        assert session["note"].startswith("a long repeated note")


def test_a_cookie_flask_itself_signed_still_reads(app):
    """Sessions written before this interface (compressed or not) stay signed in."""
    stock = SecureCookieSessionInterface().get_signing_serializer(app)
    for data in ({"csrf_token": "a" * 40}, {"note": "repeated " * 100}):
        cookie = stock.dumps(data)
        with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
            assert dict(session) == data


def test_one_serializer_per_set_of_keys_and_a_rotated_key_still_reads(app, student_client):
    interface = app.session_interface
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)
    assert student_client.get("/dashboard").status_code == 200
    signed_with_old_key = student_client.get_cookie("session").value
    old_key = app.secret_key
    app.config.update(SECRET_KEY="a-new-key-for-this-site", SECRET_KEY_FALLBACKS=[old_key])
    assert app.secret_key == "a-new-key-for-this-site"
    assert student_client.get("/dashboard").status_code == 200
    app.config.update(SECRET_KEY_FALLBACKS=[])
    student_client.set_cookie("session", signed_with_old_key)
    response = student_client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
