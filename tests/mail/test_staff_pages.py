"""Staff read the outbox and the local mail spool."""

from markupsafe import escape
from sqlalchemy import select

from school.extensions import db
from school.mail.models import OutboxMessage, OutboxStatus
from tests.conftest import AuthActions


def test_staff_see_the_outbox_with_status(staff_client, client, smtp, make_user):
    make_user("reader@example.com")
    client.submit("/forgot-password", {"email": "reader@example.com"})
    page = staff_client.get("/admin/mail")
    assert page.status_code == 200
    assert "reader@example.com" in page.text
    assert "Reset your password" in page.text

    message = db.session.scalar(select(OutboxMessage))
    detail = staff_client.get(f"/admin/mail/{message.id}")
    assert str(escape(message.message_id)) in detail.text
    assert "/reset-password/" in detail.text


def test_staff_can_requeue_a_failed_message(staff_client, smtp):
    from school.mail.services import queue_email, take_committed_ids

    row = queue_email(
        "x@example.com",
        locale="en",
        subject="Hello",
        template="accounts/address_taken",
        reset_link="http://school.test/",
    )
    row.status = OutboxStatus.FAILED
    db.session.commit()
    take_committed_ids()
    response = staff_client.submit(f"/admin/mail/{row.id}/requeue")
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.status is OutboxStatus.QUEUED


def test_staff_read_the_spool_when_no_server_is_set(make_app, smtp):
    app = make_app(MAIL_SERVER="")
    with app.app_context():
        from school.accounts.models import Role
        from school.accounts.services import create_staff

        staff = create_staff("Staff", "staff@example.com", "a long admin password")
        assert staff.role is Role.STAFF
        db.engine.dispose()
    visitor = app.test_client()
    visitor.submit("/forgot-password", {"email": "staff@example.com"})

    client = app.test_client()
    AuthActions(client).login("staff@example.com", "a long admin password")
    listing = client.get("/admin/mail/spool")
    assert listing.status_code == 200
    names = [line for line in listing.text.split('"') if line.endswith(".eml")]
    assert names, listing.text
    message = client.get(f"/admin/mail/spool/{names[0].rsplit('/', 1)[-1]}")
    assert message.status_code == 200
    assert "Reset your password" in message.text
    assert "/reset-password/" in message.text


def test_spool_file_names_cannot_escape_the_spool(staff_client):
    assert staff_client.get("/admin/mail/spool/..%2Fsecret_key").status_code == 404
    assert staff_client.get("/admin/mail/spool/secret_key").status_code == 404
