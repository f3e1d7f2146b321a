"""A link in an email changes nothing by being opened.

Mail scanners, link previews and forged messages open links with GET or HEAD and nobody
reading. Each link that changes something opens a page with one button (a CSRF-protected
POST), and only the button makes the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from school.accounts.models import User
from school.extensions import db
from school.mail.services import send_committed
from school.newsletter.models import Subscriber
from school.privacy.requests import lifecycle
from school.privacy.requests.models import (
    PrivacyRequest,
    RequestChannel,
    RequestStatus,
    RequestType,
)
from tests.accounts.test_signup import signup
from tests.conftest import PASSWORD, link_in, path_of


@dataclass
class EmailedLink:
    path: str
    changed: Callable[[], bool]  # has the link's change happened?


def account_confirmation(client, smtp, student) -> EmailedLink:
    signup(client)
    link = link_in(smtp.last_to("nina@example.com"), "/confirm/")
    return EmailedLink(
        path_of(link),
        lambda: (
            db.session.scalar(
                select(User.email_confirmed_at).where(User.email == "nina@example.com")
            )
            is not None
        ),
    )


def email_change(client, smtp, student) -> EmailedLink:
    client.post(
        "/login",
        data={"email": student.email, "password": PASSWORD, "csrf_token": client.csrf_token()},
    )
    client.submit(
        "/account/email",
        {"em-new_email": "moved@example.com", "em-current_password": PASSWORD},
        csrf_field="em-csrf_token",
    )
    link = link_in(smtp.last_to("moved@example.com"), "/account/email/confirm/")
    return EmailedLink(
        path_of(link),
        lambda: (
            db.session.scalar(select(User.email).where(User.id == student.id))
            == "moved@example.com"
        ),
    )


def newsletter_confirmation(client, smtp, student) -> EmailedLink:
    client.submit("/newsletter", {"email": "visitor@example.com", "language": "en"})
    link = link_in(smtp.last_to("visitor@example.com"), "/newsletter/confirm/")
    return EmailedLink(
        path_of(link),
        lambda: db.session.scalar(select(Subscriber.confirmed_at)) is not None,
    )


def privacy_request_confirmation(client, smtp, student) -> EmailedLink:
    request = lifecycle.submit_request(
        RequestType.ERASURE, channel=RequestChannel.EMAIL, language="en", user=student
    )
    db.session.commit()
    send_committed()
    public_id = request.public_id
    link = link_in(smtp.last_to(student.email), "/privacy/requests/confirm/")
    return EmailedLink(
        path_of(link),
        lambda: (
            db.session.scalar(
                select(PrivacyRequest.status).where(PrivacyRequest.public_id == public_id)
            )
            is RequestStatus.AWAITING_REVIEW
        ),
    )


LINKS = [account_confirmation, email_change, newsletter_confirmation, privacy_request_confirmation]


@pytest.mark.parametrize("emailed", LINKS, ids=lambda f: f.__name__)
def test_opening_the_link_changes_nothing_and_the_button_does(client, smtp, student, emailed):
    link = emailed(client, smtp, student)
    db.session.remove()

    page = client.get(link.path)
    assert page.status_code == 200
    assert '<form method="post"' in page.text and 'name="csrf_token"' in page.text
    assert client.head(link.path).status_code == 200
    assert client.get(link.path).status_code == 200  # opened again: still nothing
    db.session.remove()
    assert not link.changed()

    forged = client.post(link.path)  # a POST without the page's CSRF token
    assert forged.status_code == 400
    db.session.remove()
    assert not link.changed()

    pressed = client.submit(link.path)
    assert pressed.status_code in (200, 302)
    db.session.remove()
    assert link.changed()


@pytest.mark.parametrize("emailed", LINKS, ids=lambda f: f.__name__)
def test_a_broken_link_says_so_on_opening(client, smtp, student, emailed):
    link = emailed(client, smtp, student)
    broken = link.path[:-4] + "xxxx"
    assert client.get(broken).status_code == 400
    assert client.submit(broken).status_code == 400
    db.session.remove()
    assert not link.changed()
