"""Staff create and edit courses and their syllabus."""

import html

from sqlalchemy import select

from school.courses.models import Course
from school.extensions import db

FORM = {
    "title": "Spanish Basics",
    "slug": "",
    "summary": "Your first words",
    "description": "**Friendly** and slow.",
    "language": "es",
    "level": "A1",
    "format": "group",
    "schedule": "Mon & Wed 19:00",
    "starts_on": "2027-01-11",
    "ends_on": "2027-03-29",
    "teacher_name": "Diego Ruiz",
    "price": "230.00",
    "currency": "EUR",
    "seats": "12",
    "published": "y",
    "syllabus": "Greetings: hello and goodbye\nNumbers\nFood: ordering in a café",
}


def test_staff_create_a_course_that_appears_in_the_catalogue(staff_client, client):
    response = staff_client.submit("/admin/courses/new", FORM)
    assert response.status_code == 302
    course = db.session.scalars(select(Course)).one()
    assert course.slug == "spanish-basics"
    assert course.price_minor == 23000
    assert [lesson.title for lesson in course.lessons] == ["Greetings", "Numbers", "Food"]
    assert course.lessons[2].summary == "ordering in a café"
    page = html.unescape(client.get("/courses/spanish-basics").text)
    assert "<strong>Friendly</strong>" in page
    assert "ordering in a café" in page


def test_renaming_a_lesson_keeps_it_and_removing_one_drops_it(staff_client):
    staff_client.submit("/admin/courses/new", FORM)
    course = db.session.scalars(select(Course)).one()
    first_id = course.lessons[0].id
    changed = dict(FORM, syllabus="Saying hello\nNumbers")
    staff_client.submit(f"/admin/courses/{course.slug}/edit", changed)
    db.session.expire_all()
    lessons = db.session.scalars(select(Course)).one().lessons
    assert [(lesson.id, lesson.title) for lesson in lessons][0] == (first_id, "Saying hello")
    assert len(lessons) == 2


def test_bad_course_input_gets_clear_messages(staff_client):
    page = staff_client.submit(
        "/admin/courses/new", dict(FORM, ends_on="2026-12-01", seats="0", slug="Bad Slug!")
    )
    text = html.unescape(page.text)
    assert "Between 1 and 500 seats." in text
    assert "Use lower-case letters" in text
    page = staff_client.submit("/admin/courses/new", dict(FORM, ends_on="2026-12-01"))
    assert "A course cannot end before it starts." in html.unescape(page.text)
    assert db.session.scalar(select(Course.id)) is None


def test_seats_cannot_drop_below_those_taken(staff_client, make_course):
    course = make_course(seats=5)
    course.seats_taken = 4
    db.session.commit()
    page = staff_client.submit(
        f"/admin/courses/{course.slug}/edit", dict(FORM, slug=course.slug, seats="3")
    )
    assert "4 seats are already taken" in html.unescape(page.text)
    db.session.expire_all()
    assert db.session.get(Course, course.id).seats == 5


def test_two_courses_with_one_title_get_distinct_addresses(staff_client):
    staff_client.submit("/admin/courses/new", FORM)
    staff_client.submit("/admin/courses/new", FORM)
    slugs = sorted(db.session.scalars(select(Course.slug)))
    assert slugs == ["spanish-basics", "spanish-basics-2"]
