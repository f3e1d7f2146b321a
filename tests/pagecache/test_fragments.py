"""Parts of pages that are the same for everyone (menus, footer, the privacy centre's empty
request forms) are rendered once per language and kind of visitor, yet every form in them
carries the reader's own CSRF token and nothing of one person reaches another."""

import re

from sqlalchemy import select

from school.accounts.models import User
from school.extensions import db
from school.privacy.requests.models import PrivacyRequest
from tests.conftest import AuthActions

ERASURE_TOKEN = re.compile(r'name="erasure-csrf_token" type="hidden" value="([^"]+)"')


def signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def fragments(app):
    return app.extensions["page_fragments"]


def test_the_request_forms_are_stored_once_and_carry_each_students_own_token(app, make_user):
    one = signed_in(app, make_user("one@example.com"))
    two = signed_in(app, make_user("two@example.com"))
    first, second = one.get("/privacy/centre").text, two.get("/privacy/centre").text
    stored = [key for key in fragments(app) if key[0] == "privacy/_request_forms.html"]
    assert len(stored) == 1, "the second student was served the stored forms"
    assert "csrf-marker" not in first + second
    (token_one,), (token_two,) = ERASURE_TOKEN.findall(first), ERASURE_TOKEN.findall(second)
    assert token_one != token_two
    request = {"kind": "inquiry", "inquiry-type": "inquiry", "inquiry-details": "Which data?"}
    # Each form works for its own reader, and only for them.
    refused = one.post(
        "/privacy/centre/requests", data={**request, "inquiry-csrf_token": token_two}
    )
    assert refused.status_code == 400
    sent = one.post("/privacy/centre/requests", data={**request, "inquiry-csrf_token": token_one})
    assert sent.status_code == 302
    made = db.session.scalars(select(PrivacyRequest)).all()
    assert [r.subject_email for r in made] == ["one@example.com"]


def test_a_form_sent_back_with_errors_is_the_persons_own_not_the_stored_one(student_client):
    too_long = "x" * 5001
    response = student_client.submit(
        "/privacy/centre/requests",
        {"kind": "inquiry", "inquiry-type": "inquiry", "inquiry-details": too_long},
        csrf_field="inquiry-csrf_token",
    )
    assert response.status_code == 400
    assert too_long in response.text, "what the person typed is kept for them to fix"


def test_a_blocked_student_is_offered_unblocking_and_the_others_blocking(app, make_user):
    blocked = make_user("blocked@example.com")
    db.session.get(User, blocked.id).restricted_at = blocked.created_at
    db.session.commit()
    free = signed_in(app, make_user("free@example.com")).get("/privacy/centre").text
    held = signed_in(app, blocked).get("/privacy/centre").text
    assert 'value="blocking"' in free and 'value="unblocking"' not in free
    assert 'value="unblocking"' in held and 'value="blocking"' not in held


def test_each_kind_of_visitor_gets_its_own_menu_in_its_own_language(
    app, client, staff_client, student_client
):
    visitor = client.get("/login").text
    assert "Log in" in visitor and "My courses" not in visitor
    student = student_client.get("/dashboard").text
    assert "My courses" in student and ">Staff<" not in student and "Log in</a>" not in student
    staff = staff_client.get("/admin/").text
    assert ">Staff<" in staff and "Privacy centre" not in staff
    student_client.submit(
        "/language",
        {"lang-language": "ru", "lang-next": "/dashboard"},
        csrf_field="lang-csrf_token",
    )
    russian = student_client.get("/dashboard").text
    assert "Мои курсы" in russian and "My courses" not in russian


def test_the_queue_filter_shows_the_chosen_selection_from_its_stored_copies(staff_client):
    chosen = staff_client.get("/admin/privacy/?status=completed&type=erasure").text
    assert 'selected value="completed"' in chosen and 'selected value="erasure"' in chosen
    default = staff_client.get("/admin/privacy/").text
    assert 'selected value="completed"' not in default
    assert 'selected value=""' in default


LANGUAGE_NEXT = re.compile(r'name="lang-next" type="hidden" value="([^"]*)"')
BANNER_NEXT = re.compile(r'<input type="hidden" name="next" value="([^"]*)"')


def test_one_stored_header_sends_every_page_back_to_itself(app, student_client):
    dashboard = student_client.get("/dashboard").text
    centre = student_client.get("/privacy/centre?tab=requests").text
    headers = [key for key in fragments(app) if key[0] == "_site_header.html"]
    assert headers.count(("_site_header.html", "en", "", ("role", "student"))) == 1
    assert LANGUAGE_NEXT.findall(dashboard) == ["/dashboard"]
    assert LANGUAGE_NEXT.findall(centre) == ["/privacy/centre?tab=requests"]
    assert "page-marker" not in dashboard + centre


def test_a_page_for_one_person_fills_its_stored_header_as_it_renders(staff_client):
    """The header's markers are replaced where the stored header enters the page, once
    escaped, and the finished answer is not searched and copied again."""
    page = staff_client.get("/admin/privacy/?status=completed&type=erasure").text
    assert LANGUAGE_NEXT.findall(page) == ["/admin/privacy/?status=completed&amp;type=erasure"]
    token = re.search(r'name="lang-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert token == staff_client.csrf_token()
    assert "csrf-marker" not in page and "page-marker" not in page


def test_the_way_back_is_written_as_an_attribute_value_not_as_markup(client):
    page = client.get('/courses?level=B1&q="><b>x').text
    (language,), (banner,) = LANGUAGE_NEXT.findall(page), BANNER_NEXT.findall(page)
    assert language == banner
    assert "&amp;" in language and "&#34;&gt;&lt;b&gt;" in language
    assert '"><b>x' not in page


def test_a_stored_public_page_sends_each_address_back_to_itself(app, client):
    for path in ("/courses?level=B1", "/courses?level=B2"):
        client.get(path)
        again = client.get(path).text  # served from the store
        assert LANGUAGE_NEXT.findall(again) == [path.replace("&", "&amp;")]
        assert BANNER_NEXT.findall(again) == [path]
