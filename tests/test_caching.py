"""Pages for a signed-in person are never kept by a shared cache or on the browser's disk."""

import re

import pytest

NO_STORE = "private, no-store"


@pytest.mark.parametrize("path", ["/profile", "/profile/my-data", "/account", "/dashboard", "/"])
def test_every_page_for_a_signed_in_student_is_private_and_not_stored(student_client, path):
    response = student_client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == NO_STORE


def test_a_staff_page_about_a_student_is_private_and_not_stored(staff_client, student):
    url = f"/admin/students/{student.public_id}"
    asked = staff_client.get(url)
    shown = staff_client.submit(url, {"reason": "enrolment", "note": "Group B2"})
    assert shown.status_code == 200 and student.full_name in shown.text
    assert asked.headers["Cache-Control"] == shown.headers["Cache-Control"] == NO_STORE


def test_redirects_and_errors_for_a_signed_in_person_are_not_stored_either(student_client):
    assert student_client.get("/no-such-page").headers["Cache-Control"] == NO_STORE
    assert student_client.get("/login").headers["Cache-Control"] == NO_STORE


def test_public_pages_for_a_visitor_keep_their_caching(client):
    assert "no-store" not in client.get("/courses").headers.get("Cache-Control", "")


def test_fingerprinted_static_files_stay_cacheable_for_a_signed_in_person(student_client):
    """A stylesheet is the same for everyone: signing in must not make every page fetch it."""
    page = student_client.get("/dashboard")
    href = re.search(r'href="(/static/site.css\?v=[0-9a-f]+)"', page.text).group(1)
    cache = student_client.get(href).headers["Cache-Control"]
    assert "public" in cache and "immutable" in cache and "no-store" not in cache
