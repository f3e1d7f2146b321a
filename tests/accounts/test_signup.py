"""Sign-up, consent records and email confirmation."""

import html

from sqlalchemy import func, select

from school.accounts.models import User
from school.extensions import db
from school.privacy.consent.models import ConsentAction, ConsentPurpose, ConsentRecord
from tests.conftest import link_in, path_of, text_of

GOOD = {
    "full_name": "Nina Novak",
    "email": "Nina@Example.com",
    "password": "a long enough password",
    "date_of_birth": "1990-05-17",
    "processing_consent": "y",
}


def signup(client, **changes):
    data = {**GOOD, **changes}
    data = {key: value for key, value in data.items() if value is not None}
    return client.submit("/signup", data)


def test_signup_creates_unconfirmed_account_and_sends_confirmation(client, smtp):
    """Can a visitor sign up, and do they get a confirmation link by email?"""
    response = signup(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/signup/check-email")

    user = db.session.scalar(select(User).where(User.email == "nina@example.com"))
    assert user is not None and not user.is_confirmed
    message = smtp.last_to("nina@example.com")
    assert message["Subject"] == "Confirm your email address"
    assert "/confirm/" in link_in(message, "/confirm/")
    assert message.get_body(preferencelist=("html",)) is not None


def test_confirmation_link_then_login(client, smtp, auth):
    """Sign-up, confirmation mail, link, login: the whole way in."""
    signup(client)
    link = link_in(smtp.last_to("nina@example.com"), "/confirm/")

    before = auth.login("nina@example.com", GOOD["password"])
    assert before.status_code == 302 and "/confirm" in before.headers["Location"]

    confirmed = client.get(path_of(link))
    assert confirmed.status_code == 302
    assert client.get("/login").status_code == 200

    response = auth.login("nina@example.com", GOOD["password"])
    assert response.status_code == 302
    assert "Nina Novak" in client.get("/account").text


def test_confirmation_link_is_single_use(client, smtp):
    signup(client)
    path = path_of(link_in(smtp.last_to("nina@example.com"), "/confirm/"))
    client.get(path)
    again = client.get(path, follow_redirects=True)
    assert "already confirmed" in again.text


def test_tampered_confirmation_link_is_refused(client, smtp):
    signup(client)
    path = path_of(link_in(smtp.last_to("nina@example.com"), "/confirm/"))
    response = client.get(path[:-3] + "xyz")
    assert response.status_code == 400
    assert "not valid" in response.text
    assert not db.session.scalar(select(User.email_confirmed_at))


def test_expired_confirmation_link_is_refused(make_app, smtp):
    app = make_app(ACCOUNT_CONFIRM_WITHIN=__import__("datetime").timedelta(seconds=-1))
    client = app.test_client()
    with app.app_context():
        signup(client)
        path = path_of(link_in(smtp.last_to("nina@example.com"), "/confirm/"))
        response = client.get(path)
        assert response.status_code == 400
        assert "expired" in response.text


def test_signup_records_processing_consent_with_policy_version(client, smtp):
    signup(client)
    user = db.session.scalar(select(User))
    rows = db.session.scalars(select(ConsentRecord).where(ConsentRecord.user_id == user.id)).all()
    assert [(r.purpose, r.action) for r in rows] == [
        (ConsentPurpose.PROCESSING, ConsentAction.GIVEN)
    ]
    row = rows[0]
    assert row.policy_version.version == "1.0"
    assert "version 1.0" in row.wording
    assert row.ip_address == "127.0.0.1"
    assert row.method == "web signup form"
    assert row.created_at is not None


def test_marketing_consent_is_separate_and_optional(client, smtp):
    page = client.get("/signup").text
    assert 'name="marketing_consent"' in page
    assert "checked" not in page.split('name="marketing_consent"')[1].split(">")[0]

    signup(client, marketing_consent="y")
    purposes = db.session.scalars(select(ConsentRecord.purpose)).all()
    assert sorted(purposes) == [ConsentPurpose.MARKETING, ConsentPurpose.PROCESSING]


def test_processing_consent_is_required(client, smtp):
    response = signup(client, processing_consent=None)
    assert response.status_code == 200
    assert "We need this consent" in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert smtp.messages == []


def test_signup_with_existing_address_looks_the_same_and_tells_the_owner(client, smtp, make_user):
    """No account enumeration: the page is identical; the owner hears about it by email."""
    make_user("nina@example.com")
    response = signup(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/signup/check-email")
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert smtp.last_to("nina@example.com")["Subject"] == (
        "Someone tried to sign up with your address"
    )


def test_overlong_name_is_refused_with_a_message(client, smtp):
    response = signup(client, full_name="x" * 500)
    assert response.status_code == 200
    assert "at most 120 characters" in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_invalid_email_is_refused_with_a_message(client, smtp):
    response = signup(client, email="not-an-address@")
    assert "Enter a valid email address" in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_short_password_is_refused(client, smtp):
    response = signup(client, password="short")
    assert "at least 10 characters" in response.text


def test_missing_csrf_token_changes_nothing(client, smtp):
    response = client.post("/signup", data={**GOOD, "csrf_token": ""})
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_resend_confirmation_answers_the_same_for_unknown_addresses(client, smtp):
    signup(client)
    smtp.clear()
    known = client.submit("/confirm", {"email": "nina@example.com"}, follow_redirects=True)
    unknown = client.submit("/confirm", {"email": "nobody@example.com"}, follow_redirects=True)
    assert "If that address has an unconfirmed account" in known.text
    assert "If that address has an unconfirmed account" in unknown.text
    assert len(smtp.to("nina@example.com")) == 1
    # The address without an account hears that it has none: the same work either way.
    assert smtp.last_to("nobody@example.com")["Subject"] == "No account uses this address"
    assert "/confirm/" in text_of(smtp.last_to("nina@example.com"))


def test_the_ledger_records_exactly_the_sentence_shown(client, smtp):
    page = html.unescape(client.get("/signup").text)
    signup(client, marketing_consent="y")
    for row in db.session.scalars(select(ConsentRecord)):
        assert row.wording in page


def test_date_of_birth_is_required_and_kept_in_the_profile(client, smtp):
    missing = signup(client, date_of_birth=None)
    assert missing.status_code == 200
    assert "Enter your date of birth." in missing.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0

    signup(client)
    from school.profile.models import Profile

    user = db.session.scalar(select(User))
    assert db.session.get(Profile, user.id).date_of_birth.isoformat() == "1990-05-17"


def test_impossible_dates_of_birth_are_refused_and_nothing_typed_is_lost(client, smtp):
    future = signup(client, date_of_birth="2999-01-01")
    assert "cannot be in the future" in future.text
    assert 'value="Nina Novak"' in future.text
    assert 'value="2999-01-01"' in future.text
    ancient = signup(client, date_of_birth="1850-01-01")
    assert "more than 120 years ago" in ancient.text
    garbage = signup(client, date_of_birth="31/02/2001")
    assert "Enter your date of birth as a date" in garbage.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
