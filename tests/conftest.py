"""The test rig: real SQLite files, a real SMTP server, Flask's client and a real browser.

Every later domain's tests use these fixtures: ``app`` (a fresh SQLite file per test),
``client``, ``runner``, ``smtp`` (an aiosmtpd server with what it received), ``make_user``,
``auth`` (log in and out), ``student_client`` / ``staff_client``, and for the browser
``live_server`` plus ``axe_check``.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from school import create_app
from school.accounts.models import Role, User
from school.accounts.services import SignupRequest, add_account
from school.database import utcnow
from school.extensions import db
from school.privacy.consent.ledger import install_bundled_policy
from school.privacy.data.stores import store_for

PASSWORD = "correct horse battery"  # noqa: S105


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SMTP ------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """Messages received by the test SMTP server, parsed with the modern email policy."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def last_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert found, f"no message to {address}; got {[str(m['To']) for m in self.messages]}"
        return found[-1]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message: EmailMessage, path_fragment: str) -> str:
    """The first link in a message's text whose path contains ``path_fragment``."""
    for url in re.findall(r"https?://\S+", text_of(message)):
        if path_fragment in url:
            return url
    raise AssertionError(f"no link with {path_fragment!r} in:\n{text_of(message)}")


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


class SMTPServer:
    """An aiosmtpd server on 127.0.0.1 that can be stopped and started again on its port."""

    def __init__(self):
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.mailbox.messages


@pytest.fixture(scope="session")
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server):
    """The SMTP server, emptied for this test; restarted if a test stopped it."""
    if smtp_server.controller is None:
        smtp_server.start()
    smtp_server.mailbox.clear()
    yield smtp_server.mailbox
    if smtp_server.controller is None:
        smtp_server.start()


# --- the application -----------------------------------------------------------------


class SchoolClient(FlaskClient):
    """Flask's client, plus form posts that carry the session's CSRF token like a browser.

    Each request runs in an app context of its own, as in production: ``g`` (where
    Flask-Login caches the user) and the database session never leak between requests or
    into the test's own session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        page = self.get("/")
        match = re.search(r'name="lang-csrf_token" type="hidden" value="([^"]+)"', page.text)
        assert match, "no CSRF token on the home page"
        return match.group(1)

    def submit(self, url, data=None, *, csrf_field="csrf_token", **kwargs):
        data = dict(data or {})
        data.setdefault(csrf_field, self.csrf_token())
        return self.post(url, data=data, **kwargs)


def base_config(tmp_path, smtp_port: int | None) -> dict:
    return {
        "TESTING": True,
        "SCHOOL_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(tmp_path),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'school.sqlite3'}",
        "MAIL_SPOOL_DIR": str(tmp_path / "mail_spool"),
        "MAIL_SERVER": "127.0.0.1" if smtp_port else "",
        "MAIL_PORT": smtp_port or 25,
        "MAIL_TIMEOUT": 3,
        "BCRYPT_LOG_ROUNDS": 4,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "SITE_URL": "http://school.test",
    }


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """A migrated-shape database built once; each test gets its own copy of the file."""
    folder = tmp_path_factory.mktemp("template")
    app = create_app(base_config(folder, None))
    with app.app_context():
        db.create_all()
        install_bundled_policy()
        db.session.commit()
        db.engine.dispose()
    return folder / "school.sqlite3"


@pytest.fixture
def make_app(tmp_path, template_database, smtp_server):
    """Build an app on a fresh copy of the database; ``overrides`` change settings."""

    def build(**overrides):
        shutil.copy(template_database, tmp_path / "school.sqlite3")
        config = base_config(tmp_path, smtp_server.port)
        config.update(overrides)
        application = create_app(config)
        application.test_client_class = SchoolClient
        return application

    return build


@pytest.fixture
def app(make_app, smtp):
    application = make_app()
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def undeclared_files(application) -> list[str]:
    """Files in the instance folder that no store of ``school.privacy.data.stores`` declares."""
    instance = Path(application.instance_path)
    return sorted(
        path.relative_to(instance).as_posix()
        for path in instance.rglob("*")
        if path.is_file() and store_for(application.config, instance, path) is None
    )


@pytest.fixture
def instance_audit(request):
    """Opt-in (made autouse by a package's conftest) for tests that use ``app``: at teardown,
    every file the test left in its instance folder must belong to a declared store."""
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    yield
    assert undeclared_files(application) == [], "declare the store in privacy/data/stores.py"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- people ------------------------------------------------------------------------------


@pytest.fixture
def make_user(app):
    """Create a confirmed account directly, with the processing consent a sign-up records."""
    counter = iter(range(1, 10_000))

    def create(email: str | None = None, **details) -> User:
        return create_user(email or f"student{next(counter)}@example.com", **details)

    return create


def create_user(
    email: str,
    *,
    full_name: str = "Test Student",
    role: Role = Role.STUDENT,
    password: str = PASSWORD,
    confirmed: bool = True,
    locale: str = "en",
    marketing: bool = False,
) -> User:
    """An account as a finished sign-up leaves it, in the current app context (also the live
    server's, for browser tests, which cannot use ``make_user``'s own app), made by the
    sign-up's own :func:`add_account`."""
    user = add_account(
        SignupRequest(
            full_name=full_name,
            email=email,
            password=password,
            language=locale,
            marketing_consent=marketing,
        ),
        method="test factory",
        role=role,
        confirmed=confirmed,
    )
    db.session.commit()
    return user


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **extra):
        return self.client.submit("/login", {"email": email, "password": password, **extra})

    def logout(self):
        return self.client.submit("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def student(make_user):
    return make_user("student@example.com", full_name="Sam Student")


@pytest.fixture
def staff(make_user):
    return make_user("staff@example.com", full_name="Sofia Staff", role=Role.STAFF)


@pytest.fixture
def student_client(app, student):
    client = app.test_client()
    response = AuthActions(client).login(student.email)
    assert response.status_code == 302
    return client


@pytest.fixture
def staff_client(app, staff):
    client = app.test_client()
    response = AuthActions(client).login(staff.email)
    assert response.status_code == 302
    return client


# --- the browser ---------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_server(make_app, smtp):
    """The app served over real HTTP on a free port, for the browser."""
    port = free_port()
    application = make_app(SITE_URL=f"http://127.0.0.1:{port}")
    server = make_server("127.0.0.1", port, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = application
    server.url = f"http://127.0.0.1:{port}"
    yield server
    server.shutdown()
    thread.join(timeout=5)
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def axe_check():
    """Run axe-core on the page and fail with the violations it finds."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(page)
        violations = results.response["violations"]
        assert not violations, results.generate_report()

    return check


# --- courses and queries --------------------------------------------------------------------


@pytest.fixture
def make_course(app):
    """Create a published course with ``lessons`` lessons, starting next week."""
    from datetime import timedelta

    from school.courses.models import Course, Format, Lesson, Level

    counter = iter(range(1, 100_000))

    def create(
        title: str | None = None,
        *,
        language: str = "de",
        level: Level = Level.A1,
        format: Format = Format.GROUP,
        seats: int = 10,
        lessons: int = 3,
        published: bool = True,
        price_minor: int = 25000,
    ):
        n = next(counter)
        start = utcnow().date() + timedelta(days=7)
        course = Course(
            slug=f"course-{n}",
            title=title or f"Course {n}",
            language=language,
            level=level,
            format=format,
            schedule="Mon & Wed 18:00–19:30",
            starts_on=start,
            ends_on=start + timedelta(weeks=10),
            teacher_name="Lena Vogel",
            price_minor=price_minor,
            currency="EUR",
            seats=seats,
            seats_taken=0,
            published=published,
            lessons=[
                Lesson(position=i, title=f"Lesson {i}", summary=f"topic {i}")
                for i in range(1, lessons + 1)
            ],
        )
        db.session.add(course)
        db.session.commit()
        return course

    return create


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter:`` counts the SQL statements run inside the block."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting
