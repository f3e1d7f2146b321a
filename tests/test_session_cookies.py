"""The session cookie is verified once per cookie, and what was verified still expires, and a
changed cookie is verified afresh."""

import pytest

from school import session_cookies


@pytest.fixture
def verifications(app, monkeypatch):
    """How many times a session cookie's signature was checked."""
    count = [0]
    interface = app.session_interface
    original = type(interface).get_signing_serializer

    def counting(self, application):
        serializer = original(self, application)
        loads = serializer.loads

        def counted(*args, **kwargs):
            count[0] += 1
            return loads(*args, **kwargs)

        serializer.loads = counted
        return serializer

    monkeypatch.setattr(type(interface), "get_signing_serializer", counting)
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
