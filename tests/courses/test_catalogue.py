"""The public catalogue and course pages."""

import html

from school.courses.models import Format, Level


def titles(response) -> list[str]:
    import re

    return [
        html.unescape(t)
        for t in re.findall(r'<h2[^>]*><a href="/courses/[^"]+">([^<]+)</a>', response.text)
    ]


def test_catalogue_lists_published_courses_only(client, make_course):
    make_course("German for Beginners")
    make_course("Hidden Draft", published=False)
    page = client.get("/courses")
    assert page.status_code == 200
    assert titles(page) == ["German for Beginners"]


def test_filters_by_language_level_and_format(client, make_course):
    make_course("German A1", language="de", level=Level.A1)
    make_course("German B2", language="de", level=Level.B2)
    make_course("French A1", language="fr", level=Level.A1)
    make_course("French A1 private", language="fr", level=Level.A1, format=Format.ONE_TO_ONE)

    assert titles(client.get("/courses?language=de")) == ["German A1", "German B2"]
    assert titles(client.get("/courses?level=A1&language=fr")) == ["French A1", "French A1 private"]
    assert titles(client.get("/courses?format=one_to_one")) == ["French A1 private"]
    assert set(titles(client.get("/courses?language=xx&level=Z9"))) == {
        "German A1",
        "German B2",
        "French A1",
        "French A1 private",
    }, "unknown filter values are ignored, not an error"


def test_pagination_keeps_the_filters(client, make_course):
    for n in range(15):
        make_course(f"German {n:02d}", language="de")
    make_course("French only", language="fr")
    first = client.get("/courses?language=de")
    assert len(titles(first)) == 12
    assert 'href="/courses?page=2&amp;language=de"' in first.text
    second = client.get("/courses?language=de&page=2")
    assert len(titles(second)) == 3
    assert "French only" not in second.text
    assert client.get("/courses?page=999").status_code == 200


def test_course_page_shows_syllabus_teacher_price_and_seats_left(client, make_course):
    course = make_course("German for Beginners", seats=8, lessons=4, price_minor=24050)
    course.seats_taken = 3
    from school.extensions import db

    db.session.commit()
    page = client.get(f"/courses/{course.slug}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Lena Vogel" in text
    assert "€240.50" in text
    assert "5 of 8" in text
    for n in range(1, 5):
        assert f"Lesson {n}" in text
    assert "German" in text and "A1" in text


def test_course_page_in_russian_names_the_language_in_russian(client, make_course):
    course = make_course(language="de")
    page = client.get(f"/courses/{course.slug}", headers={"Accept-Language": "ru"})
    assert "Немецкий" in page.text


def test_unknown_and_unpublished_courses_are_not_found(client, make_course):
    hidden = make_course(published=False)
    assert client.get("/courses/no-such-course").status_code == 404
    assert client.get(f"/courses/{hidden.slug}").status_code == 404


def test_visitor_is_asked_to_sign_in_and_comes_back(client, make_course, make_user):
    course = make_course()
    page = client.get(f"/courses/{course.slug}")
    assert f"/login?next=/courses/{course.slug}%23enrol" in page.text
    assert f"/signup?next=/courses/{course.slug}%23enrol" in page.text
    make_user("ola@example.com")
    response = client.submit(
        "/login",
        {
            "email": "ola@example.com",
            "password": "correct horse battery",
            "next": f"/courses/{course.slug}#enrol",
        },
    )
    assert response.headers["Location"] == f"/courses/{course.slug}#enrol"


def test_a_new_account_returns_to_the_course_after_confirmation(client, make_course, smtp):
    from tests.conftest import link_in, path_of

    course = make_course()
    client.get(f"/signup?next=/courses/{course.slug}%23enrol")
    client.submit(
        "/signup",
        {
            "full_name": "New Person",
            "email": "new@example.com",
            "password": "a long enough password",
            "date_of_birth": "1990-05-17",
            "processing_consent": "y",
        },
    )
    confirm = client.submit(path_of(link_in(smtp.last_to("new@example.com"), "/confirm/")))
    assert confirm.headers["Location"] == f"/login?next=/courses/{course.slug}%23enrol"


def test_catalogue_query_count_does_not_grow_with_courses(
    app, client, make_course, count_queries, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SIZE", 0)  # every request renders afresh
    make_course(lessons=2)
    client.get("/courses")
    with count_queries() as small:
        client.get("/courses")
    for _ in range(30):
        make_course(lessons=8)
    with count_queries() as large:
        page = client.get("/courses")
    assert len(titles(page)) == 12
    assert large.count == small.count


def test_course_page_query_count_does_not_grow_with_lessons(
    app, client, make_course, count_queries, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SIZE", 0)  # every request renders afresh
    few = make_course(lessons=1).slug
    many = make_course(lessons=60).slug
    client.get(f"/courses/{few}")
    with count_queries() as small:
        client.get(f"/courses/{few}")
    with count_queries() as large:
        client.get(f"/courses/{many}")
    assert large.count == small.count


def test_ended_courses_leave_the_catalogue(client, make_course):
    from datetime import timedelta

    from school.database import utcnow
    from school.extensions import db

    old = make_course("Last Year's German")
    old.starts_on = utcnow().date() - timedelta(days=200)
    old.ends_on = utcnow().date() - timedelta(days=1)
    db.session.commit()
    make_course("Next Month's German")
    assert titles(client.get("/courses")) == ["Next Month's German"]
