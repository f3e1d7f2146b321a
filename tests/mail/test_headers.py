"""No typed text can forge a header or replace a body: every message is built with the
``email`` API, and one-line fields refuse line breaks and invisible characters."""

from __future__ import annotations

import importlib
import pkgutil
from email import message_from_bytes, message_from_string, policy

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

import school
from school.accounts.models import User
from school.extensions import db
from school.forms import OneLine, SchoolForm, is_one_line
from school.mail import services
from school.mail.models import OutboxMessage
from school.text import one_line
from tests.accounts.test_minors import MINOR, signup
from tests.conftest import text_of

INJECTED_NAME = "Kid\r\nBcc: injected@evil.example\r\nX-Injected: yes\r\n\r\nA new body"
FIXED_HEADERS = {"Subject", "From", "To", "Date", "Message-ID", "MIME-Version", "Content-Type"}
OUTBOX_HEADERS = {"X-School-Outbox", "Auto-Submitted"}

# Anything a keyboard, a paste or a script can put in a form field, weighted towards the
# characters that break headers: CR, LF, other line breaks, controls, bidi and zero-width.
typed_text = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\r", "\n", "\r\n", "\x00", "\x0b", "\x85", "\u2028", "\u202e", "\u200b"]),
        st.sampled_from(
            ["\r\nBcc: x@evil.example", "\r\n\r\nbody", ": ", "<a@b>", "=?utf-8?q?x?="]
        ),
    ),
    max_size=60,
).map("".join)
header_names = st.sampled_from(["X-Campaign", "X-Note", "List-Unsubscribe-Post"])
header_values = st.from_regex(r"[!-~][ -~]{0,59}", fullmatch=True)  # what the code sets


def parse(message) -> object:
    return message_from_bytes(services.as_wire_bytes(message), policy=policy.default)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    subject=typed_text,
    recipient=st.emails(),
    text_body=typed_text,
    html_body=typed_text,
    extra=st.dictionaries(header_names, header_values, max_size=2),
)
def test_every_message_parses_with_the_headers_and_bodies_the_code_wrote(
    app, subject, recipient, text_body, html_body, extra
):
    message = services.compose(
        subject=subject,
        recipient=recipient,
        message_id="<one@lingua.example>",
        text_body=text_body,
        html_body=html_body,
        headers=extra,
    )
    parsed = parse(message)

    assert set(parsed.keys()) == FIXED_HEADERS | OUTBOX_HEADERS | set(extra)
    assert len(parsed.keys()) == len(set(parsed.keys()))  # no header twice
    assert parsed["Subject"] == one_line(subject)
    assert parsed["To"].addresses[0].addr_spec == recipient
    assert len(parsed["To"].addresses) == 1
    assert parsed["From"].addresses[0].addr_spec == "school@lingua.example"
    for name, value in extra.items():
        assert parsed[name] == value
    assert parsed.get_content_type() == "multipart/alternative"
    plain, html = parsed.iter_parts()
    assert plain.get_content() == text_body
    assert html.get_content() == html_body


def test_a_long_unsubscribe_url_stays_one_followable_url(app):
    url = "https://school.test/newsletter/unsubscribe/" + "x" * 150
    value = f"<{url}>, <mailto:privacy@lingua.example?subject=unsubscribe>"
    message = services.compose(
        subject="News",
        recipient="reader@example.com",
        message_id="<one@lingua.example>",
        text_body="text",
        html_body="<p>html</p>",
        headers={"List-Unsubscribe": value},
    )
    raw = services.as_wire_bytes(message).decode("ascii")
    assert f"List-Unsubscribe: <{url}>,\r\n <mailto:" in raw  # folded between URLs, not inside
    assert "=?" not in raw.split("\r\n\r\n", 1)[0]  # no encoded-words in the head
    assert parse(message)["List-Unsubscribe"] == value


def test_a_name_with_line_breaks_cannot_sign_up_a_minor(client, smtp):
    response = signup(client, MINOR, full_name=INJECTED_NAME)
    assert response.status_code == 200  # the form again, with the complaint
    assert "cannot hold line breaks" in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert smtp.messages == []


@pytest.mark.parametrize("bad", ["\u202eevil", "Ki\u200bd", "Kid\x07", "Kid\u2028Bcc: x"])
def test_a_name_with_invisible_or_control_characters_is_refused(client, smtp, bad):
    response = signup(client, MINOR, full_name=bad)
    assert "cannot hold line breaks" in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_guardian_email_keeps_its_headers_and_body_whatever_the_name(client, smtp):
    """A name stored before the forms refused line breaks still forges nothing."""
    assert signup(client, MINOR).status_code == 302
    smtp.clear()
    user = db.session.scalar(select(User))
    user.full_name = INJECTED_NAME
    from school.accounts import emails
    from school.accounts import services as account_services

    emails.guardian_consent_request(user, account_services.guardian_consent_token(user))
    db.session.commit()
    services.send_committed()

    (message,) = smtp.messages
    assert set(message.keys()) == FIXED_HEADERS | OUTBOX_HEADERS
    assert message["Subject"] == f"Your consent is needed for {one_line(INJECTED_NAME)}'s account"
    assert "A new body" not in message["Subject"].split("Kid", 1)[0]
    assert "/signup/guardian/" in text_of(message)  # the body the school wrote


def test_a_newsletter_subject_with_a_line_break_is_refused(staff_client, smtp):
    response = staff_client.submit(
        "/admin/newsletters/new",
        {"subject": "News\r\nBcc: everyone@evil.example", "body": "Hello", "language": "en"},
    )
    assert response.status_code == 200
    assert "cannot hold line breaks" in response.text


def _school_forms() -> list[type]:
    for module in pkgutil.walk_packages(school.__path__, "school."):
        importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.startswith("school."):
                found.append(subclass)
    return found


def test_every_form_refuses_control_characters_in_every_one_line_field(app):
    forms = _school_forms()
    assert len(forms) > 20
    with app.test_request_context(method="POST"):
        for form_class in forms:
            assert issubclass(form_class, SchoolForm), form_class
            names = [field.name for field in form_class(meta={"csrf": False}) if is_one_line(field)]
            typed = MultiDict({name: "line one\r\nline two" for name in names})
            form = form_class(formdata=typed, meta={"csrf": False})
            for field in form:
                if is_one_line(field):
                    assert isinstance(field.validators[0], OneLine), (form_class, field.name)
                    assert not field.validate(form), (form_class, field.name)


def test_an_international_address_is_written_as_utf8_not_mangled(app):
    message = services.compose(
        subject="Привет",
        recipient="ян@пример.рф",
        message_id="<one@lingua.example>",
        text_body="текст",
        html_body="<p>текст</p>",
    )
    raw = services.as_wire_bytes(message)
    assert "ян@пример.рф".encode() in raw  # SMTPUTF8: UTF-8 as it is, not encoded-words
    parsed = message_from_string(raw.decode("utf-8"), policy=policy.default)
    assert parsed["To"].addresses[0].addr_spec == "ян@пример.рф"
    assert parsed["Subject"] == "Привет"
