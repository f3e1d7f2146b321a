"""The dashboard costs the same number of queries for one enrolment or many, and leads to
each enrolment."""

import re

from school.enrollment.models import Enrollment, EnrollmentStatus, LessonProgress
from school.extensions import db


def enrol_active(student, course, done: int) -> None:
    enrollment = Enrollment(user=student, course=course, status=EnrollmentStatus.ACTIVE)
    db.session.add(enrollment)
    db.session.flush()
    for lesson in course.lessons[:done]:
        db.session.add(LessonProgress(enrollment_id=enrollment.id, lesson_id=lesson.id))
    db.session.commit()


def test_dashboard_query_count_is_flat(student_client, student, make_course, count_queries):
    enrol_active(student, make_course(lessons=2), done=1)
    student_client.get("/dashboard")
    with count_queries() as small:
        student_client.get("/dashboard")
    for _ in range(12):
        enrol_active(student, make_course(lessons=20), done=15)
    with count_queries() as large:
        page = student_client.get("/dashboard")
    assert page.text.count("<progress") == 13
    assert large.count == small.count


def test_enrolment_page_query_count_is_flat(student_client, student, make_course, count_queries):
    enrol_active(student, make_course(lessons=2), done=1)
    enrol_active(student, make_course(lessons=60), done=40)
    few, many = db.session.query(Enrollment.public_id).order_by(Enrollment.id).all()
    student_client.get(f"/dashboard/{few[0]}")
    with count_queries() as small:
        student_client.get(f"/dashboard/{few[0]}")
    with count_queries() as large:
        student_client.get(f"/dashboard/{many[0]}")
    assert large.count == small.count


def test_each_course_on_the_dashboard_opens_its_own_enrolment(student_client, student, make_course):
    titles = {f"Course {n}" for n in range(3)}
    for title in titles:
        enrol_active(student, make_course(title, lessons=2), done=1)
    page = student_client.get("/dashboard").text
    links = re.findall(r'<h3><a href="([^"]+)">([^<]+)</a></h3>', page)
    assert {title for _href, title in links} == titles
    for href, title in links:
        opened = student_client.get(href)
        assert opened.status_code == 200 and title in opened.text, href


def test_open_places_are_current_ended_ones_past_and_only_places_taken_show_progress(
    student_client, student, make_course
):
    for title, status in [
        ("Asked for", EnrollmentStatus.REQUESTED),
        ("Taken", EnrollmentStatus.ACTIVE),
        ("Finished", EnrollmentStatus.COMPLETED),
        ("Called off", EnrollmentStatus.CANCELLED),
    ]:
        db.session.add(Enrollment(user=student, course=make_course(title), status=status))
    db.session.commit()
    page = student_client.get("/dashboard").text
    current, past = page.split('id="current-heading"', 1)[1].split('id="past-heading"', 1)
    assert "Asked for" in current and "Taken" in current
    assert "Finished" in past and "Called off" in past
    assert "Finished" not in current and "Taken" not in past
    cards = dict(re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>(.*?)</li>', page, re.S))
    assert {title for title, card in cards.items() if "<progress" in card} == {"Taken", "Finished"}
