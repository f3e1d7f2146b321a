"""`flask privacy retention`: every period the registry declares is kept, by a rule keyed to
it, and only what is past that period goes.

The scenarios below are keyed by retention: the parametrised test is made from the registry,
so a new declaration with a period fails until it has a rule and a scenario here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from school.accounts.models import EmailChange, SignInSession
from school.analytics.models import PageView
from school.database import utcnow
from school.enrollment.models import Enrollment, EnrollmentStatus, PaymentStatus
from school.extensions import db
from school.intake.models import IntakeMessage, IntakeOutcome
from school.intake.services import intake_dir
from school.mail.models import OutboxMessage, OutboxStatus, SuppressedAddress
from school.mail.services import SPOOL_STAMP
from school.newsletter.models import Campaign, Subscriber
from school.privacy.consent.models import ConsentAction, ConsentPurpose, ConsentRecord
from school.privacy.data import registry, retention, stores
from school.privacy.data.export import export_dir
from school.privacy.data.models import RetentionRun
from school.privacy.requests.models import (
    PrivacyRequest,
    RequestChannel,
    RequestEvent,
    RequestStatus,
    RequestType,
)
from school.profile.models import StaffAccess
from school.rate_limits import RateLimitCounter
from tests.conftest import PASSWORD


def declared_periods() -> dict[str, registry.Retention]:
    """Every retention with a period, of a column or of a store beyond the database."""
    declared = [entry.retention for entry in registry.fields()]
    declared += [store.retention for store in stores.STORES.values()]
    return {retained.key: retained for retained in declared if retained.has_period}


@dataclass
class Moments:
    """Just past the period in force, and just within it."""

    old: datetime
    young: datetime


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


# --- one scenario per retention: make old and young data, return the check -------------------


def security(at: Moments, make_user):
    idle = make_user("idle@example.com")
    idle.last_login_at, idle.last_login_ip, idle.login_count = at.old, "203.0.113.9", 12
    recent = make_user("recent@example.com")
    recent.last_login_at, recent.last_login_ip, recent.login_count = at.young, "203.0.113.10", 3

    def check():
        assert (idle.last_login_at, idle.last_login_ip, idle.login_count) == (None, None, 0)
        assert (recent.last_login_ip, recent.login_count) == ("203.0.113.10", 3)

    return check


def ledger_row(at: datetime, *, action=ConsentAction.GIVEN, purpose=ConsentPurpose.MARKETING,
               user=None, email=None) -> ConsentRecord:  # fmt: skip
    row = ConsentRecord(
        user_id=user.id if user else None, email=email, purpose=purpose, action=action,
        wording="w", language="en", method="test", created_at=at,
    )  # fmt: skip
    db.session.add(row)
    return row


def consent_evidence(at: Moments, make_user, make_course):
    # A visitor who subscribed and unsubscribed long ago: both rows go.
    given_long_ago = ledger_row(at.old - timedelta(days=10), email="gone@example.com")
    withdrawn_long_ago = ledger_row(
        at.old, email="gone@example.com", action=ConsentAction.WITHDRAWN
    )
    # A visitor who withdrew lately: the proof stays.
    given_lately = ledger_row(at.old - timedelta(days=10), email="lately@example.com")
    withdrawn_lately = ledger_row(
        at.young, email="lately@example.com", action=ConsentAction.WITHDRAWN
    )
    # A consent that still stands, however old, stays.
    standing = ledger_row(at.old - timedelta(days=400), email="stands@example.com")
    # An account erased long ago loses its ledger and guardian; one erased lately keeps them.
    erased_long_ago = make_user("erased-old@example.com")
    erased_long_ago.erased_at = at.old
    erased_long_ago.guardian_name, erased_long_ago.guardian_consent_at = "Parent", at.old
    erased_lately = make_user("erased-new@example.com")
    erased_lately.erased_at = at.young
    erased_lately.guardian_name = "Parent"
    db.session.flush()
    of_erased_long_ago = ledger_row(at.old, user=erased_long_ago)
    of_erased_lately = ledger_row(at.old, user=erased_lately)
    # The offers they accepted: the wording goes with the rest of the proof.
    agreed_long_ago = enrolment(erased_long_ago, make_course(), at.old, "PAY-A")
    agreed_lately = enrolment(erased_lately, make_course(), at.old, "PAY-B")
    agreed_long_ago.contract_wording = agreed_lately.contract_wording = "The offer, in full."
    db.session.flush()
    gone = {row.id for row in (given_long_ago, withdrawn_long_ago, of_erased_long_ago)}
    kept = {row.id for row in (given_lately, withdrawn_lately, standing, of_erased_lately)}

    def check():
        left = set(db.session.scalars(select(ConsentRecord.id)))
        assert not gone & left
        assert kept <= left
        assert erased_long_ago.guardian_name is None and erased_long_ago.guardian_consent_at is None
        assert erased_lately.guardian_name == "Parent"
        assert agreed_long_ago.contract_wording == ""
        assert agreed_lately.contract_wording == "The offer, in full."

    return check


def outbox_row(recipient, created_at, *, campaign_id=None, status=OutboxStatus.SENT):
    row = OutboxMessage(
        recipient=recipient, subject="s", text_body="body of " + recipient, html_body="",
        headers={}, template="t", message_id=f"<{recipient}@x>", status=status,
        created_at=created_at, campaign_id=campaign_id,
    )  # fmt: skip
    db.session.add(row)
    return row


def spooled(app, sent: datetime, number: int) -> Path:
    folder = Path(app.config["MAIL_SPOOL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sent.strftime(SPOOL_STAMP)}-{number:08d}.eml"
    path.write_bytes(b"To: someone@example.com\r\n\r\nhello\r\n")
    return path


def mail_log(at: Moments, app):
    outbox_row("old@example.com", at.old)
    outbox_row("new@example.com", at.young)
    outbox_row("queued@example.com", at.old, status=OutboxStatus.QUEUED)
    old_copy, young_copy = spooled(app, at.old, 1), spooled(app, at.young, 2)

    def check():
        recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
        assert recipients == {"new@example.com", "queued@example.com"}
        assert not old_copy.exists() and young_copy.exists()

    return check


def analytics(at: Moments):
    for visit, moment in (("old", at.old), ("young", at.young)):
        db.session.add(PageView(visit_id=visit, at=moment, path="/", browser="Firefox",
                                os="Linux", language="en", ip_prefix="203.0.113.0"))  # fmt: skip

    def check():
        assert list(db.session.scalars(select(PageView.visit_id))) == ["young"]

    return check


def closed_request(email: str, closed_at: datetime, *, status=RequestStatus.COMPLETED):
    request = PrivacyRequest(
        public_id=secrets.token_hex(8), type=RequestType.ACCESS, status=status,
        channel=RequestChannel.EMAIL, subject_email=email,
        received_at=closed_at - timedelta(days=5),
    )  # fmt: skip
    request.events.append(
        RequestEvent(actor_role="system", to_status=RequestStatus.RECEIVED,
                     at=closed_at - timedelta(days=5))
    )  # fmt: skip
    request.events.append(RequestEvent(actor_role="staff", to_status=status, at=closed_at))
    db.session.add(request)
    db.session.flush()
    return request


def emailed(request, received_at: datetime) -> tuple[IntakeMessage, Path]:
    public_id = secrets.token_hex(8)
    relative = f"raw/{received_at:%Y-%m}/{public_id}.eml"
    path = intake_dir() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"From: someone@example.com\r\n\r\nexport my data\r\n")
    message = IntakeMessage(
        public_id=public_id, dedupe_key=public_id, from_address="someone@example.com",
        received_at=received_at, source="pipe", outcome=IntakeOutcome.REQUEST, sha256="0" * 64,
        raw_path=relative, request_id=request.id if request is not None else None,
    )  # fmt: skip
    db.session.add(message)
    return message, path


def request_evidence(at: Moments):
    long_closed = closed_request("old@example.com", at.old)
    lately_closed = closed_request("new@example.com", at.young)
    still_open = closed_request("open@example.com", at.old, status=RequestStatus.APPROVED)
    _, long_closed_file = emailed(long_closed, at.old - timedelta(days=5))
    _, lately_closed_file = emailed(lately_closed, at.old)  # received long ago, closed lately
    _, ignored_long_ago = emailed(None, at.old)
    _, ignored_lately = emailed(None, at.young)
    ids = long_closed.id, lately_closed.id, still_open.id

    def check():
        left = set(db.session.scalars(select(PrivacyRequest.id)))
        assert left == {ids[1], ids[2]}
        assert count(RequestEvent, RequestEvent.request_id == ids[0]) == 0
        assert count(IntakeMessage) == 2
        assert not long_closed_file.exists() and not ignored_long_ago.exists()
        assert lately_closed_file.exists() and ignored_lately.exists()

    return check


def enrolment(user, course, ended_at: datetime, reference: str) -> Enrollment:
    row = Enrollment(
        user_id=user.id, course_id=course.id, status=EnrollmentStatus.COMPLETED,
        requested_at=ended_at - timedelta(days=90), completed_at=ended_at,
        payment_reference=reference, payment_status=PaymentStatus.PAID,
    )  # fmt: skip
    db.session.add(row)
    return row


def accounting(at: Moments, make_user, make_course):
    student = make_user("payer@example.com")
    old = enrolment(student, make_course(), at.old, "PAY-OLD")
    young = enrolment(student, make_course(), at.young, "PAY-NEW")
    open_place = Enrollment(
        user_id=student.id, course_id=make_course().id, status=EnrollmentStatus.ACTIVE,
        requested_at=at.old, payment_reference="PAY-OPEN", payment_status=PaymentStatus.PAID,
    )  # fmt: skip
    db.session.add(open_place)

    def check():
        assert (old.payment_reference, old.payment_status) == ("", PaymentStatus.NOT_KEPT)
        assert (young.payment_reference, young.payment_status) == ("PAY-NEW", PaymentStatus.PAID)
        assert open_place.payment_reference == "PAY-OPEN"

    return check


def access_log(at: Moments, make_user):
    staff, student = make_user("looker@example.com"), make_user("looked@example.com")
    for moment, reason in ((at.old, "old"), (at.young, "young")):
        db.session.add(StaffAccess(staff_id=staff.id, subject_id=student.id, page="profile",
                                   reason=reason, at=moment))  # fmt: skip

    def check():
        assert list(db.session.scalars(select(StaffAccess.reason))) == ["young"]

    return check


def newsletter_subscription(at: Moments):
    rows = {
        "unconfirmed-old@example.com": Subscriber(created_at=at.old),
        "unconfirmed-new@example.com": Subscriber(created_at=at.young),
        "left-old@example.com": Subscriber(created_at=at.old, confirmed_at=at.old,
                                           unsubscribed_at=at.old),
        "left-new@example.com": Subscriber(created_at=at.old, confirmed_at=at.old,
                                           unsubscribed_at=at.young),
        "reader@example.com": Subscriber(created_at=at.old, confirmed_at=at.old),
    }  # fmt: skip
    for address, row in rows.items():
        row.email = address
        db.session.add(row)

    def check():
        left = set(db.session.scalars(select(Subscriber.email)))
        assert "unconfirmed-old@example.com" not in left
        assert {"unconfirmed-new@example.com", "left-new@example.com", "reader@example.com"} <= left
        assert "left-old@example.com" not in left
        assert rows["left-old@example.com"].email.startswith("fp:")

    return check


def sign_in(at: Moments, make_user):
    user = make_user("devices@example.com")
    idle = SignInSession(user_id=user.id, created_at=at.old, last_seen_at=at.old)
    used = SignInSession(user_id=user.id, created_at=at.old, last_seen_at=at.young)
    db.session.add_all([idle, used])
    db.session.flush()
    ids = idle.id, used.id

    def check():
        assert set(db.session.scalars(select(SignInSession.id))) == {ids[1]}

    return check


def rate_limit(at: Moments):
    db.session.add_all([
        RateLimitCounter(key="ended-long-ago", count=3, expires_at=at.old.timestamp()),
        RateLimitCounter(key="ended-lately", count=3, expires_at=at.young.timestamp()),
    ])  # fmt: skip

    def check():
        assert list(db.session.scalars(select(RateLimitCounter.key))) == ["ended-lately"]

    return check


def email_change(at: Moments, make_user):
    user = make_user("mover@example.com")
    db.session.add_all([
        EmailChange(user_id=user.id, new_email="stale@example.com", requested_at=at.old),
        EmailChange(user_id=user.id, new_email="fresh@example.com", requested_at=at.young),
    ])  # fmt: skip

    def check():
        assert list(db.session.scalars(select(EmailChange.new_email))) == ["fresh@example.com"]

    return check


def mail_suppression(at: Moments):
    db.session.add_all([
        SuppressedAddress(email="bounced-long-ago@example.com", reason="550", created_at=at.old),
        SuppressedAddress(email="bounced-lately@example.com", reason="550", created_at=at.young),
    ])  # fmt: skip

    def check():
        assert list(db.session.scalars(select(SuppressedAddress.email))) == [
            "bounced-lately@example.com"
        ]

    return check


def ready_export(at: datetime, name: str) -> PrivacyRequest:
    path = export_dir() / name
    path.write_bytes(b"PK archive")
    request = PrivacyRequest(
        public_id=secrets.token_hex(8), type=RequestType.EXPORT, status=RequestStatus.COMPLETED,
        channel=RequestChannel.WEB, subject_email="exporter@example.com", received_at=at,
        completed_at=at, outcome={"export_file": name},
    )  # fmt: skip
    db.session.add(request)
    return request


def export_link(at: Moments):
    old = ready_export(at.old, "old-export.zip")
    young = ready_export(at.young, "young-export.zip")

    def check():
        assert old.status is RequestStatus.EXPIRED and old.outcome["export_file"] is None
        assert not (export_dir() / "old-export.zip").exists()
        assert young.status is RequestStatus.COMPLETED
        assert (export_dir() / "young-export.zip").exists()

    return check


SCENARIOS = {
    "security": security,
    "consent_evidence": consent_evidence,
    "mail_log": mail_log,
    "analytics": analytics,
    "request_evidence": request_evidence,
    "accounting": accounting,
    "access_log": access_log,
    "newsletter_subscription": newsletter_subscription,
    "sign_in": sign_in,
    "rate_limit": rate_limit,
    "email_change": email_change,
    "mail_suppression": mail_suppression,
    "export_link": export_link,
}


def test_every_declared_period_has_a_rule_and_a_scenario(app):
    """A retention declared with a period and carried out by no rule fails here."""
    ruled = {rule.retention.key for rule in retention.rules()}
    assert set(declared_periods()) == ruled
    assert set(SCENARIOS) == ruled


def declared_places() -> set[tuple[str, str]]:
    """(retention, table or store) for every value declared with a period."""
    places = {(e.retention.key, e.table) for e in registry.fields() if e.retention.has_period}
    places |= {
        (store.retention.key, store.key)
        for store in stores.STORES.values()
        if store.retention.has_period
    }
    return places


def test_every_table_and_store_with_a_period_has_a_rule_for_it(app):
    """A new column or store declared with a period fails here until a rule covers its table
    (or store) for that period, even when the period has rules for other tables."""
    covered = {(rule.retention.key, place) for rule in retention.rules() for place in rule.covers}
    assert declared_places() - covered == set()
    assert covered - declared_places() == set(), "a rule covers what the registry does not hold"


def test_retentions_without_a_period_are_left_to_erasure_or_closure(app):
    without = {e.retention.key for e in registry.fields() if not e.retention.has_period}
    assert {"account", "studies", "course_listing"} <= without
    with pytest.raises(ValueError, match="no period"):
        retention.register_rule(
            registry.WHILE_ACCOUNT_EXISTS,
            "x",
            "x",
            covers=("user",),
            count=lambda c: 0,
            apply=lambda c: 0,
        )


@pytest.mark.parametrize("key", sorted(declared_periods()))
def test_only_what_is_past_its_period_goes(key, app, runner, make_user, make_course):
    retained = declared_periods()[key]
    cutoff = utcnow() - timedelta(days=registry.retention_days(retained))
    at = Moments(old=cutoff - timedelta(hours=2), young=cutoff + timedelta(hours=2))
    scenario = SCENARIOS[key]
    needs = scenario.__code__.co_varnames[: scenario.__code__.co_argcount]
    fixtures = {"app": app, "make_user": make_user, "make_course": make_course}
    check = scenario(at, *(fixtures[name] for name in needs[1:]))
    db.session.commit()
    planned = {p.rule.key: p.count for p in retention.plan() if p.rule.retention is retained}
    assert all(planned.values()), planned  # the dry run sees what is past its period

    result = runner.invoke(args=["privacy", "retention"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    check()
    again = retention.plan()
    assert [p.count for p in again if p.rule.retention is retained] == [0] * len(planned)


def test_a_setting_overrides_a_declared_period_everywhere(app, runner, client):
    """RETENTION_DAYS shortens the statistics' 180 days: the rule and the public page follow."""
    app.config["RETENTION_DAYS"] = {"analytics": 30}
    analytics(Moments(old=utcnow() - timedelta(days=31), young=utcnow() - timedelta(days=29)))
    db.session.commit()
    runner.invoke(args=["privacy", "retention"])
    assert list(db.session.scalars(select(PageView.visit_id))) == ["young"]
    page = client.get("/privacy/data").text
    assert "30 days from the visit, then deleted" in page
    assert "180 days" not in page
    with force_locale("ru"):
        assert (
            registry.ANALYTICS_RETENTION.described == "30 дней с момента посещения, затем удаляются"
        )


def test_the_centre_promises_the_export_link_period_in_force(student_client, student, make_app):
    """The export link's lifetime is the registry's, overridden or not, in each language."""
    assert "The download link works for 7 days." in student_client.get("/privacy/centre").text
    shorter = make_app(RETENTION_DAYS={"export_link": 3}).test_client()
    shorter.submit("/login", {"email": student.email, "password": PASSWORD})
    page = shorter.get("/privacy/centre").text
    assert "The download link works for 3 days." in page and "7 days" not in page
    shorter.submit("/language", {"lang-language": "ru"}, csrf_field="lang-csrf_token")
    assert "Ссылка для скачивания действует 3 дня." in shorter.get("/privacy/centre").text


# --- the dry run, the record of a run and the staff home ---------------------------------------


def test_the_dry_run_lists_each_rule_and_changes_nothing(app, runner, make_user):
    old = utcnow() - timedelta(days=200)
    analytics(Moments(old=old, young=utcnow()))
    outbox_row("old@example.com", old)
    db.session.commit()
    before = (count(PageView), count(OutboxMessage))

    result = runner.invoke(args=["privacy", "retention", "--dry-run"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "page views of the visit statistics, deleted: 1 would go" in result.output
    assert "sent mail emptied or deleted: 1 would go" in result.output
    for rule in retention.rules():
        assert any(line.startswith(f"{rule.description}: ") for line in lines), rule.key
    assert "requests never confirmed, expired: not counted in a dry run" in result.output
    assert lines[-1] == "Dry run: nothing was changed."
    db.session.expire_all()
    assert (count(PageView), count(OutboxMessage)) == before
    assert count(RetentionRun) == 0


def test_a_newsletter_keeps_its_rows_but_only_their_state(app, runner, staff):
    campaign = Campaign(subject="News", body="x", language="en", created_by_id=staff.id)
    db.session.add(campaign)
    db.session.flush()
    old = utcnow() - timedelta(days=100)
    outbox_row("reader1@example.com", old, campaign_id=campaign.id)
    outbox_row("reader2@example.com", old, campaign_id=campaign.id)
    db.session.commit()
    result = runner.invoke(args=["privacy", "retention"])
    assert "sent mail emptied or deleted: 2" in result.output
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert not {"reader1@example.com", "reader2@example.com"} & recipients
    assert count(OutboxMessage, OutboxMessage.campaign_id == campaign.id) == 2
    again = runner.invoke(args=["privacy", "retention"])
    assert "sent mail emptied or deleted: 0" in again.output


def test_a_run_is_recorded_and_shown_on_the_staff_home(app, runner, staff, staff_client):
    home = staff_client.get("/admin/").text
    assert "Retention has not run yet" in home
    analytics(Moments(old=utcnow() - timedelta(days=200), young=utcnow()))
    db.session.commit()

    runner.invoke(args=["privacy", "retention"])

    run = db.session.scalar(select(RetentionRun))
    lines = {line["rule"]: line["removed"] for line in run.removed}
    assert lines["analytics.page_views"] == 1
    assert set(lines) >= {rule.key for rule in retention.rules()}
    home = staff_client.get("/admin/").text
    assert "Retention last ran on" in home
    assert '<th scope="row">page views of the visit statistics, deleted</th><td>1</td>' in home
    staff.locale = "ru"
    db.session.commit()
    home_ru = staff_client.get("/admin/").text
    assert "Удаление по срокам хранения последний раз выполнялось" in home_ru
    assert "просмотры страниц в статистике посещений удалены</th><td>1</td>" in home_ru
