"""Composing, queueing and delivering a newsletter through the outbox and a real SMTP server."""

import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from school.accounts.models import Role
from school.database import utcnow
from school.extensions import db
from school.mail import services as mail
from school.mail.models import OutboxMessage, OutboxStatus, SuppressedAddress
from school.newsletter import services
from school.newsletter.models import Campaign, CampaignStatus
from school.privacy.consent.models import ConsentAction, ConsentPurpose, ConsentRecord
from tests.conftest import create_user, html_of, link_in, path_of, text_of


def campaign_rows(campaign):
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.campaign_id == campaign.id)
    ).all()


def count_in(status) -> int:
    db.session.rollback()  # end this session's snapshot: another thread is writing
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == status)
    )


def make_time_pass():
    """Let every retry's backoff elapse."""
    db.session.execute(
        update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


# --- staff pages ------------------------------------------------------------------------------


def test_staff_compose_preview_test_send_and_send(staff_client, staff, make_user, smtp):
    for index in range(3):
        make_user(f"reader{index}@example.com", marketing=True)
    make_user("quiet@example.com", marketing=False)

    assert staff_client.get("/admin/newsletters/new").status_code == 200
    response = staff_client.submit(
        "/admin/newsletters/new",
        {
            "subject": "Spring courses",
            "body": "# New term\n\nSee [the catalogue](https://school.test/courses).\n\n"
            "<script>alert(1)</script>",
            "language": "en",
        },
    )
    assert response.status_code == 302
    show_url = response.headers["Location"]
    assert re.search(r"/admin/newsletters/[\w-]{12,}$", show_url)  # no guessable id

    page = staff_client.get(show_url)
    assert page.status_code == 200
    assert "<h1>New term</h1>" in page.text
    assert "<script>alert(1)" not in page.text  # sanitised
    assert "the catalogue (https://school.test/courses)" in page.text  # the text version
    assert "Send to the audience (3)" in page.text  # the count before sending

    response = staff_client.submit(show_url + "/test")
    assert response.status_code == 302
    test_copy = smtp.last_to("staff@example.com")
    assert test_copy["Subject"] == "[Test] Spring courses"
    assert smtp.to("reader0@example.com") == []

    response = staff_client.submit(show_url + "/send")
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert campaign.status is CampaignStatus.SENDING and campaign.recipient_count == 3
    assert smtp.to("reader0@example.com") == []  # sending happens outside the request

    progress = staff_client.get(show_url + "/progress.json").json
    assert progress == {
        "total": 3,
        "sent": 0,
        "failed": 0,
        "remaining": 3,
        "percent": 0,
        "finished": False,
    }
    mail.deliver()
    assert staff_client.get(show_url + "/progress.json").json["percent"] == 100
    page = staff_client.get(show_url)
    assert "<progress" in page.text
    history = staff_client.get("/admin/newsletters/")
    assert "Spring courses" in history.text

    # A second click, or a second staff member, queues nobody again.
    staff_client.submit(show_url + "/send")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 4
    assert staff_client.get(show_url + "/edit").status_code == 302  # no longer editable


def test_newsletter_pages_are_for_staff_only(student_client, client, make_campaign):
    campaign = make_campaign()
    for path in (
        "/admin/newsletters/",
        "/admin/newsletters/new",
        f"/admin/newsletters/{campaign.public_id}",
        f"/admin/newsletters/{campaign.public_id}/progress.json",
    ):
        assert student_client.get(path).status_code == 403
        assert client.get(path).status_code == 302
    assert student_client.submit(f"/admin/newsletters/{campaign.public_id}/send").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_nobody_in_the_audience_keeps_the_draft(app, staff, make_campaign):
    campaign = make_campaign(language="ru")
    assert services.queue_campaign(campaign, staff) == 0
    db.session.refresh(campaign)
    assert campaign.is_draft


def test_a_campaign_reaches_an_address_once_even_if_queued_again(
    app, staff, make_user, make_campaign
):
    make_user("once@example.com", marketing=True)
    campaign = make_campaign()
    assert services.queue_campaign(campaign, staff) == 1
    assert services.queue_campaign(campaign, staff) is None
    row = campaign_rows(campaign)[0]
    db.session.add(
        OutboxMessage(
            campaign_id=campaign.id,
            recipient=row.recipient,
            subject="x",
            text_body="x",
            html_body="x",
            template="newsletter/campaign",
            message_id="<duplicate@school.test>",
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# --- the messages -------------------------------------------------------------------------------


def test_each_message_carries_its_own_one_click_unsubscribe(
    app, client, staff, make_user, make_subscriber, make_campaign, smtp
):
    reader = make_user("reader@example.com", marketing=True)
    make_subscriber("visitor@example.com")
    campaign = make_campaign(body="Hello *readers*.")
    services.queue_campaign(campaign, staff)
    assert mail.deliver().sent == 2

    message = smtp.last_to("reader@example.com")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message["List-Unsubscribe"]
    match = re.fullmatch(r"<(https?://[^>]+)>, <(mailto:[^>]+)>", header)
    assert match, header
    url, mailto = match.groups()
    assert url.startswith("http://school.test/newsletter/unsubscribe/")
    assert mailto == "mailto:privacy@lingua.example?subject=unsubscribe"
    assert url in text_of(message) and url in html_of(message)
    assert "<em>readers</em>" in html_of(message)
    assert link_in(message, "/newsletter/unsubscribe/") == url
    other = smtp.last_to("visitor@example.com")["List-Unsubscribe"]
    assert other != header  # per recipient

    # GET only asks; it changes nothing (link scanners follow GETs).
    page = client.get(path_of(url))
    assert page.status_code == 200
    assert 'type="submit"' in page.text
    assert services.is_subscribed(reader)

    # The mail client's one-click POST: no session, no CSRF token.
    response = client.post(path_of(url), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.expire_all()
    assert not services.is_subscribed(reader)
    latest = db.session.scalar(
        select(ConsentRecord)
        .where(
            ConsentRecord.user_id == reader.id, ConsentRecord.purpose == ConsentPurpose.MARKETING
        )
        .order_by(ConsentRecord.id.desc())
    )
    assert latest.action is ConsentAction.WITHDRAWN
    assert latest.method == "one-click unsubscribe (RFC 8058)"

    # Posting again is harmless and writes nothing more.
    client.post(path_of(url), data={"List-Unsubscribe": "One-Click"})
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(ConsentRecord)
            .where(
                ConsentRecord.user_id == reader.id, ConsentRecord.action == ConsentAction.WITHDRAWN
            )
        )
        == 1
    )


def test_a_visitor_unsubscribes_with_the_button(
    app, client, staff, make_subscriber, make_campaign, smtp
):
    make_subscriber("visitor@example.com")
    services.queue_campaign(make_campaign(), staff)
    mail.deliver()
    url = link_in(smtp.last_to("visitor@example.com"), "/newsletter/unsubscribe/")
    response = client.post(path_of(url), data={"submit": "Unsubscribe"})
    assert response.status_code == 200
    assert services.audience_count(services.Audience("en")) == 0
    rows = db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.email == "visitor@example.com")
    ).all()
    assert [r.action for r in rows] == [ConsentAction.GIVEN, ConsentAction.WITHDRAWN]
    assert rows[-1].method == "unsubscribe link"


def test_a_forged_unsubscribe_token_does_nothing(app, client, make_user):
    make_user("reader@example.com", marketing=True)
    token = services.unsubscribe_token(user_id=1)
    assert client.post(f"/newsletter/unsubscribe/{token}x", data={}).status_code == 400
    assert client.get("/newsletter/unsubscribe/1").status_code == 400
    assert services.audience_count(services.Audience("en")) == 1


# --- delivery ----------------------------------------------------------------------------------


def test_smtp_down_in_the_middle_then_back_every_recipient_gets_exactly_one_copy(
    app, staff, make_user, make_campaign, smtp, smtp_server
):
    addresses = [f"r{index}@example.com" for index in range(40)]
    for address in addresses:
        make_user(address, marketing=True)
    campaign = make_campaign()
    assert services.queue_campaign(campaign, staff) == 40

    # 20 a second: the server goes down in a pause between two messages, as an outage
    # between SMTP transactions would (one inside a transaction is SMTP's own ambiguity).
    app.config["MAIL_RATE_PER_SECOND"] = 20
    reports = []

    def send():
        with app.app_context():  # the same database, from the sender's own thread
            reports.append(mail.deliver(limit=1000))
            db.session.remove()

    thread = threading.Thread(target=send)
    thread.start()
    while count_in(OutboxStatus.SENT) < 10:
        time.sleep(0.005)
    smtp_server.stop()
    thread.join(timeout=30)
    assert reports and 10 <= reports[0].sent < 40
    assert count_in(OutboxStatus.SENDING) == 0

    # The worker keeps trying while the server is down; nothing is lost or sent.
    make_time_pass()
    mail.deliver()
    smtp_server.start()
    for _ in range(5):
        make_time_pass()
        mail.deliver(limit=1000)

    for address in addresses:
        assert len(smtp.to(address)) == 1, address
    assert {row.status for row in campaign_rows(campaign)} == {OutboxStatus.SENT}
    assert services.progress(campaign).percent == 100


def test_a_hard_bounce_is_failed_suppressed_and_not_mailed_again(make_app, refusing_smtp, smtp):
    app = make_app(MAIL_PORT=refusing_smtp.port)
    with app.app_context():
        staff = create_user("staff@example.com", full_name="S", role=Role.STAFF)
        for address in ("bounce@example.com", "big@example.com", "fine@example.com"):
            create_user(address, full_name="R", marketing=True)
        first = services.save_campaign(None, subject="One", body="One", language="en", author=staff)
        services.queue_campaign(first, staff)
        report = mail.deliver()
        assert (report.sent, report.failed) == (1, 2)
        failed = {
            row.recipient: row.last_error
            for row in campaign_rows(first)
            if row.status is OutboxStatus.FAILED
        }
        assert "550" in failed["bounce@example.com"] and "552" in failed["big@example.com"]
        # Only the refused mailbox is suppressed; a message too large says nothing about it.
        assert db.session.scalars(select(SuppressedAddress.email)).all() == ["bounce@example.com"]
        # The server's answer is kept without the address it named: the registry declares
        # these texts as holding nobody's data, and an erasure does not look in them.
        (reason,) = db.session.scalars(select(SuppressedAddress.reason)).all()
        assert "Recipient address rejected" in failed["bounce@example.com"]
        for kept in (reason, *failed.values()):
            assert "@" not in kept, kept

        second = services.save_campaign(
            None, subject="Two", body="Two", language="en", author=staff
        )
        assert services.queue_campaign(second, staff) == 2
        assert sorted(r.recipient for r in campaign_rows(second)) == [
            "big@example.com",
            "fine@example.com",
        ]
        db.session.remove()
        db.engine.dispose()
    assert len(refusing_smtp.to("fine@example.com")) == 1


def test_the_send_rate_is_limited(app, staff, make_user, make_campaign, smtp):
    for index in range(6):
        make_user(f"slow{index}@example.com", marketing=True)
    services.queue_campaign(make_campaign(), staff)
    app.config["MAIL_RATE_PER_SECOND"] = 10
    started = time.monotonic()
    assert mail.deliver().sent == 6
    assert time.monotonic() - started >= 0.45  # 6 messages at 10/s: 5 gaps of 0.1 s


def test_one_smtp_connection_serves_a_whole_batch(
    app, staff, make_user, make_campaign, smtp, monkeypatch
):
    for index in range(5):
        make_user(f"batch{index}@example.com", marketing=True)
    services.queue_campaign(make_campaign(), staff)
    opened = []
    original = mail._SmtpConnection.configure_host

    def counting(self):
        opened.append(1)
        return original(self)

    monkeypatch.setattr(mail._SmtpConnection, "configure_host", counting)
    assert mail.deliver().sent == 5
    assert len(opened) == 1


def test_the_worker_drains_the_outbox_and_stops_when_idle(
    app, runner, staff, make_user, make_campaign, smtp
):
    for index in range(3):
        make_user(f"w{index}@example.com", marketing=True)
    services.queue_campaign(make_campaign(), staff)
    result = runner.invoke(args=["mail", "worker", "--exit-when-idle", "--interval", "0.1"])
    assert result.exit_code == 0, result.output
    assert "sent 3" in result.output
    assert len(smtp.messages) == 3


def test_flask_mail_send_drains_a_campaign_larger_than_one_batch(
    app, runner, staff, make_user, make_campaign, smtp
):
    app.config["MAIL_BATCH_SIZE"] = 4
    for index in range(10):
        make_user(f"d{index}@example.com", marketing=True)
    services.queue_campaign(make_campaign(), staff)
    result = runner.invoke(args=["mail", "send"])
    assert "sent 10, retrying 0, failed 0" in result.output
    assert len(smtp.messages) == 10


def test_a_draft_can_be_edited_before_it_is_sent(staff_client, make_campaign):
    campaign = make_campaign(subject="Draft one")
    edit_url = f"/admin/newsletters/{campaign.public_id}/edit"
    assert 'value="Draft one"' in staff_client.get(edit_url).text
    response = staff_client.submit(
        edit_url, {"subject": "Draft two", "body": "Changed.", "language": "ru"}
    )
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert (campaign.subject, campaign.body, campaign.language) == ("Draft two", "Changed.", "ru")
    assert staff_client.submit(edit_url, {"subject": "", "body": ""}).status_code == 200


def test_a_test_copy_of_the_longest_subject_allowed_keeps_it_whole(
    staff_client, staff, make_campaign, smtp
):
    subject = "Spring " + "s" * 293  # the form's limit: 300 characters
    campaign = make_campaign(subject=subject)
    assert staff_client.submit(f"/admin/newsletters/{campaign.public_id}/test").status_code == 302
    assert smtp.last_to("staff@example.com")["Subject"] == f"[Test] {subject}"
