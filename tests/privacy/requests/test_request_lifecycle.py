"""The core lifecycle of privacy requests: submission, confirmation, transitions."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from school.extensions import db
from school.mail.models import OutboxMessage
from school.mail.services import send_committed, take_committed_ids
from school.privacy.requests import lifecycle
from school.privacy.requests.models import (
    PrivacyRequest,
    RequestChannel,
    RequestEvent,
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
    page = client.submit(path_of(link))
    assert page.status_code == 200
    db.session.refresh(request)
    assert request.status is RequestStatus.AWAITING_REVIEW
    assert request.due_on is not None


def test_an_emailed_request_is_written_once_in_the_state_it_leaves_in(app, student, count_queries):
    """The row goes in awaiting confirmation with both events, in their order, and is not
    written a second time to change its state."""
    with count_queries() as counter:
        request = lifecycle.submit_request(
            RequestType.ACCESS, channel=RequestChannel.EMAIL, language="en", user=student
        )
        db.session.commit()
    writes = ("INSERT INTO privacy_request ", "UPDATE privacy_request ")
    assert [s.split()[0] for s in counter.statements if s.startswith(writes)] == ["INSERT"]
    events = db.session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == request.id).order_by(RequestEvent.id)
    ).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, RequestStatus.RECEIVED),
        (RequestStatus.RECEIVED, RequestStatus.AWAITING_CONFIRMATION),
    ]
    assert request.status is RequestStatus.AWAITING_CONFIRMATION


def test_a_submission_that_loses_the_race_for_the_open_request_queues_no_email(
    app, student, monkeypatch
):
    """Two submissions at once both find no open request; the database lets one in, and the
    other ends with RequestError and nothing of it (no row, no confirmation) left to commit."""
    lifecycle.submit_request(
        RequestType.ERASURE, channel=RequestChannel.EMAIL, language="en", user=student
    )
    db.session.commit()
    take_committed_ids()
    monkeypatch.setattr(lifecycle, "find_open_request", lambda kind, email: None)
    with pytest.raises(lifecycle.RequestError):
        lifecycle.submit_request(
            RequestType.ERASURE, channel=RequestChannel.EMAIL, language="en", user=student
        )
    db.session.commit()
    assert take_committed_ids() == []
    assert len(db.session.scalars(select(PrivacyRequest)).all()) == 1
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


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
