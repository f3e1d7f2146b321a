"""Only essential cookies until a person chooses; choices can change at any time."""

from sqlalchemy import select

from school.extensions import db
from school.privacy.consent.models import ConsentAction, ConsentPurpose, ConsentRecord


def banner(client, button):
    return client.submit(
        "/cookies/banner", {f"cookie-{button}": "x", "next": "/"}, csrf_field="cookie-csrf_token"
    )


def switch_language(client, language):
    return client.submit(
        "/language", {"lang-language": language, "lang-next": "/"}, csrf_field="lang-csrf_token"
    )


def test_a_first_visit_sets_only_the_essential_session_cookie(client):
    client.get("/")
    client.get("/courses")
    names = {cookie.key for cookie in client._cookies.values()}
    assert names <= {"session"}


def test_the_banner_offers_accept_and_refuse_equally(client):
    page = client.get("/").text
    assert "Accept all cookies" in page and "Only essential cookies" in page
    assert 'class="button" id="cookie-accept_all"' in page
    assert 'class="button" id="cookie-refuse_all"' in page


def test_refusing_keeps_functional_cookies_off(client):
    banner(client, "refuse_all")
    assert client.get_cookie("cookie_consent").value == "v1.f0.a0"
    switch_language(client, "ru")
    assert client.get_cookie("lang") is None
    assert "Cookies on this site" not in client.get("/").text  # the choice is remembered


def test_accepting_lets_the_language_be_remembered_in_a_cookie(client):
    banner(client, "accept_all")
    switch_language(client, "ru")
    assert client.get_cookie("lang").value == "ru"


def test_withdrawing_functional_consent_deletes_its_cookies(client):
    banner(client, "accept_all")
    switch_language(client, "ru")
    client.submit("/cookies", {"choices-analytics": "y"}, csrf_field="choices-csrf_token")
    assert client.get_cookie("lang") is None
    assert client.get_cookie("cookie_consent").value == "v1.f0.a1"


def test_a_signed_in_persons_choices_go_to_the_consent_ledger(student_client, student):
    banner(student_client, "accept_all")
    student_client.submit("/cookies", {}, csrf_field="choices-csrf_token")
    rows = db.session.scalars(
        select(ConsentRecord)
        .where(
            ConsentRecord.user_id == student.id,
            ConsentRecord.purpose.in_(
                [ConsentPurpose.COOKIES_FUNCTIONAL, ConsentPurpose.COOKIES_ANALYTICS]
            ),
        )
        .order_by(ConsentRecord.id)
    ).all()
    assert [(r.purpose, r.action) for r in rows] == [
        (ConsentPurpose.COOKIES_FUNCTIONAL, ConsentAction.GIVEN),
        (ConsentPurpose.COOKIES_ANALYTICS, ConsentAction.GIVEN),
        (ConsentPurpose.COOKIES_FUNCTIONAL, ConsentAction.WITHDRAWN),
        (ConsentPurpose.COOKIES_ANALYTICS, ConsentAction.WITHDRAWN),
    ]


def test_a_tampered_choice_cookie_counts_as_no_choice(client):
    client.set_cookie("cookie_consent", "v1.f1.a1; evil")
    assert "Cookies on this site" in client.get("/").text
