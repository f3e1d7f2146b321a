"""Links in emails carry an opaque id, never an address: proxy logs and browser histories keep
URLs, and a signed token is only base64, readable by anyone who has it."""

from __future__ import annotations

from sqlalchemy import select

from school.accounts.models import EmailChange, User
from school.extensions import db
from school.intake.services import ingest
from school.mail.services import send_committed
from tests.accounts.test_minors import MINOR, signup
from tests.conftest import PASSWORD, link_in, path_of
from tests.intake.conftest import build
from tests.privacy.scanner import scan_bytes


def readable_addresses(url: str, *addresses: str) -> list:
    """Every address that can be read out of the URL, in any encoding."""
    return scan_bytes(url, url.encode(), list(addresses))


def test_sign_up_and_guardian_links_name_nobody_and_still_work(client, smtp):
    signup(client, MINOR)
    own = link_in(smtp.last_to("kostya@example.com"), "/confirm/")
    guardian = link_in(smtp.last_to("olga@example.com"), "/signup/guardian/")
    for url in (own, guardian):
        assert readable_addresses(url, "kostya@example.com", "olga@example.com") == []
    assert client.get(path_of(guardian)).status_code == 200
    client.submit(path_of(own))  # the link's page, then its button
    assert db.session.scalar(select(User)).email_confirmed_at is not None


def test_a_privacy_request_link_names_only_the_request(app, client, smtp, student):
    ingest(build("Personal Data Erasure", sender=f"Sam <{student.email}>"), source="pipe")
    send_committed()
    url = link_in(smtp.last_to(student.email), "/privacy/requests/confirm/")
    assert readable_addresses(url, student.email) == []


def test_an_address_change_link_names_neither_address(student_client, student, smtp):
    old, new = student.email, "sam.new@example.org"
    student_client.submit(
        "/account/email",
        {"em-new_email": new, "em-current_password": PASSWORD},
        csrf_field="em-csrf_token",
    )
    url = link_in(smtp.last_to(new), "/account/email/confirm/")
    assert readable_addresses(url, old, new) == []
    assert db.session.scalar(select(EmailChange.new_email)) == new  # kept here instead

    student_client.submit(path_of(url))  # the link's page, then its button
    db.session.expire_all()
    assert db.session.get(User, student.id).email == new
    assert db.session.scalar(select(EmailChange)) is None
