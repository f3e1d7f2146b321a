"""Staff prove a consent without SQL: a person's consent history (opened with a reason that
the person then sees) and the acceptances of each policy version, filtered and as CSV."""

import csv
import html
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from school.database import utcnow
from school.extensions import db
from school.privacy.consent.ledger import current_policy, record_consent
from school.privacy.consent.models import (
    ConsentAction,
    ConsentPurpose,
    PolicyVersion,
)
from school.profile.models import StaffAccess


@pytest.fixture
def ledger(student, make_user):
    """The student gave marketing consent on a tablet and withdrew it; a second person
    consented under a newer policy version, on their parent's word."""
    first = current_policy()
    record_consent(user=student, purpose=ConsentPurpose.MARKETING, action=ConsentAction.GIVEN,
                   policy=first, method="sign-up form", language="en",
                   ip_address="198.51.100.23")  # fmt: skip
    record_consent(user=student, purpose=ConsentPurpose.MARKETING,
                   action=ConsentAction.WITHDRAWN, policy=first,
                   method="unsubscribe link", language="en")  # fmt: skip
    newer = PolicyVersion(version="2.0", effective_on=utcnow().date(), significant=True,
                          body_en="# New", body_ru="# Новая")  # fmt: skip
    db.session.add(newer)
    db.session.flush()
    other = make_user("minor@example.com", full_name="Mia Minor")
    record_consent(user=other, purpose=ConsentPurpose.PROCESSING, action=ConsentAction.GIVEN,
                   policy=newer, method="=cmd|' /C calc'!A0", language="ru",
                   given_on_behalf_by="Pat Parent <pat@example.org>")  # fmt: skip
    db.session.commit()
    return {"first": first, "newer": newer, "other": other}


def consent_page(staff_client, student, **data):
    url = f"/admin/students/{student.public_id}/consents"
    return staff_client.submit(url, {"reason": "support", "note": "", **data})


def test_a_persons_consent_history_shows_every_consent_given_and_withdrawn(
    ledger, staff_client, student
):
    page = html.unescape(consent_page(staff_client, student, note="proving a consent").text)
    for said in ("news and course offers by email: given",
                 "news and course offers by email: withdrawn",
                 "processing of your data to run your account and courses: given",
                 "sign-up form", "unsubscribe link", "198.51.100.23",
                 "Send me the school's news and course offers by email"):  # fmt: skip
        assert said in page, said
    assert ">1.0</a>" in page  # the version, linked to its text
    assert "Pat Parent" not in page  # another person's consent


def test_the_history_opens_only_with_a_reason_and_the_person_sees_the_look(
    ledger, staff_client, student, student_client, staff
):
    url = f"/admin/students/{student.public_id}/consents"
    asked = html.unescape(staff_client.get(url).text)
    assert "Why are you opening this consent history?" in asked
    assert "unsubscribe link" not in asked
    # The page asking for a reason shows only the person's name, and logs that much.
    (named,) = db.session.scalars(select(StaffAccess)).all()
    assert (named.page, named.reason) == ("profile_reason", "")

    consent_page(staff_client, student, note="proving a consent")
    looks = db.session.scalars(select(StaffAccess).order_by(StaffAccess.id)).all()
    look = looks[-1]
    assert len(looks) == 2
    assert (look.staff_id, look.subject_id, look.page, look.reason, look.note) == (
        staff.id, student.id, "consent_history", "support", "proving a consent",
    )  # fmt: skip
    mine = html.unescape(student_client.get("/profile/my-data").text)
    assert "Your consent history" in mine and "proving a consent" in mine


def test_the_staff_profile_page_leads_to_the_history_with_the_same_reason(
    ledger, staff_client, student
):
    profile = staff_client.submit(
        f"/admin/students/{student.public_id}", {"reason": "legal", "note": "authority asks"}
    ).text
    assert f'action="/admin/students/{student.public_id}/consents"' in profile
    assert 'name="reason" value="legal"' in profile
    assert 'name="note" value="authority asks"' in profile
    consent_page(staff_client, student, reason="legal", note="authority asks")
    reasons = db.session.scalars(select(StaffAccess.reason).order_by(StaffAccess.id)).all()
    assert reasons == ["legal", "legal"]


def test_students_and_visitors_cannot_read_the_ledger(ledger, student_client, client, student):
    for url in (f"/admin/students/{student.public_id}/consents",
                "/admin/policies/acceptances", "/admin/policies/acceptances.csv"):  # fmt: skip
        assert student_client.get(url).status_code == 403
        assert client.get(url).status_code == 302


def test_acceptances_by_version_with_filters(ledger, staff_client):
    page = html.unescape(staff_client.get("/admin/policies/acceptances").text)
    assert "Acceptances of each policy version" in page
    assert "2.0" in page and "1.0" in page

    newer = ledger["newer"].id
    only_newer = html.unescape(
        staff_client.get(f"/admin/policies/acceptances?version={newer}").text
    )
    assert "minor@example.com" in only_newer and "student@example.com" not in only_newer

    withdrawn = html.unescape(staff_client.get("/admin/policies/acceptances?action=withdrawn").text)
    assert "unsubscribe link" in withdrawn and "sign-up form" not in withdrawn

    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    none = html.unescape(staff_client.get(f"/admin/policies/acceptances?since={tomorrow}").text)
    assert "No consent matches." in none
    today = utcnow().date().isoformat()
    assert "unsubscribe link" in html.unescape(
        staff_client.get(f"/admin/policies/acceptances?since={today}&until={today}").text
    )
    # A malformed filter shows everything rather than failing.
    assert staff_client.get("/admin/policies/acceptances?version=x&since=never").status_code == 200


def test_the_acceptances_download_as_csv_with_the_same_filters(ledger, staff_client):
    response = staff_client.get("/admin/policies/acceptances.csv?purpose=marketing")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["action"], r["method"], r["policy_version"]) for r in rows] == [
        ("withdrawn", "unsubscribe link", "1.0"),
        ("given", "sign-up form", "1.0"),
    ]
    assert date.fromisoformat(rows[0]["created_at"][:10]) == utcnow().date()


def test_the_csv_cannot_run_as_a_spreadsheet_formula(ledger, staff_client):
    newer = ledger["newer"].id
    rows = list(csv.DictReader(io.StringIO(
        staff_client.get(f"/admin/policies/acceptances.csv?version={newer}").text
    )))  # fmt: skip
    (row,) = [r for r in rows if r["given_on_behalf_by"]]
    assert row["method"] == "'=cmd|' /C calc'!A0"
    assert row["given_on_behalf_by"] == "Pat Parent <pat@example.org>"
    assert row["email"] == "minor@example.com"


def test_the_report_page_links_the_download_with_its_filters(ledger, staff_client):
    page = staff_client.get("/admin/policies/acceptances?action=given&purpose=marketing").text
    assert "/admin/policies/acceptances.csv?" in page
    link = html.unescape(page.split('href="/admin/policies/acceptances.csv?', 1)[1].split('"')[0])
    assert sorted(link.split("&")) == ["action=given", "purpose=marketing"]
