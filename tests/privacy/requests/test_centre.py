"""Every request type end to end through HTTP: the person asks, staff decide, the data
changes, and the person is told by email on the real SMTP server."""

import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from school.accounts.models import User
from school.extensions import db
from school.privacy.consent.ledger import standing_consent
from school.privacy.consent.models import ConsentPurpose, ConsentRecord
from school.privacy.requests.models import PrivacyRequest, RequestStatus
from school.profile.models import Profile, StaffAccess
from tests.conftest import text_of
from tests.privacy.helpers import ask, decide, latest

S = RequestStatus


def test_the_centre_lists_every_kind_of_request(student_client):
    page = html.unescape(student_client.get("/privacy/centre").text)
    for words in (
        "Information about how my data is processed",
        "Information about who received my data",
        "A copy of my data (export)",
        "Correct my data",
        "Block (restrict) the processing of my data",
        "Erase my data",
        "Withdraw my consent to processing",
        "Stop marketing emails",
        "A question about my data",
    ):
        assert words in page


def test_each_request_in_the_centre_opens_its_own_page(student_client):
    ask(student_client, "access")
    ask(student_client, "inquiry", details="Which data do you hold?")
    page = student_client.get("/privacy/centre").text
    links = re.findall(r'<tr><td><a href="(/privacy/centre/[^"]+)">([^<]+)</a></td>', page)
    assert len(links) == 2
    for href, label in links:
        opened = student_client.get(href)
        assert opened.status_code == 200 and html.unescape(label) in html.unescape(opened.text)


def test_the_centre_shows_the_deadline_in_force_of_open_requests_only(student_client):
    ask(student_client, "access")
    ask(student_client, "inquiry", details="Which data do you hold?")
    access, inquiry = db.session.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id))
    access.due_on, access.extended_due_on = date(2031, 3, 2), date(2031, 4, 20)
    inquiry.due_on, inquiry.status = date(2031, 3, 9), RequestStatus.COMPLETED
    db.session.commit()
    rows = re.findall(r"<tr><td>(.*?)</tr>", student_client.get("/privacy/centre").text, re.S)
    assert len(rows) == 2
    due = {row.split("</a>")[0].rsplit(">", 1)[1]: row.rsplit("<td>", 1)[1] for row in rows}
    assert due["A question about my data"] == "—</td>"  # answered: nothing is due
    assert due["Information about how my data is processed"] == "April 20, 2031</td>"


def test_the_centre_needs_signing_in(client):
    assert client.get("/privacy/centre").status_code == 302


def test_access_report_on_the_page_and_in_the_email(student_client, staff_client, student, smtp):
    ask(student_client, "access")
    request = latest()
    assert request.status is S.AWAITING_REVIEW
    assert request.due_on is not None
    text = decide(staff_client, request)
    assert "Done; the person is told by email." in text
    assert latest().status is S.COMPLETED
    message = smtp.last_to(student.email)
    assert message["Subject"] == "How we process your data"
    body = text_of(message)
    assert "Legal basis" in body and "Full name" in body and "Contact details" in body
    page = html.unescape(student_client.get(f"/privacy/centre/{request.public_id}/report").text)
    assert "How we process your data" in page
    assert "Contact details" in page and "Kept" in page
    # What is held about this person, counted by the collector that builds "My data".
    for said in (body, re.sub(r"<[^>]+>", "", page)):
        assert "What we hold about you" in said
        assert "Consents given and withdrawn: 1" in said and "Privacy requests: 1" in said


def test_third_party_information(student_client, staff_client, student, smtp):
    from school.compliance.models import Processor

    db.session.add(Processor(name="PayGate", service="payments", data_categories="name, email",
                             country="BY", transfer_ground=""))  # fmt: skip
    db.session.commit()
    ask(student_client, "third_parties")
    decide(staff_client, latest())
    assert "PayGate" in text_of(smtp.last_to(student.email))


def test_blocking_and_unblocking(student_client, staff_client, student, smtp):
    ask(student_client, "blocking")
    decide(staff_client, latest())
    assert db.session.get(User, student.id).restricted_at is not None
    centre = student_client.get("/privacy/centre").text
    assert "blocked at your request" in centre
    centre = centre.split('id="new-heading"', 1)[1]
    # While blocked, the centre offers lifting the block instead of blocking again.
    assert "Lift the block on my data" in centre
    assert "Block (restrict) the processing of my data" not in centre
    ask(student_client, "unblocking")
    decide(staff_client, latest())
    db.session.expire_all()
    assert db.session.get(User, student.id).restricted_at is None


def test_correction_shows_current_values_and_applies_the_staff_values(
    student_client, staff_client, student, smtp
):
    ask(student_client, "correction", full_name="Samuel Student", phone="+375291234567")
    request = latest()
    assert request.requested_changes == {"full_name": "Samuel Student", "phone": "+375291234567"}
    page = html.unescape(staff_client.get(f"/admin/privacy/{request.public_id}").text)
    assert "Sam Student" in page and "Samuel Student" in page
    decide(staff_client, request, **{"fix-full_name": "Samuel Student",
                                      "fix-phone": "+375291234567"})  # fmt: skip
    db.session.expire_all()
    assert db.session.get(User, student.id).full_name == "Samuel Student"
    assert db.session.get(Profile, student.id).phone == "+375291234567"
    assert latest().outcome["applied"] == ["full_name", "phone"]
    assert smtp.last_to(student.email)["Subject"] == "Your privacy request is done"


def test_correction_needs_a_value(student_client):
    response = ask(student_client, "correction", details="my name is wrong")
    assert response.status_code == 400
    assert "Fill in at least one value" in html.unescape(response.text)
    assert latest() is None


def test_marketing_withdrawal_takes_effect_at_once(app, make_user, smtp):
    from tests.conftest import AuthActions

    person = make_user("mark@example.com", marketing=True)
    client = app.test_client()
    AuthActions(client).login(person.email)
    assert standing_consent(person, ConsentPurpose.MARKETING) is not None
    ask(client, "withdraw_marketing")
    request = latest()
    assert request.status is S.COMPLETED
    db.session.expire_all()
    assert standing_consent(db.session.get(User, person.id), ConsentPurpose.MARKETING) is None
    assert smtp.last_to(person.email)["Subject"] == "Your privacy request is done"


def test_general_inquiry_is_answered_by_email(student_client, staff_client, student, smtp):
    ask(student_client, "inquiry", details="Do you share my data with teachers?")
    request = latest()
    assert request.details == "Do you share my data with teachers?"
    decide(staff_client, request, "reply", answer="Only your name and level.")
    assert latest().status is S.COMPLETED
    message = smtp.last_to(student.email)
    assert "Only your name and level." in text_of(message)


def test_rejection_sends_the_reason(student_client, staff_client, student, smtp):
    ask(student_client, "blocking")
    request = latest()
    text = decide(staff_client, request, "reject", reason="")
    assert "This field is required." in text
    assert latest().status is S.AWAITING_REVIEW
    decide(staff_client, request, "reject", reason="We need to keep teaching you this week.")
    assert latest().status is S.REJECTED
    assert "keep teaching you this week" in text_of(smtp.last_to(student.email))


def test_every_staff_action_is_in_the_access_log(student_client, staff_client, student):
    ask(student_client, "access")
    request = latest()
    staff_client.get(f"/admin/privacy/{request.public_id}")
    decide(staff_client, request)
    pages = db.session.scalars(
        select(StaffAccess.page).where(StaffAccess.subject_id == student.id)
    ).all()
    assert pages.count("privacy_request") >= 2
    my_data = html.unescape(student_client.get("/profile/my-data").text)
    assert "Sofia Staff" in my_data
    assert "A privacy request of yours" in my_data


# --- bad input ----------------------------------------------------------------------------


def test_double_submit_and_second_open_request_of_a_kind(student_client):
    ask(student_client, "export")
    again = ask(student_client, "export", follow_redirects=True)
    assert "already have an open request of this kind" in html.unescape(again.text)
    assert db.session.scalar(select(func.count(PrivacyRequest.id))) == 1


def test_approving_a_completed_request_changes_nothing(student_client, staff_client, smtp):
    ask(student_client, "blocking")
    request = latest()
    decide(staff_client, request)
    smtp.clear()
    text = decide(staff_client, request)
    assert "changed after the page was loaded" in text
    assert smtp.messages == []


def test_a_stale_staff_page_cannot_act_on_a_cancelled_request(
    student_client, staff_client, student
):
    ask(student_client, "blocking")
    request = latest()
    student_client.submit(f"/privacy/centre/{request.public_id}/cancel")
    assert latest().status is S.CANCELLED
    text = decide(staff_client, request)
    assert "changed after the page was loaded" in text
    assert db.session.get(User, student.id).restricted_at is None


def test_another_persons_request_is_not_found(app, student_client, make_user):
    from tests.conftest import AuthActions

    other = make_user("other@example.com")
    client = app.test_client()
    AuthActions(client).login(other.email)
    ask(client, "access")
    theirs = latest()
    assert student_client.get(f"/privacy/centre/{theirs.public_id}").status_code == 404
    assert student_client.submit(f"/privacy/centre/{theirs.public_id}/cancel").status_code == 404


@pytest.mark.parametrize("path", ["/admin/privacy/", "/admin/privacy/whatever"])
def test_students_cannot_reach_the_staff_queue(student_client, path):
    assert student_client.get(path).status_code == 403


def test_withdrawing_processing_consent_leads_to_erasure(
    student_client, staff_client, student, smtp
):
    ask(student_client, "withdraw_consent")
    decide(staff_client, latest())
    db.session.expire_all()
    erased = db.session.get(User, student.id)
    assert erased.erased_at is not None
    withdrawn = db.session.scalar(
        select(ConsentRecord).where(
            ConsentRecord.purpose == ConsentPurpose.PROCESSING,
            ConsentRecord.action == "withdrawn",
        )
    )
    assert withdrawn is not None
