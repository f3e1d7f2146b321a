"""At most 5 wrong passwords per account per 15 minutes are checked, counted in the database.

The counters live in the application's database (Flask-Limiter with the ``school+db://``
storage), so two app servers on one database, or twenty addresses, share one count. The owner
locked out by someone else's guesses still gets in by an emailed sign-in link.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from datetime import timedelta

import bcrypt
import pytest
from limits.storage import storage_from_string
from sqlalchemy import select

from school.extensions import db
from school.rate_limits import DatabaseStorage, RateLimitCounter
from tests.conftest import (
    PASSWORD,
    AuthActions,
    create_user,
    link_in,
    path_of,
)

OWNER = "owner@example.com"


@pytest.fixture
def password_checks(monkeypatch):
    """Every bcrypt comparison made, from any thread (the real function still runs)."""
    checks = []
    real_check = bcrypt.checkpw

    def checkpw(*args):
        checks.append(1)
        return real_check(*args)

    monkeypatch.setattr(bcrypt, "checkpw", checkpw)
    return checks


@pytest.fixture
def two_servers(make_app, smtp, tmp_path, smtp_server):
    """Two app instances on one database file, as two hosts behind one TLS proxy."""
    settings = {"PROXY_FIX_X_FOR": 1}
    first = make_app(**settings)  # copies the fresh database into place
    second = make_app(**settings)  # another instance on the same database
    with first.app_context():
        create_user(OWNER)
        db.session.remove()
    yield first, second
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()


def from_address(app, address: str):
    """A browser whose requests reach ``app`` through the proxy, from ``address``."""
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    return client


def without_tokens(page: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', page)


def test_two_servers_check_five_wrong_passwords_from_any_number_of_addresses(
    two_servers, smtp, password_checks
):
    first, second = two_servers
    answers = []
    for number in range(20):
        app = (first, second)[number % 2]
        client = from_address(app, f"203.0.113.{number + 1}")
        answers.append(AuthActions(client).login(OWNER, f"guess {number}").status_code)
    assert answers == [401] * 5 + [429] * 15
    assert len(password_checks) == 5

    # The real owner, with the right password, is not checked either...
    owner = from_address(second, "198.51.100.7")
    locked = AuthActions(owner).login(OWNER, PASSWORD)
    assert locked.status_code == 429
    assert len(password_checks) == 5
    # ...but the page offers a sign-in link, and the link lets them in through either server.
    assert "Email me a sign-in link" in locked.text
    owner.submit("/sign-in-link", {"email": OWNER})
    link = path_of(link_in(smtp.last_to(OWNER), "/sign-in/"))
    landing = from_address(first, "198.51.100.7")
    page = landing.get(link)
    assert page.status_code == 200 and "<form" in page.text
    assert landing.get("/dashboard").status_code == 302  # following the link alone: not in
    signed_in = landing.submit(link)
    assert signed_in.status_code == 302
    assert landing.get("/dashboard").status_code == 200


def test_the_limit_holds_for_guesses_arriving_at_once_on_both_servers(two_servers, password_checks):
    first, second = two_servers
    answers = []

    def guess(number):
        app = (first, second)[number % 2]
        client = from_address(app, f"203.0.113.{number + 1}")
        response = AuthActions(client).login(OWNER, f"guess {number}")
        answers.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [401] * 5 + [429] * 7
    assert len(password_checks) == 5


def test_the_same_limit_from_addresses_seen_directly(app, password_checks, student):
    """With no proxy in front, each client's own address; the account's limit still holds."""
    answers = []
    for number in range(8):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{number + 1}"
        answers.append(AuthActions(client).login(student.email, "wrong password").status_code)
    assert answers == [401] * 5 + [429] * 3
    assert len(password_checks) == 5


def test_a_locked_address_without_an_account_answers_the_same(client, student):
    auth = AuthActions(client)
    for _ in range(5):
        auth.login(student.email, "wrong password")
        auth.login("ghost@example.com", "wrong password")
    real = auth.login(student.email, "wrong password")
    ghost = auth.login("ghost@example.com", "wrong password")
    assert real.status_code == ghost.status_code == 429
    assert without_tokens(real.text) == without_tokens(ghost.text)


def test_a_sign_in_link_works_once_and_names_no_address(client, smtp, student):
    client.submit("/sign-in-link", {"email": student.email})
    link = path_of(link_in(smtp.last_to(student.email), "/sign-in/"))
    token = link.rsplit("/", 1)[1]
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert student.email.encode() not in decoded
    assert "u" in json.loads(decoded)

    assert client.submit(link).status_code == 302
    assert client.get("/dashboard").status_code == 200
    AuthActions(client).logout()
    again = client.submit(link)
    assert again.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_a_sign_in_link_expires(app, client, smtp, student):
    client.submit("/sign-in-link", {"email": student.email})
    link = path_of(link_in(smtp.last_to(student.email), "/sign-in/"))
    app.config["SIGN_IN_LINK_WITHIN"] = timedelta(seconds=-1)  # its time is over
    assert client.get(link).status_code == 400
    assert "expired" in client.submit(link).text


def test_the_login_page_offers_a_sign_in_link(client):
    assert 'href="/sign-in-link"' in client.get("/login").text


def test_without_proxy_fix_a_forwarded_address_is_not_believed(make_app, smtp):
    """A client cannot pick a fresh address per request to escape the per-address limit."""
    app = make_app(LOGIN_LIMIT_PER_IP="3 per 15 minutes")
    answers = []
    for number in range(4):
        client = from_address(app, f"203.0.113.{number + 1}")
        with app.app_context():
            answers.append(AuthActions(client).login(f"user{number}@example.com", "x").status_code)
    assert answers == [401, 401, 401, 429]


def test_behind_a_configured_proxy_each_client_has_its_own_per_address_limit(make_app, smtp):
    """Behind the TLS proxy, clients no longer share the proxy's address and its limit."""
    app = make_app(LOGIN_LIMIT_PER_IP="3 per 15 minutes", PROXY_FIX_X_FOR=1)
    answers = []
    for number in range(4):
        client = from_address(app, f"203.0.113.{number + 1}")
        with app.app_context():
            answers.append(AuthActions(client).login(f"user{number}@example.com", "x").status_code)
    assert answers == [401, 401, 401, 401]


# --- the storage itself ---------------------------------------------------------------------


def test_the_default_storage_is_the_database(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "school+db://"
    assert isinstance(storage_from_string("school+db://"), DatabaseStorage)


def test_counters_are_shared_atomic_and_expire(app):
    storage = DatabaseStorage()
    results = []

    def hit():
        with app.app_context():
            for _ in range(10):
                results.append(storage.incr("login:someone", 60))

    threads = [threading.Thread(target=hit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Every increment saw a different value: none was lost or counted twice.
    assert sorted(results) == list(range(1, 61))
    assert storage.get("login:someone") == 60
    assert storage.get("login:nobody") == 0

    assert storage.incr("short", 0) == 1  # a window already over...
    assert storage.get("short") == 0  # ...is not counted
    assert storage.incr("short", 60) == 1  # and a new hit starts a new window

    storage.clear("login:someone")
    assert storage.get("login:someone") == 0
    assert storage.check()


def test_counters_store_no_address(app):
    DatabaseStorage().incr("login/203.0.113.9/someone@example.com", 60)
    (key,) = db.session.scalars(select(RateLimitCounter.key)).all()
    assert "203.0.113.9" not in key and "someone" not in key


def test_a_sign_in_link_works_for_someone_who_signed_in_before(client, smtp, student):
    auth = AuthActions(client)
    auth.login(student.email)
    auth.logout()
    client.submit("/sign-in-link", {"email": student.email})
    link = path_of(link_in(smtp.last_to(student.email), "/sign-in/"))
    assert client.submit(link).status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_a_password_sign_in_uses_up_an_earlier_link(app, client, smtp, student):
    client.submit("/sign-in-link", {"email": student.email})
    link = path_of(link_in(smtp.last_to(student.email), "/sign-in/"))
    AuthActions(app.test_client()).login(student.email)
    assert client.get(link).status_code == 400
