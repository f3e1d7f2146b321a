"""Staff see every incoming message, what was checked and what it led to; nobody else does."""

from __future__ import annotations

from school.accounts.models import Role
from school.extensions import db
from school.intake.services import ingest
from tests.conftest import PASSWORD
from tests.intake.conftest import MALFORMED_SAMPLE, build


def test_only_staff_see_the_intake(app, client, student_client):
    row = ingest(build(sender="someone@example.org"), source="pipe").message
    for url in ("/admin/intake/", f"/admin/intake/{row.public_id}"):
        assert client.get(url).status_code == 302
        assert student_client.get(url).status_code == 403


def test_the_list_shows_outcomes_reasons_and_requests(app, staff_client):
    ingest(build("Personal Data Update", sender="someone@example.org"), source="pipe")
    ingest(build("Re: away", headers={"X-Autoreply": "yes"}), source="pipe")
    ingest(MALFORMED_SAMPLE, source="pipe")
    page = staff_client.get("/admin/intake/")
    assert page.status_code == 200
    for text in ("request", "ignored", "quarantined", "unknown charset", "awaiting_confirmation"):
        assert text in page.text
    quarantined = staff_client.get("/admin/intake/?outcome=quarantined")
    assert "unknown charset" in quarantined.text
    assert "awaiting_confirmation" not in quarantined.text


def test_the_message_page_shows_raw_text_escaped_checks_and_request(make_app, smtp, make_user):
    app = make_app(INTAKE_AUTHSERV_ID="mx.lingua.example")
    with app.app_context():
        staff = make_user("boss@example.com", role=Role.STAFF)
        raw = build(
            "Personal Data Update",
            sender="someone@example.org",
            body="Phone: +375 29 000 00 00\n<script>alert('x')</script>",
            headers={"Authentication-Results": "mx.lingua.example; dkim=fail; dmarc=fail"},
        )
        row = ingest(raw, source="pipe").message
        client = app.test_client()
        client.submit("/login", {"email": staff.email, "password": PASSWORD})
        page = client.get(f"/admin/intake/{row.public_id}")
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert" in page.text
        assert "Authentication-Results: mx.lingua.example" in page.text
        assert page.text.count("badge-failed") == 2  # DKIM and DMARC failures stand out
        assert "+375 29 000 00 00" in page.text  # the requested change, for the correction flow
        assert "awaiting_confirmation" in page.text
        assert client.get("/admin/intake/no-such-message").status_code == 404
        db.session.remove()
        db.engine.dispose()
