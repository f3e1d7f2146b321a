"""The registers staff keep: processors and transfers, authority inquiries, breaches."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from school.compliance import services
from school.compliance.models import AuthorityInquiry, Breach, Processor
from school.extensions import db


def test_staff_add_a_processor_and_the_policy_page_lists_it(staff_client, client):
    response = staff_client.submit(
        "/admin/registers/processors/new",
        {
            "name": "CloudMail",
            "service": "Sends our email",
            "data_categories": "email address",
            "country": "de",
            "transfer_ground": "Standard contractual clauses",
            "active": "y",
        },
    )
    assert response.status_code == 302
    processor = db.session.scalar(select(Processor))
    assert processor.country == "DE"
    policy = client.get("/privacy").text
    assert "CloudMail" in policy
    assert "cross-border transfer" in policy
    assert "Standard contractual clauses" in policy


def test_an_invalid_country_code_is_refused(staff_client):
    response = staff_client.submit(
        "/admin/registers/processors/new",
        {"name": "X", "service": "Y", "data_categories": "Z", "country": "Germany"},
    )
    assert "Use a two-letter country code" in response.text
    assert db.session.scalar(select(Processor)) is None


def test_a_processor_no_longer_used_leaves_the_public_list(staff_client, client, app):
    processor = services.save_processor(
        None, name="OldHost", service="hosting", data_categories="all", country="BY"
    )
    assert "OldHost" in client.get("/privacy").text
    staff_client.submit(
        f"/admin/registers/processors/{processor.id}",
        {"name": "OldHost", "service": "hosting", "data_categories": "all", "country": "BY"},
    )
    assert "OldHost" not in client.get("/privacy").text


def test_an_authority_inquiry_is_due_in_ten_days_and_shows_when_overdue(staff_client, staff):
    staff_client.submit(
        "/admin/registers/inquiries/new",
        {
            "authority": "NPDPC",
            "reference": "42",
            "subject": "Your processing of X",
            "received_on": "2026-03-02",
        },
    )
    inquiry = db.session.scalar(select(AuthorityInquiry))
    assert inquiry.due_on == date(2026, 3, 12)
    assert services.deadlines(today=date(2026, 3, 13)).inquiries_overdue == 1
    assert "overdue" in staff_client.get("/admin/registers/").text

    staff_client.submit(
        f"/admin/registers/inquiries/{inquiry.id}",
        {"answered_on": "2026-03-10", "answer_summary": "Sent the processing records."},
    )
    assert services.deadlines(today=date(2026, 3, 13)).inquiries_overdue == 0


def test_breach_deadline_is_three_working_days_in_belarus(app):
    friday = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)
    # Monday 9 March 2026 is a working day; 8 March (Sunday) is a holiday anyway.
    assert services.breach_authority_deadline(friday).date() == date(2026, 3, 11)


def test_breach_deadline_is_72_hours_under_gdpr(make_app, smtp):
    app = make_app(PRIVACY_JURISDICTION="EU")
    with app.app_context():
        found = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)
        assert services.breach_authority_deadline(found) == datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def test_recording_and_reporting_a_breach(staff_client):
    response = staff_client.submit(
        "/admin/registers/breaches/new",
        {
            "discovered_at": "2026-03-06T10:00",
            "description": "A laptop with an export was lost",
            "data_categories": "names, emails",
            "people_affected": "12",
        },
    )
    assert response.status_code == 302
    breach = db.session.scalar(select(Breach))
    assert breach.authority_notified_at is None
    assert services.deadlines().breaches_overdue == 1  # 2026-03-11 has passed

    staff_client.submit(f"/admin/registers/breaches/{breach.id}", {"authority": "x"})
    db.session.refresh(breach)
    assert breach.authority_notified_at is not None
    assert services.deadlines().breaches_unreported == 0


def test_staff_home_shows_the_register_deadlines(staff_client):
    page = staff_client.get("/admin/").text
    assert "Authority inquiries open" in page
    assert "Breaches not yet reported" in page
