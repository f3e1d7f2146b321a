"""Public pages are stored once and served to every anonymous visitor, yet each visitor gets
their own CSRF token and messages, signed-in pages are never stored, and a change to what
a page shows is on the very next request."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from school.courses.models import Course
from school.extensions import db
from school.pagecache import current_version
from tests.conftest import AuthActions
from tests.courses.test_staff_editing import FORM
from tests.enrollment.test_enrolment_path import enrol, only_enrollment, staff_act
from tests.privacy.consent.test_policy_versions import publication

PUBLIC_PAGES = ["/", "/privacy", "/courses", "/terms", "/contact"]
TOKEN = re.compile(r'name="(?:lang|cookie)-csrf_token" type="hidden" value="([^"]+)"')


def tokens(response) -> set[str]:
    return set(TOKEN.findall(response.text))


def stored(client, path):
    """The page as a returning browser asks for it: answered 304 only from the store."""
    first = client.get(path)
    return client.get(path, headers={"If-None-Match": first.headers["ETag"]})


def page_store(app):
    return app.extensions["page_store"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_public_page_is_rendered_once_and_revalidated_with_a_304(app, client, path):
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["ETag"]
    assert "private" in first.headers["Cache-Control"], "a shared cache must not keep a token"
    assert len(page_store(app)) == 1
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_two_visitors_get_their_own_working_csrf_tokens(app):
    one, two = app.test_client(), app.test_client()
    first, second = one.get("/courses"), two.get("/courses")
    assert len(page_store(app)) == 1, "the second visitor was served the stored page"
    assert len(tokens(first)) == 1 and len(tokens(second)) == 1
    assert tokens(first) != tokens(second)
    assert "csrf-marker" not in first.text
    assert first.headers["ETag"] != second.headers["ETag"]
    # Each token works for its own visitor only: a consent needs the visitor's own token.
    (token_two,) = tokens(second)
    consent = {"cookie-csrf_token": token_two, "cookie-accept_all": "y", "next": "/courses"}
    refused = one.post("/cookies/banner", data=consent)
    assert refused.status_code == 400
    accepted = two.post("/cookies/banner", data=consent)
    assert accepted.status_code == 302


def test_a_visitors_etag_does_not_match_another_visitors_copy(app):
    one, two = app.test_client(), app.test_client()
    etag = one.get("/").headers["ETag"]
    answer = two.get("/", headers={"If-None-Match": etag})
    assert answer.status_code == 200, "a 304 would keep another visitor's token in the page"
    assert tokens(answer)


def test_a_flashed_message_reaches_only_its_own_visitor_and_is_not_stored(app):
    visitor, other = app.test_client(), app.test_client()
    other.get("/")
    saved = visitor.post(
        "/cookies",
        data={"choices-csrf_token": tokens(visitor.get("/")).pop(), "choices-functional": "y"},
    )
    assert saved.status_code == 302  # the choice is saved and a message flashed
    shown = visitor.get("/")
    assert "Your cookie choices are saved." in shown.text
    assert "ETag" not in shown.headers
    assert "Your cookie choices are saved." not in other.get("/").text
    assert "Your cookie choices are saved." not in visitor.get("/").text, "shown once"
    stored_pages = page_store(app)._pages.values()
    assert not any(b"Your cookie choices are saved." in page.body for page in stored_pages)


def test_cookie_choices_and_languages_are_stored_apart(app):
    undecided = app.test_client()
    assert "cookie-banner" in undecided.get("/").text
    decided = app.test_client()
    decided.set_cookie("cookie_consent", "v1.f1.a1")
    page = decided.get("/")
    assert "cookie-banner" not in page.text
    assert "js/analytics.js" in page.text
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text).group(1)
    assert meta in tokens(page), "the analytics token is this visitor's own"
    assert "js/analytics.js" not in undecided.get("/").text
    russian = app.test_client().get("/", headers={"Accept-Language": "ru"})
    assert 'lang="ru"' in russian.text
    assert 'lang="en"' in undecided.get("/").text


def test_a_signed_in_page_is_never_stored_nor_served_from_the_store(app, client, student):
    client.get("/courses")
    AuthActions(client).login(student.email)
    before = len(page_store(app))
    page = client.get("/courses")
    assert 'href="/logout"' in page.text, "not the anonymous page from the store"
    assert "ETag" not in page.headers
    assert page.headers["Cache-Control"] == "private, no-store"
    assert client.get("/dashboard").headers["Cache-Control"] == "private, no-store"
    assert client.get("/").headers["Cache-Control"] == "private, no-store"
    assert len(page_store(app)) == before
    anonymous = app.test_client().get("/courses")
    assert 'href="/logout"' not in anonymous.text


def test_a_course_edit_shows_on_the_next_anonymous_request(app, client, staff_client):
    staff_client.submit("/admin/courses/new", FORM)
    assert stored(client, "/courses").status_code == 304
    assert stored(client, "/courses/spanish-basics").status_code == 304
    etags = {p: client.get(p).headers["ETag"] for p in ("/courses", "/courses/spanish-basics")}

    staff_client.submit(
        "/admin/courses/spanish-basics/edit",
        dict(FORM, title="Spanish Plus", slug="spanish-basics"),
    )

    for path, etag in etags.items():
        page = client.get(path, headers={"If-None-Match": etag})
        assert page.status_code == 200
        assert "Spanish Plus" in page.text


def test_a_published_policy_shows_on_the_next_anonymous_request(app, client, staff_client):
    assert stored(client, "/privacy").status_code == 304
    etag = client.get("/privacy").headers["ETag"]
    staff_client.submit("/admin/policies/new", publication(version="1.1"))
    page = client.get("/privacy", headers={"If-None-Match": etag})
    assert page.status_code == 200
    assert "Version 1.1, in force since" in page.text


def test_a_seat_taken_shows_on_the_next_anonymous_request(
    app, client, student_client, staff_client, make_course, smtp
):
    course = make_course(seats=8)
    enrol(student_client, course)
    assert "8 of 8" in client.get(f"/courses/{course.slug}").text
    assert stored(client, f"/courses/{course.slug}").status_code == 304
    staff_act(staff_client, only_enrollment(), "approve")
    assert "7 of 8" in client.get(f"/courses/{course.slug}").text
    staff_act(staff_client, only_enrollment(), "cancel")
    assert "8 of 8" in client.get(f"/courses/{course.slug}").text


def test_a_change_rolled_back_leaves_the_version_alone(app, make_course):
    course = make_course()
    before = current_version()
    course.title = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert current_version() == before
    course = db.session.scalars(select(Course)).one()
    course.title = "Saved"
    db.session.commit()
    assert current_version() == before + 1


def test_every_worker_sees_a_change_made_by_another(app, make_app, make_course):
    """Two processes over one database: the version lives in the database, not in either."""
    course = make_course("Before")
    other_worker = make_app()  # another process's app on the same database
    visitor = other_worker.test_client()
    assert "Before" in visitor.get(f"/courses/{course.slug}").text
    assert stored(visitor, f"/courses/{course.slug}").status_code == 304
    course.title = "After"
    db.session.commit()  # by the test's own app: another engine, another page store
    assert "After" in visitor.get(f"/courses/{course.slug}").text


def test_static_files_carry_their_fingerprint_and_are_kept_for_a_year(client):
    page = client.get("/")
    href = re.search(r'href="(/static/site.css\?v=[0-9a-f]+)"', page.text).group(1)
    response = client.get(href)
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "public" in cache and "max-age=31536000" in cache and "immutable" in cache
    stale = client.get("/static/site.css?v=0000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")


def test_templates_compiled_by_an_older_release_are_never_run(make_app, make_course):
    """Jinja decides when compiling whether a filter takes the render's context: bytecode an
    older release left on disk must not call this release's filters the old way."""
    path = f"/courses/{make_course('German for Beginners').slug}"
    older = make_app()
    older.jinja_env.filters["format_date_long"] = lambda value: "the old filter"
    assert "the old filter" in older.test_client().get(path).text
    stored = list((Path(older.instance_path) / "jinja_bytecode").glob("*.cache"))
    assert stored, "the older release kept its compiled templates"

    current = make_app()
    page = current.test_client().get(path)
    assert page.status_code == 200 and "the old filter" not in page.text
    assert not any(path.exists() for path in stored), "the older release's files are gone"
