"""The staff queue by due date, deadline counts, the overdue command, EU extensions."""

import html
import re
import secrets
from datetime import date, timedelta

from sqlalchemy import select

from school.database import utcnow
from school.extensions import db
from school.privacy.requests.models import (
    OPEN_STATUSES,
    PrivacyRequest,
    RequestChannel,
    RequestStatus,
    RequestType,
)
from school.profile.models import StaffAccess
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


def file_requests(count, status, kind=RequestType.ACCESS, *, due_in=30, users=(), emails=()):
    """``count`` requests filed straight into the table, due ``due_in`` days from today (later
    ones a day later each), from ``users`` and then ``emails`` in turn (address only)."""
    today = utcnow().date()
    senders = [(user, user.email) for user in users] + [(None, email) for email in emails]
    made = []
    for n in range(count):
        user, email = senders[n % len(senders)] if senders else (None, f"r{n}@example.org")
        made.append(
            PrivacyRequest(
                public_id=secrets.token_urlsafe(16),
                type=kind,
                status=status,
                channel=RequestChannel.EMAIL,
                user_id=user.id if user else None,
                subject_email=email,
                open_key=secrets.token_hex(8) if status in OPEN_STATUSES else None,
                due_on=today + timedelta(days=due_in + n),
            )
        )
    db.session.add_all(made)
    db.session.commit()
    return made


def queue_page(staff_client, query=""):
    """The queue's text, its rows' request ids, and its pager's line."""
    page = html.unescape(staff_client.get(f"/admin/privacy/{query}").text)
    rows = re.findall(r'<a href="/admin/privacy/([^"?/]+)">', page.split("<tbody>", 1)[1])
    pager = re.search(r"Page \d+ of \d+", page)
    return page, rows, pager and pager.group(0)


def test_the_pager_counts_the_filtered_queue_and_the_deadlines_every_open_request(
    staff_client,
):
    done = file_requests(32, RequestStatus.COMPLETED)
    file_requests(1, RequestStatus.RECEIVED, RequestType.ERASURE, due_in=-2)  # overdue
    soon = file_requests(1, RequestStatus.APPROVED, RequestType.EXPORT, due_in=1)
    later = file_requests(2, RequestStatus.AWAITING_REVIEW, RequestType.EXPORT, due_in=20)
    deadlines = "Overdue: 1. Due within three days: 1."

    first, rows, pager = queue_page(staff_client, "?status=completed")
    assert rows == [r.public_id for r in done[:30]] and pager == "Page 1 of 2"
    assert deadlines in first  # open requests, whatever the list shows
    second, rows, pager = queue_page(staff_client, "?status=completed&page=2")
    assert rows == [r.public_id for r in done[30:]] and pager == "Page 2 of 2"
    assert deadlines in second

    exports, rows, pager = queue_page(staff_client, "?type=export")
    assert rows == [r.public_id for r in soon + later] and pager is None and deadlines in exports
    reviewing, rows, _ = queue_page(staff_client, "?type=export&status=awaiting_review")
    assert rows == [r.public_id for r in later] and deadlines in reviewing

    # Nothing to list (a filter matching nothing, a page past the end): the counts remain.
    for query in ("?type=correction", "?status=completed&page=9"):
        empty, rows, _ = queue_page(staff_client, query)
        assert rows == [] and "No requests here." in empty and deadlines in empty
    assert queue_page(staff_client, "?status=completed&page=9")[2] == "Page 9 of 2"


def test_only_open_requests_past_their_deadline_are_marked_overdue(staff_client):
    late = file_requests(1, RequestStatus.RECEIVED, due_in=-1)
    file_requests(1, RequestStatus.COMPLETED, due_in=-5)  # late, but done
    unconfirmed = file_requests(1, RequestStatus.AWAITING_CONFIRMATION)
    unconfirmed[0].due_on = None  # the clock has not started
    db.session.commit()

    for query, marked in (("", 1), ("?status=completed", 0)):
        page = queue_page(staff_client, query)[0]
        assert page.count(">overdue<") == marked
    rows = queue_page(staff_client)[0].split("<tbody>", 1)[1].split("</tr>")
    assert late[0].public_id in rows[0] and ">overdue<" in rows[0]
    assert unconfirmed[0].public_id in rows[1] and "<td>—</td>" in rows[1]  # no date: last


def test_the_queue_reads_its_page_and_every_count_in_one_statement(staff_client, count_queries):
    file_requests(5, RequestStatus.COMPLETED)
    file_requests(3, RequestStatus.RECEIVED)

    def queue_statements(query):
        with count_queries() as counter:
            staff_client.get(f"/admin/privacy/{query}")
        return [s for s in counter.statements if "privacy_request" in s]

    few = {q: len(queue_statements(q)) for q in ("", "?status=completed", "?type=erasure")}
    file_requests(70, RequestStatus.COMPLETED)
    file_requests(40, RequestStatus.RECEIVED, RequestType.ERASURE)
    many = {
        q: len(queue_statements(q))
        for q in ("", "?status=completed&page=3", "?type=erasure&page=2", "?page=99")
    }
    assert set(few.values()) == set(many.values()) == {1}


def test_the_queue_names_nobody_and_logs_a_look_only_when_a_request_is_opened(
    staff, staff_client, make_user, count_queries
):
    """The list is for choosing what to handle next: kind, deadline, channel and whether the
    person has an account, never who they are. Nobody's look is written for it; opening a
    request shows the person, and that look is logged."""
    people = [make_user(f"p{n}@example.com") for n in range(4)]
    requests = file_requests(35, RequestStatus.RECEIVED, users=people, emails=["Lone@Example.org"])

    def looks():
        db.session.expire_all()
        return [
            (look.subject_id, look.subject_email, look.page)
            for look in db.session.scalars(
                select(StaffAccess).where(StaffAccess.staff_id == staff.id)
            )
        ]

    with count_queries() as counter:
        page, listed, _ = queue_page(staff_client)
    assert not [s for s in counter.statements if s.lstrip().upper().startswith("INSERT")]
    assert listed == [r.public_id for r in requests[:30]]
    for person in people:
        assert person.email not in page and person.full_name not in page
    assert "lone@example.org" not in page.lower()
    rows = page.split("<tbody>", 1)[1]
    assert rows.count("an account holder") == 24 and rows.count("an address, no account") == 6
    assert rows.count("by email") == 30  # the channel, in words
    assert looks() == []

    staff_client.get(f"/admin/privacy/{requests[4].public_id}")  # the address-only one
    staff_client.get(f"/admin/privacy/{requests[1].public_id}")
    assert looks() == [
        (None, "lone@example.org", "privacy_request"),
        (people[1].id, None, "privacy_request"),
    ]


def test_the_queue_speaks_russian(staff_client):
    file_requests(1, RequestStatus.RECEIVED, emails=["lone@example.org"])
    assert "an address, no account" in staff_client.get("/admin/privacy/").text  # stored
    staff_client.submit("/language", {"lang-language": "ru"}, csrf_field="lang-csrf_token")
    page = html.unescape(staff_client.get("/admin/privacy/").text)
    for english in ("an address, no account", "by email", "Asked by", "Privacy requests"):
        assert english not in page, english


def test_a_stored_list_is_served_until_what_it_shows_changes(
    staff_client, make_user, count_queries
):
    """The list names nobody, so it is rendered once per version of the queue's rows and
    served to every member of staff after; any change to what it shows, by whatever path,
    is on the next view."""
    person = make_user("p@example.com")
    waiting = file_requests(2, RequestStatus.RECEIVED, users=[person])

    def queue_reads():
        with count_queries() as counter:
            page, rows, _ = queue_page(staff_client)
        return page, rows, [s for s in counter.statements if "FROM privacy_request" in s]

    page, rows, reads = queue_reads()
    assert rows == [r.public_id for r in waiting] and len(reads) == 1
    page, rows, reads = queue_reads()
    assert rows == [r.public_id for r in waiting] and reads == []  # the stored list

    # A change by plain SQL, past the ORM: the database's triggers raise the version.
    db.session.execute(
        PrivacyRequest.__table__.update()
        .where(PrivacyRequest.id == waiting[0].id)
        .values(status=RequestStatus.COMPLETED)
    )
    db.session.commit()
    page, rows, reads = queue_reads()
    assert rows == [waiting[1].public_id] and len(reads) == 1
    assert "an account holder" in page

    # The account row goes: the database sets the request's user_id to NULL itself.
    db.session.execute(db.text('DELETE FROM "user" WHERE id = :id'), {"id": person.id})
    db.session.commit()
    page, rows, reads = queue_reads()
    assert "an address, no account" in page and "an account holder" not in page


def test_what_is_overdue_is_worked_out_again_each_day(staff_client, monkeypatch):
    """No row changes when a deadline passes: the day is part of the stored list's key."""
    file_requests(1, RequestStatus.RECEIVED, due_in=1)
    assert ">overdue<" not in queue_page(staff_client)[0]
    later = utcnow() + timedelta(days=2)
    monkeypatch.setattr("school.privacy.requests.staff_routes.utcnow", lambda: later)
    page = queue_page(staff_client)[0]
    assert ">overdue<" in page and "Overdue: 1." in page


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
