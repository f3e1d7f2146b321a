"""The core lifecycle of privacy requests: submission, confirmation, transitions."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from school.extensions import db
from school.mail.services import send_committed
from school.privacy.requests import lifecycle
from school.privacy.requests.models import (
    PrivacyRequest,
    RequestChannel,
    RequestStatus,
    RequestType,
)
from tests.conftest import link_in, path_of


def test_request_by_signed_in_person_awaits_review_with_a_due_date(app, student):
    request = lifecycle.submit_request(
        RequestType.ACCESS,
        channel=RequestChannel.WEB,
        language="en",
        user=student,
        confirmed_by_session=True,
    )
    db.session.commit()
    assert request.status is RequestStatus.AWAITING_REVIEW
    assert request.confirmed_at is not None
    assert request.due_on > request.confirmed_at.date()
    assert [e.to_status for e in request.events] == [
        RequestStatus.RECEIVED,
        RequestStatus.AWAITING_REVIEW,
    ]


def test_emailed_request_waits_for_the_link_sent_to_the_address_on_file(app, client, smtp, student):
    request = lifecycle.submit_request(
        RequestType.ERASURE, channel=RequestChannel.EMAIL, language="en", user=student
    )
    db.session.commit()
    send_committed()
    assert request.status is RequestStatus.AWAITING_CONFIRMATION
    assert request.due_on is None  # the legal clock has not started

    link = link_in(smtp.last_to(student.email), "/privacy/requests/confirm/")
    page = client.get(path_of(link))
    assert page.status_code == 200
    db.session.refresh(request)
    assert request.status is RequestStatus.AWAITING_REVIEW
    assert request.due_on is not None


def test_expired_confirmation_link_does_nothing(app, client, smtp, student, monkeypatch):
    request = lifecycle.submit_request(
        RequestType.ERASURE, channel=RequestChannel.EMAIL, language="en", user=student
    )
    db.session.commit()
    send_committed()
    link = link_in(smtp.last_to(student.email), "/privacy/requests/confirm/")
    monkeypatch.setattr(lifecycle, "CONFIRM_WITHIN", timedelta(seconds=-1))
    page = client.get(path_of(link))
    assert page.status_code == 400
    assert "expired" in page.text
    db.session.refresh(request)
    assert request.status is RequestStatus.AWAITING_CONFIRMATION


def test_one_open_request_per_type_per_person(app, student):
    lifecycle.submit_request(
        RequestType.EXPORT,
        channel=RequestChannel.WEB,
        language="en",
        user=student,
        confirmed_by_session=True,
    )
    db.session.commit()
    with pytest.raises(lifecycle.RequestError) as caught:
        lifecycle.submit_request(
            RequestType.EXPORT,
            channel=RequestChannel.WEB,
            language="en",
            user=student,
            confirmed_by_session=True,
        )
    assert "already have an open request" in str(caught.value.message)
    db.session.rollback()
    assert len(db.session.scalars(select(PrivacyRequest)).all()) == 1

    # Another type is fine, and once closed the same type can be asked again.
    lifecycle.submit_request(
        RequestType.ACCESS,
        channel=RequestChannel.WEB,
        language="en",
        user=student,
        confirmed_by_session=True,
    )
    first = db.session.scalar(
        select(PrivacyRequest).where(PrivacyRequest.type == RequestType.EXPORT)
    )
    lifecycle.cancel_request(first, student)
    lifecycle.submit_request(
        RequestType.EXPORT,
        channel=RequestChannel.WEB,
        language="en",
        user=student,
        confirmed_by_session=True,
    )
    db.session.commit()


def test_impossible_transition_is_refused_and_changes_nothing(app, student):
    request = lifecycle.submit_request(
        RequestType.ACCESS,
        channel=RequestChannel.WEB,
        language="en",
        user=student,
        confirmed_by_session=True,
    )
    lifecycle.cancel_request(request, student)
    with pytest.raises(lifecycle.RequestError):
        lifecycle.transition(request, RequestStatus.APPROVED, actor_role="staff")
    assert request.status is RequestStatus.CANCELLED
    assert len(request.events) == 3


def test_belarus_access_deadline_counts_working_days(app):
    from school.privacy.requests.clocks import due_date

    # Friday 2026-07-03 is Independence Day; confirmed Thursday 2 July 2026.
    assert due_date(RequestType.ACCESS, date(2026, 7, 2)) == date(2026, 7, 10)
    assert due_date(RequestType.ERASURE, date(2026, 7, 2)) == date(2026, 7, 17)


def test_gdpr_deadline_is_one_month(make_app, smtp):
    from school.privacy.requests.clocks import due_date

    app = make_app(PRIVACY_JURISDICTION="EU")
    with app.app_context():
        assert due_date(RequestType.ACCESS, date(2026, 1, 31)) == date(2026, 2, 28)
