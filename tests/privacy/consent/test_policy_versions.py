"""Staff publish privacy-policy versions; a significant change is announced by email and
must be accepted again, a minor one is simply published."""

from datetime import timedelta

from sqlalchemy import func, select

from school.accounts.models import Role
from school.database import utcnow
from school.extensions import db
from school.mail.models import OutboxMessage
from school.privacy.consent import policies
from school.privacy.consent.ledger import standing_consent
from school.privacy.consent.models import (
    ConsentAction,
    ConsentPurpose,
    ConsentRecord,
    PolicyVersion,
)
from tests.conftest import AuthActions, html_of, link_in, path_of, text_of

BANNER = "policy-banner-heading"
NEW_BODY_EN = "# Privacy policy\n\nWe keep your lessons for three years.\n\nA brand new rule.\n"


def publication(**changes):
    today = utcnow().date()
    data = {
        "version": "1.1",
        "effective_on": today.isoformat(),
        "significant": "yes",
        "summary_en": "We now keep lesson recordings.",
        "summary_ru": "Теперь мы храним записи уроков.",
        "body_en": NEW_BODY_EN,
        "body_ru": "# Политика\n\nНовый текст.\n",
        "publish": "Publish this version",
    }
    data.update(changes)
    return data


def draft(**changes) -> policies.PolicyDraft:
    values = publication(**changes)
    return policies.PolicyDraft(
        version=values["version"],
        effective_on=values["effective_on"]
        if not isinstance(values["effective_on"], str)
        else utcnow().date(),
        significant=values["significant"] == "yes",
        body_en=values["body_en"],
        body_ru=values["body_ru"],
        summary_en=values["summary_en"],
        summary_ru=values["summary_ru"],
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_staff_see_versions_and_the_form_starts_from_the_text_in_force(staff_client):
    listing = staff_client.get("/admin/policies/")
    assert listing.status_code == 200
    assert "1.0" in listing.text
    form = staff_client.get("/admin/policies/new")
    assert form.status_code == 200
    assert "This policy explains, in plain words" in form.text
    assert "Publish this version" not in form.text  # only after a preview


def test_preview_renders_the_markdown_without_publishing(staff_client):
    response = staff_client.submit(
        "/admin/policies/new", publication(publish="", preview="Preview")
    )
    assert response.status_code == 200
    assert "<h1>Privacy policy</h1>" in response.text
    assert "Publish this version" in response.text
    assert policies.policy_by_version("1.1") is None


def test_students_are_refused_the_staff_pages(student_client):
    assert student_client.get("/admin/policies/").status_code == 403
    assert student_client.get("/admin/policies/new").status_code == 403
    assert student_client.submit("/admin/policies/new", publication()).status_code == 403
    assert policies.policy_by_version("1.1") is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/admin/policies/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_significant_change_emails_every_active_user_and_asks_for_acceptance(
    app, staff_client, student, make_user, smtp
):
    russian = make_user("ru@example.com", locale="ru", full_name="Ира")
    restricted = make_user("restricted@example.com")
    restricted.restricted_at = utcnow()
    erased = make_user("erased@example.com")
    erased.erased_at = utcnow()
    make_user("unconfirmed@example.com", confirmed=False)
    db.session.commit()

    response = staff_client.submit("/admin/policies/new", publication())
    assert response.status_code == 302

    policy = policies.policy_by_version("1.1")
    assert policy.significant and policy.published_by_id is not None
    for address in (student.email, russian.email, restricted.email, "staff@example.com"):
        assert len(smtp.to(address)) == 1, address
    assert smtp.to("erased@example.com") == []
    assert smtp.to("unconfirmed@example.com") == []

    message = smtp.last_to(student.email)
    assert message["Subject"] == "Our privacy policy is changing"
    assert "We now keep lesson recordings." in text_of(message)
    assert path_of(link_in(message, "/privacy/accept")) == "/privacy/accept"
    assert "http://school.test/privacy" in text_of(message)
    assert 'href="http://school.test/privacy/accept"' in html_of(message)
    assert "Теперь мы храним записи уроков." in text_of(smtp.last_to(russian.email))

    client = app.test_client()
    AuthActions(client).login(student.email)
    assert BANNER in client.get("/courses").text
    assert BANNER in client.get("/privacy").text
    page = client.get("/privacy/accept")
    assert "We now keep lesson recordings." in page.text
    assert "A brand new rule." in page.text
    assert BANNER not in page.text

    accepted = client.submit("/privacy/accept", {})
    assert accepted.status_code == 302
    assert BANNER not in client.get("/courses").text

    db.session.expire_all()
    consent = standing_consent(student, ConsentPurpose.PROCESSING)
    assert consent.action is ConsentAction.GIVEN
    assert consent.policy_version_id == policy.id
    assert consent.method == "re-acceptance after significant change"
    assert consent.ip_address == "127.0.0.1"


def test_a_new_user_who_signed_up_under_the_new_version_sees_no_banner(app, make_user):
    policies.publish_policy(draft())
    newcomer = make_user("new@example.com")  # consents to the version in force: 1.1
    client = app.test_client()
    AuthActions(client).login(newcomer.email)
    assert BANNER not in client.get("/courses").text


def test_minor_change_has_no_banner_no_email_and_nothing_to_accept(
    app, staff_client, student, smtp
):
    response = staff_client.submit("/admin/policies/new", publication(significant="no"))
    assert response.status_code == 302
    assert policies.policy_by_version("1.1").significant is False
    assert smtp.messages == []
    assert count(OutboxMessage) == 0

    client = app.test_client()
    AuthActions(client).login(student.email)
    assert BANNER not in client.get("/courses").text
    assert "There is nothing for you to accept at the moment." in client.get("/privacy/accept").text
    rows_before = count(ConsentRecord)
    client.submit("/privacy/accept", {})
    assert count(ConsentRecord) == rows_before


def test_future_significant_change_emails_now_and_asks_only_from_its_date(
    app, staff_client, student, smtp
):
    future = utcnow().date() + timedelta(days=30)
    response = staff_client.submit(
        "/admin/policies/new", publication(effective_on=future.isoformat())
    )
    assert response.status_code == 302
    message = smtp.last_to(student.email)
    assert "takes effect on" in text_of(message)

    client = app.test_client()
    AuthActions(client).login(student.email)
    assert BANNER not in client.get("/courses").text
    assert policies.version_needing_acceptance(student) is None
    pending = policies.version_needing_acceptance(student, today=future)
    assert pending is not None and pending.version == "1.1"


def test_a_significant_version_already_in_force_brings_the_banner(app, student, smtp):
    last_week = utcnow().date() - timedelta(days=7)
    policies.publish_policy(draft(effective_on=last_week), today=last_week - timedelta(days=1))
    client = app.test_client()
    AuthActions(client).login(student.email)
    assert BANNER in client.get("/").text


def test_the_banner_costs_signed_in_users_one_query_and_anonymous_visitors_none(
    app, student, count_queries
):
    from flask_login import login_user

    policies.publish_policy(draft())
    with app.test_request_context("/"):
        from flask import render_template_string

        with count_queries() as anonymous:
            html = render_template_string('{% include "privacy/_policy_banner.html" %}')
        assert anonymous.count == 0 and BANNER not in html
        login_user(student)
        with count_queries() as signed_in:
            html = render_template_string(
                '{% include "privacy/_policy_banner.html" %}'
                '{% include "privacy/_policy_banner.html" %}'
            )
        assert signed_in.count == 1 and BANNER in html


def test_the_sign_in_lookup_answers_for_the_banner_for_each_person_alone(
    app, make_user, count_queries
):
    from flask import g, render_template_string
    from flask_login import login_user

    from school.accounts import sessions

    behind, current = make_user("behind@example.com"), make_user("current@example.com")
    policies.publish_policy(draft())
    policies.accept_policy(current, language="en", ip_address="127.0.0.1")
    banner = '{% include "privacy/_policy_banner.html" %}'
    for person, shown in ((behind, True), (current, False), (behind, True)):
        token = sessions.start(person).token
        db.session.commit()
        with app.test_request_context("/"):
            g.pop("policy_to_accept", None)  # the test's app context outlives each request
            login_user(sessions.user_for_token(token))
            with count_queries() as asked:
                html = render_template_string(banner)
            assert asked.count == 0, "the sign-in lookup already read it"
            assert (BANNER in html) is shown, person.email


def test_a_withdrawn_consent_is_not_re_asked_by_banner(app, student):
    from school.privacy.consent.ledger import record_consent

    record_consent(
        user=student,
        purpose=ConsentPurpose.PROCESSING,
        action=ConsentAction.WITHDRAWN,
        method="test",
        language="en",
        wording="withdrawn",
    )
    db.session.commit()
    policies.publish_policy(draft())
    assert policies.version_needing_acceptance(student) is None


def test_validation_gives_clear_messages_and_changes_nothing(staff_client, smtp):
    versions_before = count(PolicyVersion)

    duplicate = staff_client.submit("/admin/policies/new", publication(version="1.0"))
    assert duplicate.status_code == 400
    assert "Version 1.0 is already published. Choose a new label." in duplicate.text

    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
    past = staff_client.submit("/admin/policies/new", publication(effective_on=yesterday))
    assert past.status_code == 400
    assert "The date it takes effect cannot be in the past." in past.text

    missing = staff_client.submit("/admin/policies/new", publication(summary_ru=""))
    assert missing.status_code == 400
    assert "This field is required." in missing.text

    slash = staff_client.submit("/admin/policies/new", publication(version="2.0/beta"))
    assert slash.status_code == 400
    assert "Use only letters, digits, dots, hyphens and underscores" in slash.text

    blank = staff_client.submit("/admin/policies/new", publication(summary_en="   "))
    assert blank.status_code == 400

    unchosen = staff_client.submit("/admin/policies/new", publication(significant=""))
    assert unchosen.status_code == 400
    assert "Choose whether the change is significant." in unchosen.text

    assert count(PolicyVersion) == versions_before
    assert count(OutboxMessage) == 0
    assert smtp.messages == []


def test_the_service_refuses_a_missing_summary(app):
    import pytest

    with pytest.raises(policies.PolicyError) as refused:
        policies.publish_policy(draft(summary_en=" "))
    assert refused.value.field == "summary_en"
    assert policies.policy_by_version("1.1") is None


def test_version_pages_and_a_readable_diff(client, app):
    policies.publish_policy(draft())
    history = client.get("/privacy")
    assert 'href="/privacy/versions/1.0/diff/1.1"' in history.text
    assert 'href="/privacy/versions/1.0"' in history.text

    old = client.get("/privacy/versions/1.0")
    assert old.status_code == 200
    assert "This policy explains, in plain words" in old.text

    diff = client.get("/privacy/versions/1.0/diff/1.1")
    assert diff.status_code == 200
    assert 'class="diff-line diff-added"' in diff.text
    assert "<ins>A brand new rule.</ins>" in diff.text
    assert 'class="diff-line diff-removed"' in diff.text
    assert "<del>## Who is responsible</del>" in diff.text
    assert "style=" not in diff.text

    assert client.get("/privacy/versions/9.9").status_code == 404
    assert client.get("/privacy/versions/1.0/diff/9.9").status_code == 404


def test_the_diff_follows_the_readers_language(client, app):
    policies.publish_policy(draft())
    client.submit("/language", {"lang-language": "ru"}, csrf_field="lang-csrf_token")
    diff = client.get("/privacy/versions/1.0/diff/1.1")
    assert "<ins>Новый текст.</ins>" in diff.text


def test_staff_role_is_not_needed_to_accept(app, make_user):
    teacher = make_user("teacher@example.com", role=Role.STAFF)
    policies.publish_policy(draft())
    client = app.test_client()
    AuthActions(client).login(teacher.email)
    assert BANNER in client.get("/admin/").text
