"""Minors: a person under MINOR_AGE signs up with a parent or guardian, whose consent by an
emailed link opens the account and is recorded in the ledger on the minor's behalf."""

import html
import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from school.accounts.models import User
from school.extensions import db
from school.privacy.consent.models import ConsentAction, ConsentPurpose, ConsentRecord
from school.profile.models import Profile
from tests.conftest import html_of, link_in, path_of, text_of

PASSWORD = "a long enough password"


def born_years_ago(years: int, days: int = 0) -> str:
    today = date.today()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year without one
        birthday = today.replace(year=today.year - years, day=28)
    return (birthday + timedelta(days=days)).isoformat()


ADULT = {
    "full_name": "Anna Adult",
    "email": "anna@example.com",
    "password": PASSWORD,
    "date_of_birth": born_years_ago(30),
    "processing_consent": "y",
}
MINOR = {
    "full_name": "Kostya Young",
    "email": "Kostya@Example.com",
    "password": PASSWORD,
    "date_of_birth": born_years_ago(12),
    "guardian_name": "Olga Young",
    "guardian_email": "Olga@Example.com",
    "processing_consent": "y",
}


def signup(client, base, **changes):
    data = {key: value for key, value in {**base, **changes}.items() if value is not None}
    return client.submit("/signup", data)


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def consents(user) -> list[ConsentRecord]:
    return list(db.session.scalars(select(ConsentRecord).where(ConsentRecord.user_id == user.id)))


def guardian_path(smtp) -> str:
    return path_of(link_in(smtp.last_to("olga@example.com"), "/signup/guardian/"))


def confirm_own_address(client, smtp):
    client.get(path_of(link_in(smtp.last_to("kostya@example.com"), "/confirm/")))


def login(client, email):
    return client.submit("/login", {"email": email, "password": PASSWORD})


def test_the_signup_page_shows_the_guardian_fields_to_everyone(client):
    """Without JavaScript the fields are simply there; the script only hides them."""
    page = client.get("/signup").text
    assert 'name="date_of_birth"' in page and 'type="date"' in page
    assert 'name="guardian_name"' in page and 'name="guardian_email"' in page
    assert "only if you are under 16" in page
    assert "/static/js/guardian.js" in page


def test_an_adult_signs_up_as_before(client, smtp):
    response = signup(client, ADULT)
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.guardian_email is None and not user.awaits_guardian
    rows = consents(user)
    assert [(r.purpose, r.action, r.given_on_behalf_by) for r in rows] == [
        (ConsentPurpose.PROCESSING, ConsentAction.GIVEN, None)
    ]
    assert rows[0].method == "web signup form"
    assert [str(m["To"]) for m in smtp.messages] == ["anna@example.com"]


def test_an_adult_may_leave_the_guardian_fields_blank_or_filled(client, smtp):
    signup(client, ADULT, guardian_name="Someone", guardian_email="someone@example.com")
    user = db.session.scalar(select(User))
    assert user.guardian_email is None and user.guardian_name is None
    assert smtp.to("someone@example.com") == []


def test_a_minor_without_a_guardian_is_told_what_is_missing_and_nothing_is_created(client, smtp):
    response = signup(client, MINOR, guardian_name=None, guardian_email=None)
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "Enter the full name of your parent or guardian." in text
    assert "Enter the email address of your parent or guardian." in text
    assert 'value="Kostya Young"' in text  # nothing typed is lost
    assert f'value="{MINOR["date_of_birth"]}"' in text
    assert users() == 0
    assert smtp.messages == []


def test_a_guardian_address_must_differ_from_the_minors_own(client, smtp):
    response = signup(client, MINOR, guardian_email="kostya@example.com")
    assert "must be different from your own" in html.unescape(response.text)
    assert users() == 0


def test_a_guardian_address_must_be_an_address(client, smtp):
    response = signup(client, MINOR, guardian_email="olga@")
    assert "Enter a valid email address" in response.text
    assert 'value="Olga Young"' in response.text
    assert users() == 0


def test_a_minor_signs_up_and_waits_for_the_guardian(client, smtp):
    response = signup(client, MINOR)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/signup/check-email")

    user = db.session.scalar(select(User))
    assert user.email == "kostya@example.com"
    assert (user.guardian_name, user.guardian_email) == ("Olga Young", "olga@example.com")
    assert user.awaits_guardian
    assert consents(user) == []  # a child's own tick is not consent in law
    assert db.session.get(Profile, user.id).date_of_birth.isoformat() == MINOR["date_of_birth"]

    message = smtp.last_to("olga@example.com")
    assert message["Subject"] == "Your consent is needed for Kostya Young's account"
    assert "Kostya Young (kostya@example.com)" in text_of(message)
    assert "/signup/guardian/" in html_of(message)
    # The minor still confirms their own address, as everyone does.
    assert "/confirm/" in link_in(smtp.last_to("kostya@example.com"), "/confirm/")


def test_the_whole_way_from_signup_to_guardian_consent_to_login(client, smtp):
    signup(client, MINOR)
    confirm_own_address(client, smtp)

    refused = login(client, "kostya@example.com")
    assert refused.status_code == 403
    assert "waiting for your parent or guardian's consent" in html.unescape(refused.text)

    page = client.get(guardian_path(smtp))
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Kostya Young" in text and "kostya@example.com" in text and "Olga Young" in text
    assert "I agree that the school processes my personal data" in text
    assert "version 1.0" in text
    assert "I give consent on their behalf" in text

    done = client.submit(guardian_path(smtp), {})
    assert done.status_code == 200
    assert "consent for Kostya Young is recorded" in done.text

    user = db.session.scalar(select(User))
    db.session.refresh(user)
    assert user.guardian_consent_at is not None and not user.awaits_guardian
    rows = consents(user)
    assert len(rows) == 1
    row = rows[0]
    assert (row.purpose, row.action) == (ConsentPurpose.PROCESSING, ConsentAction.GIVEN)
    assert row.given_on_behalf_by == "Olga Young <olga@example.com>"
    assert row.method == "guardian confirmation by emailed link"
    assert row.wording in text  # what the guardian saw is what the ledger proves
    assert row.policy_version.version == "1.0"

    assert login(client, "kostya@example.com").status_code == 302
    assert "Kostya Young" in client.get("/account").text


def test_after_guardian_consent_the_minors_own_confirmation_still_applies(client, smtp):
    signup(client, MINOR)
    client.submit(guardian_path(smtp), {})
    response = login(client, "kostya@example.com")
    assert response.status_code == 302 and "/confirm" in response.headers["Location"]
    confirm_own_address(client, smtp)
    assert login(client, "kostya@example.com").status_code == 302


def test_a_wrong_password_for_a_waiting_minor_reveals_nothing(client, smtp):
    signup(client, MINOR)
    response = client.submit("/login", {"email": "kostya@example.com", "password": "wrong" * 3})
    assert response.status_code == 401
    assert "guardian" not in response.text


def test_the_guardian_may_also_opt_in_to_news_separately(client, smtp):
    signup(client, MINOR, marketing_consent="y")
    user = db.session.scalar(select(User))
    assert consents(user) == []
    page = client.get(guardian_path(smtp)).text
    assert "checked" not in page.split('name="marketing_consent"')[1].split(">")[0]
    client.submit(guardian_path(smtp), {"marketing_consent": "y"})
    rows = consents(user)
    assert sorted(r.purpose for r in rows) == [ConsentPurpose.MARKETING, ConsentPurpose.PROCESSING]
    assert {r.given_on_behalf_by for r in rows} == {"Olga Young <olga@example.com>"}


def test_a_second_click_says_consent_was_already_given(client, smtp):
    signup(client, MINOR)
    path = guardian_path(smtp)
    client.submit(path, {})
    again = client.get(path)
    assert again.status_code == 200
    assert "already confirmed" in again.text
    twice = client.submit(path, {})
    assert "already confirmed" in twice.text
    assert len(consents(db.session.scalar(select(User)))) == 1


def test_a_tampered_guardian_link_fails_and_changes_nothing(client, smtp):
    signup(client, MINOR)
    path = guardian_path(smtp)[:-3] + "xyz"
    for response in (client.get(path), client.submit(path, {})):
        assert response.status_code == 400
        assert "not valid" in response.text
    user = db.session.scalar(select(User))
    assert user.awaits_guardian and consents(user) == []


def test_an_expired_guardian_link_fails_and_changes_nothing(make_app, smtp):
    app = make_app(GUARDIAN_CONSENT_WITHIN=timedelta(seconds=-1))
    client = app.test_client()
    with app.app_context():
        signup(client, MINOR)
        path = guardian_path(smtp)
        for response in (client.get(path), client.submit(path, {})):
            assert response.status_code == 400
            assert "expired" in response.text
        user = db.session.scalar(select(User))
        assert user.awaits_guardian and consents(user) == []
        db.engine.dispose()


def test_the_guardian_email_is_in_the_language_the_minor_chose(client, smtp):
    with client.session_transaction() as session:
        session["lang"] = "ru"
    signup(client, MINOR)
    assert db.session.scalar(select(User.locale)) == "ru"
    body = text_of(smtp.last_to("olga@example.com"))
    assert "Вопросы о ваших данных" in body  # the footer, already translated
    assert "Questions about your data" not in body


def test_the_sixteenth_birthday_is_the_day_a_person_signs_up_alone(client, smtp):
    signup(client, ADULT, date_of_birth=born_years_ago(16))
    assert not db.session.scalar(select(User)).awaits_guardian

    response = signup(
        client, ADULT, email="nearly@example.com", date_of_birth=born_years_ago(16, days=1)
    )
    assert "Enter the full name of your parent or guardian." in html.unescape(response.text)


def test_the_age_of_consent_is_a_setting(make_app, smtp):
    """MINOR_AGE=13 (as some EU states choose): a 14-year-old then signs up alone."""
    app = make_app(MINOR_AGE=13)
    client = app.test_client()
    with app.app_context():
        fourteen = born_years_ago(14)
        response = signup(client, ADULT, date_of_birth=fourteen)
        assert response.status_code == 302
        user = db.session.scalar(select(User))
        assert not user.awaits_guardian
        assert [r.given_on_behalf_by for r in consents(user)] == [None]
        assert "only if you are under 13" in client.get("/signup").text
        db.engine.dispose()


def test_by_default_a_fourteen_year_old_needs_a_guardian(client, smtp):
    response = signup(client, ADULT, date_of_birth=born_years_ago(14))
    assert response.status_code == 200
    assert users() == 0


def test_a_waiting_minor_can_have_the_guardian_link_sent_again(client, smtp):
    """A lost or expired guardian link is not a dead end: the usual resend page sends it."""
    signup(client, MINOR)
    confirm_own_address(client, smtp)
    refused = login(client, "kostya@example.com")
    assert 'href="/confirm"' in refused.text
    smtp.clear()
    client.submit("/confirm", {"email": "kostya@example.com"})
    assert len(smtp.to("olga@example.com")) == 1
    assert smtp.to("kostya@example.com") == []  # already confirmed their own address
    client.submit(guardian_path(smtp), {})
    smtp.clear()
    client.submit("/confirm", {"email": "kostya@example.com"})
    # Nothing is waiting any more: no link for the guardian, only word that all is done.
    assert smtp.to("olga@example.com") == []
    assert smtp.last_to("kostya@example.com")["Subject"] == "Your address is already confirmed"


def test_the_guardian_confirmation_needs_the_form_token(client, smtp):
    signup(client, MINOR)
    response = client.post(guardian_path(smtp), data={})
    assert response.status_code == 400
    assert db.session.scalar(select(User)).awaits_guardian


def test_two_racing_guardian_clicks_record_the_consent_once(app, smtp):
    client = app.test_client()
    signup(client, MINOR)
    path = guardian_path(smtp)
    clients = [app.test_client() for _ in range(3)]
    tokens = [c.csrf_token() for c in clients]
    start = threading.Barrier(len(clients))
    answers = []

    def click(client, token):
        start.wait()
        answers.append(client.post(path, data={"csrf_token": token}).status_code)

    pairs = zip(clients, tokens, strict=True)
    threads = [threading.Thread(target=click, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * len(clients)
    assert len(consents(db.session.scalar(select(User)))) == 1


def test_the_guardian_is_told_how_long_the_link_works(make_app, smtp):
    app = make_app(GUARDIAN_CONSENT_WITHIN=timedelta(days=3))
    with app.app_context():
        signup(app.test_client(), MINOR)
        assert "The link works for 3 days." in text_of(smtp.last_to("olga@example.com"))
