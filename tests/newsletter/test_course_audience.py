"""A newsletter for the students of one kind of course."""

from school.courses.models import Level
from school.enrollment.models import Enrollment, EnrollmentStatus
from school.extensions import db
from school.newsletter.services import Audience, audience_select


def emails(audience):
    return sorted(row.email for row in db.session.execute(audience_select(audience)))


def enrol(user, course, status=EnrollmentStatus.ACTIVE):
    db.session.add(Enrollment(user=user, course=course, status=status))
    db.session.commit()


def test_course_language_and_level_filter_the_consenting_audience(
    app, make_user, make_course, make_subscriber
):
    german_a1 = make_course(language="de", level=Level.A1)
    german_b2 = make_course(language="de", level=Level.B2)
    french = make_course(language="fr", level=Level.A1)
    a = make_user("a@example.com", marketing=True)
    b = make_user("b@example.com", marketing=True)
    c = make_user("c@example.com", marketing=True)
    quiet = make_user("quiet@example.com", marketing=False)
    waiting = make_user("waiting@example.com", marketing=True)
    enrol(a, german_a1, EnrollmentStatus.COMPLETED)
    enrol(b, german_b2)
    enrol(c, french)
    enrol(quiet, german_a1)
    enrol(waiting, german_a1, EnrollmentStatus.REQUESTED)
    make_subscriber("visitor@example.com", confirmed=True)

    assert emails(Audience("en", course_language="de")) == ["a@example.com", "b@example.com"]
    assert emails(Audience("en", course_language="de", course_level="A1")) == ["a@example.com"]
    assert emails(Audience("en", course_level="A1")) == ["a@example.com", "c@example.com"]
    assert "visitor@example.com" in emails(Audience("en"))


def test_staff_choose_the_course_filter_when_composing(staff_client, make_course, make_user):
    from sqlalchemy import select

    from school.newsletter.models import Campaign

    make_course(language="de")
    response = staff_client.submit(
        "/admin/newsletters/new",
        {
            "subject": "Neues",
            "body": "Hallo",
            "language": "en",
            "course_language": "de",
            "course_level": "B1",
        },  # fmt: skip
    )
    assert response.status_code == 302
    campaign = db.session.scalars(select(Campaign)).one()
    assert campaign.audience["course_language"] == "de"
    assert campaign.audience["course_level"] == "B1"
    assert Audience.of(campaign) == Audience("en", "de", "B1")
