"""A From header proves nothing: only the link sent to the address on file makes a request act."""

from __future__ import annotations

import re

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from school.database import utcnow
from school.extensions import db
from school.intake.models import IntakeOutcome
from school.intake.services import ingest
from school.mail.services import send_committed
from school.privacy.consent.models import ConsentAction, ConsentPurpose, ConsentRecord
from school.privacy.requests import lifecycle as lifecycle
from school.privacy.requests.models import RequestStatus, RequestType
from tests.conftest import link_in, path_of, text_of
from tests.intake.conftest import build, intake_rows, privacy_requests


def consent_state(user):
    latest = db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user.id, ConsentRecord.purpose == ConsentPurpose.PROCESSING)
        .order_by(ConsentRecord.id.desc())
    ).first()
    return latest.action


def test_forged_from_changes_nothing_until_the_student_clicks(app, client, smtp, student):
    """Someone forges the student's address: the request waits, its clock not running."""
    raw = build(
        "Withdrawal of Consent to Personal Data Processing",
        sender="Sam Student <STUDENT@example.com>",
        headers={"Reply-To": "attacker@evil.example"},
        body="Stop processing my data.",
    )
    result = ingest(raw, source="pipe")
    send_committed()

    assert result.outcome is IntakeOutcome.REQUEST
    (request,) = privacy_requests()
    assert request.user_id == student.id
    assert request.status is RequestStatus.AWAITING_CONFIRMATION
    assert request.confirmed_at is None and request.due_on is None
    assert smtp.to("attacker@evil.example") == []
    assert consent_state(student) is ConsentAction.GIVEN  # the student's data is untouched

    # Only the student's own mailbox gets the link; clicking it starts the clock.
    confirmation = smtp.last_to(student.email)
    page = client.get(path_of(link_in(confirmation, "/privacy/requests/confirm/")))
    assert page.status_code == 200
    db.session.refresh(request)
    assert request.status is RequestStatus.AWAITING_REVIEW
    assert request.confirmed_at is not None and request.due_on is not None


def test_link_clicked_after_72_hours_fails_clearly(app, client, smtp, student):
    ingest(build("Personal Data Update", sender=student.email), source="pipe")
    send_committed()
    (request,) = privacy_requests()

    # The same token the email carries, but signed 73 hours ago.
    class SignedLongAgo(TimestampSigner):
        def get_timestamp(self):
            return int(utcnow().timestamp()) - 73 * 3600

    serializer = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt=f"school.{lifecycle.CONFIRM_PURPOSE}", signer=SignedLongAgo
    )
    old_token = serializer.dumps({"r": request.public_id, "e": request.subject_email})

    page = client.get(f"/privacy/requests/confirm/{old_token}")
    assert page.status_code == 400
    assert "expired" in page.text
    db.session.refresh(request)
    assert request.status is RequestStatus.AWAITING_CONFIRMATION
    assert request.due_on is None


def test_an_address_without_account_gets_the_same_reply_and_can_confirm(app, client, smtp, student):
    ingest(build("Access to Personal Data", sender=student.email), source="pipe")
    ingest(build("Access to Personal Data", sender="nobody@example.net"), source="pipe")
    send_committed()
    known, unknown = smtp.last_to(student.email), smtp.last_to("nobody@example.net")

    def shape(message):
        text = re.sub(r"https?://\S+", "LINK", text_of(message))
        return re.sub(r"(eference: )\S+", r"\1REF", text)

    assert known["Subject"] == unknown["Subject"]
    assert shape(known) == shape(unknown)

    client.get(path_of(link_in(unknown, "/privacy/requests/confirm/")))
    bare = next(r for r in privacy_requests() if r.subject_email == "nobody@example.net")
    assert bare.user_id is None
    assert bare.status is RequestStatus.AWAITING_REVIEW


def test_russian_request_without_account_is_answered_in_russian(app, smtp):
    ingest(
        build("Отзыв согласия на обработку персональных данных", sender="ivan@example.ru"),
        source="pipe",
    )
    send_committed()
    (request,) = privacy_requests()
    assert request.language == "ru"
    assert request.type is RequestType.WITHDRAW_CONSENT
    assert re.search(r"[А-Яа-я]", text_of(smtp.last_to("ivan@example.ru")))


def test_correction_fields_reach_the_request(app, student):
    ingest(
        build(
            "Re: Personal Data Update",
            sender=student.email,
            body="Hello,\nPhone: +375 29 111 22 33\nFull name: Samuel Student\n",
        ),
        source="pipe",
    )
    (request,) = privacy_requests()
    assert request.requested_changes == {
        "Phone": "+375 29 111 22 33",
        "Full name": "Samuel Student",
    }


def test_our_servers_authentication_results_are_recorded(make_app, smtp):
    app = make_app(INTAKE_AUTHSERV_ID="mx.lingua.example")
    with app.app_context():
        raw = build(
            "Unsubscribe",
            sender="someone@example.org",
            headers={
                "Authentication-Results": "mx.lingua.example; dkim=fail (bad signature) "
                "header.d=example.org; dmarc=fail header.from=example.org",
            },
        )
        result = ingest(raw, source="pipe")
        assert (result.message.dkim, result.message.dmarc) == ("fail", "fail")
        assert result.message.auth_failed
        db.session.remove()
        db.engine.dispose()


def test_authentication_results_from_other_servers_are_ignored(make_app, smtp):
    app = make_app(INTAKE_AUTHSERV_ID="mx.lingua.example")
    with app.app_context():
        raw = build(
            "Unsubscribe",
            sender="someone@example.org",
            headers={"Authentication-Results": "mx.evil.example; dkim=pass; dmarc=pass"},
        )
        result = ingest(raw, source="pipe")
        assert (result.message.dkim, result.message.dmarc) == (None, None)
        (row,) = intake_rows()
        assert "authentication" not in row.checks
        db.session.remove()
        db.engine.dispose()


def test_only_the_topmost_result_of_our_server_counts(make_app, smtp):
    """A sender can forge a passing result with our id below the one our server adds."""
    app = make_app(INTAKE_AUTHSERV_ID="mx.lingua.example")
    with app.app_context():
        raw = build("Unsubscribe", sender="someone@example.org")
        raw = (
            b"Authentication-Results: mx.lingua.example; dkim=none; dmarc=fail\r\n"
            b"Authentication-Results: mx.lingua.example; dkim=pass; dmarc=pass\r\n" + raw
        )
        result = ingest(raw, source="pipe")
        assert (result.message.dkim, result.message.dmarc) == ("none", "fail")
        db.session.remove()
        db.engine.dispose()
