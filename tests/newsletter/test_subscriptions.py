"""Subscribing and unsubscribing: from account settings, and by visitors with double opt-in."""

from datetime import timedelta

from sqlalchemy import select

from school.database import utcnow
from school.extensions import db
from school.newsletter.models import Subscriber
from school.newsletter.services import Audience, audience_count
from school.privacy.consent.models import ConsentAction, ConsentPurpose, ConsentRecord
from tests.conftest import link_in, path_of, text_of


def marketing_rows(**where):
    query = select(ConsentRecord).where(ConsentRecord.purpose == ConsentPurpose.MARKETING)
    for column, value in where.items():
        query = query.where(getattr(ConsentRecord, column) == value)
    return db.session.scalars(query.order_by(ConsentRecord.id)).all()


# --- accounts --------------------------------------------------------------------------------


def test_a_student_subscribes_and_unsubscribes_from_the_settings(student_client, student):
    page = student_client.get("/account/newsletter")
    assert page.status_code == 200
    assert "You do not receive the newsletter." in page.text
    assert "Send me the school" in page.text  # the exact wording the ledger records

    response = student_client.submit("/account/newsletter", {"subscribed": "y"})
    assert response.status_code == 302
    assert [r.action for r in marketing_rows(user_id=student.id)] == [ConsentAction.GIVEN]
    assert audience_count(Audience("en")) == 1

    response = student_client.submit("/account/newsletter", {})
    assert [r.action for r in marketing_rows(user_id=student.id)] == [
        ConsentAction.GIVEN,
        ConsentAction.WITHDRAWN,
    ]
    assert marketing_rows(user_id=student.id)[-1].method == "account settings"
    assert audience_count(Audience("en")) == 0


def test_saving_the_same_choice_writes_no_ledger_row(student_client, student):
    student_client.submit("/account/newsletter", {})
    assert marketing_rows(user_id=student.id) == []


def test_the_settings_page_links_to_the_newsletter_choice(student_client):
    assert "/account/newsletter" in student_client.get("/account").text


def test_the_choice_needs_a_session_and_a_csrf_token(client, student_client):
    assert client.get("/account/newsletter").status_code == 302  # to log in
    assert student_client.post("/account/newsletter", data={"subscribed": "y"}).status_code == 400


# --- visitors ---------------------------------------------------------------------------------


def test_a_visitor_subscribes_with_double_opt_in(client, smtp):
    response = client.submit("/newsletter", {"email": "Visitor@Example.com", "language": "ru"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/newsletter/check-email")
    subscriber = db.session.scalar(select(Subscriber))
    assert subscriber.email == "visitor@example.com" and subscriber.confirmed_at is None
    assert marketing_rows() == []  # asking is not consenting
    assert audience_count(Audience("ru")) == 0  # unconfirmed: nothing but the link

    message = smtp.last_to("visitor@example.com")
    assert "newsletter" in message["Subject"].lower() or "рассылк" in message["Subject"].lower()
    link = link_in(message, "/newsletter/confirm/")
    assert client.submit(path_of(link)).status_code == 200

    db.session.refresh(subscriber)
    assert subscriber.confirmed_at is not None
    rows = marketing_rows(email="visitor@example.com")
    assert [r.action for r in rows] == [ConsentAction.GIVEN]
    assert rows[0].user_id is None and rows[0].language == "ru"
    assert "double opt-in" in rows[0].method
    assert audience_count(Audience("ru")) == 1

    assert client.submit(path_of(link)).status_code == 400  # the link is spent
    assert len(marketing_rows()) == 1


def test_the_answer_is_the_same_for_any_address(client, smtp, make_user, make_subscriber):
    """Nobody learns from the form whether an address has an account or already subscribed."""
    make_user("member@example.com")
    make_subscriber("already@example.com")
    answers = set()
    for address in ("member@example.com", "already@example.com", "new@example.com"):
        response = client.submit("/newsletter", {"email": address, "language": "en"})
        answers.add((response.status_code, response.headers["Location"]))
    assert len(answers) == 1
    # Every address gets one email, so timing tells nothing either; a subscriber's says so.
    assert all(len(smtp.to(a)) == 1 for a in ("member@example.com", "new@example.com"))
    notice = smtp.last_to("already@example.com")
    assert "/newsletter/confirm/" not in text_of(notice)
    unsubscribe = link_in(notice, "/newsletter/unsubscribe/")
    assert client.post(path_of(unsubscribe)).status_code == 200
    assert audience_count(Audience("en")) == 0


def test_confirming_an_accounts_address_becomes_that_accounts_consent(client, smtp, make_user):
    user = make_user("member@example.com", marketing=False)
    client.submit("/newsletter", {"email": "member@example.com", "language": "en"})
    link = link_in(smtp.last_to("member@example.com"), "/newsletter/confirm/")
    assert client.submit(path_of(link)).status_code == 200
    assert [r.action for r in marketing_rows(user_id=user.id)] == [ConsentAction.GIVEN]
    assert db.session.scalar(select(Subscriber)) is None
    assert audience_count(Audience("en")) == 1


def test_a_confirmation_link_after_30_days_does_not_work(client, smtp):
    client.submit("/newsletter", {"email": "late@example.com", "language": "en"})
    link = link_in(smtp.last_to("late@example.com"), "/newsletter/confirm/")
    subscriber = db.session.scalar(select(Subscriber))
    subscriber.created_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert client.get(path_of(link)).status_code == 400
    assert client.submit(path_of(link)).status_code == 400
    assert marketing_rows() == []


def test_unconfirmed_subscriptions_are_purged_after_30_days(app, make_subscriber, runner):
    make_subscriber("old-unconfirmed@example.com", confirmed=False, age_days=31)
    make_subscriber("new-unconfirmed@example.com", confirmed=False, age_days=29)
    make_subscriber("old-confirmed@example.com", confirmed=True, age_days=400)
    result = runner.invoke(args=["privacy", "retention"])
    assert result.exit_code == 0
    assert "newsletter sign-ups never confirmed, deleted: 1" in result.output
    left = sorted(db.session.scalars(select(Subscriber.email)))
    assert left == ["new-unconfirmed@example.com", "old-confirmed@example.com"]
    again = runner.invoke(args=["privacy", "retention"])
    assert "newsletter sign-ups never confirmed, deleted: 0" in again.output


def test_a_signed_in_student_is_sent_to_the_settings(student_client):
    response = student_client.get("/newsletter")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/newsletter")


def test_the_mailto_unsubscribe_stops_an_account_and_a_visitor(app, make_user, make_subscriber):
    """What the email intake reaches for a message to the List-Unsubscribe mailto address."""
    from school.newsletter.services import withdraw_address

    user = make_user("member@example.com", marketing=True)
    make_subscriber("visitor@example.com")
    method = "email to the unsubscribe address"
    assert withdraw_address("Member@Example.com ", method=method)
    assert withdraw_address("visitor@example.com", method=method)
    assert not withdraw_address("visitor@example.com", method=method)
    assert audience_count(Audience("en")) == 0
    assert marketing_rows(user_id=user.id)[-1].action is ConsentAction.WITHDRAWN
    assert marketing_rows(email="visitor@example.com")[-1].method == method
