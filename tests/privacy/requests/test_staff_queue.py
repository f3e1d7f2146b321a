"""The staff queue by due date, deadline counts, the overdue command, EU extensions."""

import html
from datetime import date, timedelta

from school.database import utcnow
from school.extensions import db
from school.privacy.requests.models import RequestType
from tests.conftest import AuthActions, text_of
from tests.privacy.helpers import ask, decide, latest


def make_requests(app, make_user, kinds):
    made = []
    for n, kind in enumerate(kinds):
        person = make_user(f"p{n}@example.com")
        client = app.test_client()
        AuthActions(client).login(person.email)
        ask(client, kind)
        made.append(latest())
    return made


def test_queue_is_sorted_by_due_date_marks_overdue_and_filters(app, make_user, staff_client):
    erasure, access, export = make_requests(app, make_user, ["erasure", "access", "export"])
    today = utcnow().date()
    erasure.due_on = today - timedelta(days=2)
    access.due_on = today + timedelta(days=1)
    export.due_on = today + timedelta(days=20)
    db.session.commit()

    page = html.unescape(staff_client.get("/admin/privacy/").text)
    rows = page.split("<tbody>", 1)[1]
    labels = ("Erase my data", "Information about how my data is processed", "A copy of my data")
    order = [rows.index(label) for label in labels]
    assert order == sorted(order)
    assert page.count(">overdue<") == 1
    assert "Overdue: 1. Due within three days: 1." in page

    filtered = html.unescape(staff_client.get("/admin/privacy/?type=export").text)
    filtered_rows = filtered.split("<tbody>", 1)[1]
    assert "A copy of my data" in filtered_rows and "Erase my data" not in filtered_rows
    home = html.unescape(staff_client.get("/admin/").text)
    assert "Privacy requests overdue" in home


def test_overdue_command_lists_what_cron_should_mail(app, make_user, runner):
    late, soon, later = make_requests(app, make_user, ["erasure", "access", "export"])
    today = utcnow().date()
    late.due_on = today - timedelta(days=1)
    soon.due_on = today + timedelta(days=2)
    later.due_on = today + timedelta(days=30)
    db.session.commit()
    result = runner.invoke(args=["privacy", "overdue"])
    assert result.exit_code == 0
    assert "OVERDUE" in result.output and "p0@example.com" in result.output
    assert "due soon" in result.output and "p1@example.com" in result.output
    assert "p2@example.com" not in result.output
    assert "1 overdue, 1 due within three days." in result.output


def test_due_dates_by_jurisdiction_across_a_weekend_and_a_holiday(make_app, smtp):
    from school.privacy.requests.clocks import due_date

    by = make_app(PUBLIC_HOLIDAYS=("2026-12-29",))
    with by.app_context():
        # Confirmed Thursday 24 December. Friday 25 (Christmas) and 1-2 January are public
        # holidays in Belarus, Tuesday 29 is a configured one, and weekends do not count:
        # working days are 28, 30, 31 December, 4 and 5 January.
        assert due_date(RequestType.ACCESS, date(2026, 12, 24)) == date(2027, 1, 5)
        # Fifteen calendar days for a correction.
        assert due_date(RequestType.CORRECTION, date(2026, 12, 24)) == date(2027, 1, 8)
    eu = make_app(PRIVACY_JURISDICTION="EU")
    with eu.app_context():
        assert due_date(RequestType.ACCESS, date(2026, 12, 24)) == date(2027, 1, 24)


def test_eu_extension_is_recorded_and_told(make_app, smtp, make_user):
    app = make_app(PRIVACY_JURISDICTION="EU")
    with app.app_context():
        staff = make_user("boss@example.com", role="staff")
        person = make_user("eu@example.com")
        client, staff_client = app.test_client(), app.test_client()
        AuthActions(client).login(person.email)
        AuthActions(staff_client).login(staff.email)
        ask(client, "access")
        request = latest()
        first_due = request.due_on
        text = decide(staff_client, request, "extend", months="2", reason="Many archives to search")
        assert "Extended to" in text
        request = latest()
        assert request.extended_due_on > first_due
        assert request.extension_reason == "Many archives to search"
        message = smtp.last_to(person.email)
        assert message["Subject"] == "We need more time for your privacy request"
        assert "Many archives to search" in text_of(message)
        again = decide(staff_client, request, "extend", months="1", reason="again")
        assert "already extended once" in again


def test_belarus_allows_no_extension(app, student_client, staff_client):
    ask(student_client, "access")
    text = decide(staff_client, latest(), "extend", months="1", reason="busy")
    assert "allows no extension" in text
    assert latest().extended_due_on is None
