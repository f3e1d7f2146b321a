"""Visits are counted only with consent, shortened, unlinked, and never for restricted people."""

from datetime import timedelta

from sqlalchemy import func, select

from school.analytics import services
from school.analytics.models import PageView
from school.database import utcnow
from school.extensions import db

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def consent(client, value="v1.f0.a1"):
    client.set_cookie("cookie_consent", value)


def views():
    return db.session.scalars(select(PageView).order_by(PageView.id)).all()


def test_nothing_is_counted_without_consent(client):
    client.get("/")
    consent(client, "v1.f1.a0")
    client.get("/courses")
    assert views() == []
    assert client.get_cookie("visit_id") is None


def test_a_consenting_visit_is_counted_without_identifying_anyone(client):
    consent(client)
    client.get(
        "/",
        headers={"User-Agent": CHROME, "Accept-Language": "ru-RU,ru;q=0.9"},
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
    )
    client.get("/courses", environ_base={"REMOTE_ADDR": "203.0.113.77"})
    rows = views()
    assert [r.path for r in rows] == ["/", "/courses"]
    assert rows[0].visit_id == rows[1].visit_id
    assert rows[0].ip_prefix == "203.0.113.0"
    assert rows[0].browser == "Chrome" and rows[0].os == "Linux"
    assert rows[0].language == "ru-RU"


def test_ipv6_addresses_are_shortened():
    assert services.truncate_ip("2001:db8:1234:5678::1") == "2001:db8:1234::"
    assert services.truncate_ip("not an ip") == ""


def test_restricted_people_are_never_counted(student_client, student):
    student.restricted_at = utcnow()
    db.session.commit()
    consent(student_client)
    student_client.get("/")
    assert views() == []


def test_staff_pages_and_errors_are_not_counted(staff_client):
    consent(staff_client)
    staff_client.get("/admin/")
    staff_client.get("/no-such-page")
    assert views() == []


def test_screen_size_is_recorded_for_the_visit(client):
    consent(client)
    token = client.csrf_token()  # this page view starts the visit
    client.post("/analytics/screen", data={"screen": "1280x800", "csrf_token": token})
    assert views()[-1].screen == "1280x800"
    client.post("/analytics/screen", data={"screen": "<script>", "csrf_token": token})
    assert views()[-1].screen == "1280x800"


def test_old_views_are_purged_by_retention(client, app, runner):
    consent(client)
    client.get("/")
    row = views()[0]
    row.at = utcnow() - timedelta(days=181)
    db.session.commit()
    result = runner.invoke(args=["privacy", "retention"])
    assert "page views of the visit statistics, deleted: 1" in result.output
    assert db.session.scalar(select(func.count()).select_from(PageView)) == 0


def test_staff_see_entry_and_exit_pages_and_visit_length(client, staff_client):
    consent(client)
    client.get("/")
    client.get("/courses")
    first, last = views()
    first.at = utcnow() - timedelta(seconds=90)
    db.session.commit()
    page = staff_client.get("/admin/analytics").text
    assert "Entry pages" in page and "Exit pages" in page
    summary = services.summary()
    assert summary.visits == 1
    assert summary.entries == [("/", 1)]
    assert summary.exits == [("/courses", 1)]
    assert 80 <= summary.average_seconds <= 100
