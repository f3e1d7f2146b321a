"""The test rig: a real database (SQLite or PostgreSQL), a real SMTP server, Flask's client and
a real browser.

Every later domain's tests use these fixtures: ``app`` (a fresh database per test: a SQLite
file, or a PostgreSQL database when ``TEST_DATABASE_URL`` names a server),
``client``, ``runner``, ``smtp`` (an aiosmtpd server with what it received), ``make_user``,
``auth`` (log in and out), ``student_client`` / ``staff_client``, and for the browser
``live_server`` plus ``axe_check``.
"""

from __future__ import annotations

import itertools
import os
import queue
import re
import shutil
import socket
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from bench.site import CHROMIUM, CHROMIUM_ARGS
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


# --- the database ----------------------------------------------------------------------
# One setting chooses the database of the whole suite: without TEST_DATABASE_URL every test
# has a SQLite file of its own; with a PostgreSQL URL (``make test-postgres`` sets one) every
# test has a database of its own on that server, copied from a template built once.

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRESQL = TEST_DATABASE_URL.startswith(("postgres:", "postgresql"))


class PostgresDatabases:
    """Creates and drops this session's databases on the PostgreSQL test server.

    Copying the template is most of a test's cost on PostgreSQL, so a background thread
    keeps a couple of copies made ahead while tests run.
    """

    SPARES = 2

    def __init__(self, server_url: str):
        self.server = make_url(server_url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.names = (f"t{os.getpid()}_{n}" for n in itertools.count(1))
        self.names_lock = threading.Lock()
        self.spares: queue.Queue[str | BaseException] = queue.Queue(maxsize=self.SPARES)
        self.stopping = threading.Event()
        self.copier: threading.Thread | None = None

    def url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        with self.names_lock:
            name = next(self.names)
        # FILE_COPY: for a small template, copying its files beats writing it all to the WAL.
        copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def copy_of(self, template: str) -> str:
        """A fresh copy of ``template`` (one template per session), usually made already."""
        if self.copier is None:
            self.copier = threading.Thread(target=self._copy_ahead, args=(template,), daemon=True)
            self.copier.start()
        made = self.spares.get(timeout=300)
        if isinstance(made, BaseException):
            raise made
        return made

    def _copy_ahead(self, template: str) -> None:
        while not self.stopping.is_set():
            try:
                made: str | BaseException = self.create(template)
            except Exception as error:  # handed to the test that waits for a copy
                made = error
            while not self.stopping.is_set():
                try:
                    self.spares.put(made, timeout=0.2)
                    break
                except queue.Full:
                    continue
            else:
                if isinstance(made, str):
                    self.drop(made)

    def stop_copying(self) -> None:
        """Stop making copies and drop those nobody took (before the template is dropped)."""
        self.stopping.set()
        if self.copier is not None:
            self.copier.join(timeout=60)
        while not self.spares.empty():
            made = self.spares.get()
            if isinstance(made, str):
                self.drop(made)


@pytest.fixture(scope="session")
def postgres():
    """The PostgreSQL test server's database maker, or None when the suite runs on SQLite."""
    if not ON_POSTGRESQL:
        yield None
        return
    databases = PostgresDatabases(TEST_DATABASE_URL)
    yield databases
    databases.stop_copying()
    databases.admin.dispose()


@pytest.fixture
def blank_database(tmp_path, postgres):
    """The URL of an empty database for this test (migration tests build their own)."""
    if postgres is None:
        yield f"sqlite:///{tmp_path / 'blank.sqlite3'}"
        return
    name = postgres.create()
    yield postgres.url(name)
    postgres.drop(name)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory, postgres):
    """A migrated-shape database built once; each test gets its own copy of it."""
    folder = tmp_path_factory.mktemp("template")
    config = base_config(folder, None)
    if postgres is not None:
        name = postgres.create()
        config["SQLALCHEMY_DATABASE_URI"] = postgres.url(name)
    app = create_app(config)
    with app.app_context():
        db.create_all()
        install_bundled_policy()
        db.session.commit()
        db.engine.dispose()
    if postgres is None:
        yield folder / "school.sqlite3"
        return
    yield name
    postgres.stop_copying()
    postgres.drop(name)


@pytest.fixture
def test_database(tmp_path, template_database, postgres):
    """This test's database, a copy of the template: its SQLAlchemy URL."""
    if postgres is None:
        shutil.copy(template_database, tmp_path / "school.sqlite3")
        yield f"sqlite:///{tmp_path / 'school.sqlite3'}"
        return
    name = postgres.copy_of(template_database)
    yield postgres.url(name)
    postgres.drop(name)


@pytest.fixture
def make_app(tmp_path, test_database, smtp_server):
    """Build an app on this test's database; ``overrides`` change settings."""

    def build(**overrides):
        config = base_config(tmp_path, smtp_server.port)
        config["SQLALCHEMY_DATABASE_URI"] = test_database
        config.update(overrides)
        application = create_app(config)
        application.test_client_class = SchoolClient
        return application

    return build


# Settings that make a request behind a held lock give up at once, on either database.
GIVE_UP_QUICKLY = {"SQLITE_BUSY_TIMEOUT": 0.2, "POSTGRES_LOCK_TIMEOUT": 0.2}


@contextmanager
def database_locked(app):
    """Every table of ``app``'s database locked by another connection, as by a long write."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        blocker = sqlite3.connect(url.database, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        return
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        quote = engine.dialect.identifier_preparer.quote
        tables = ", ".join(quote(name) for name in db.metadata.tables)
        connection.exec_driver_sql(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            connection.rollback()
    engine.dispose()


def pytest_collection_modifyitems(config, items):
    """Skip what cannot run on this lane's database, to be counted in the summary below."""
    for item in items:
        if ON_POSTGRESQL and "sqlite_only" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="about the SQLite file itself"))
        if not ON_POSTGRESQL and "postgresql_only" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: make test-postgres"))


def pytest_report_header(config):
    if ON_POSTGRESQL:
        return f"database: PostgreSQL at {make_url(TEST_DATABASE_URL).render_as_string()}"
    return "database: SQLite (a file per test); TEST_DATABASE_URL chooses PostgreSQL"


def pytest_terminal_summary(terminalreporter):
    """Say which tests this lane's database left out, so none is lost silently."""
    skipped = terminalreporter.stats.get("skipped", [])
    marker = "sqlite_only" if ON_POSTGRESQL else "postgresql_only"
    left_out = [report.nodeid for report in skipped if marker in report.keywords]
    database = "PostgreSQL" if ON_POSTGRESQL else "SQLite"
    terminalreporter.section(f"database: {database}")
    terminalreporter.write_line(f"{len(left_out)} {marker} tests not run on {database}:")
    for nodeid in left_out:
        terminalreporter.write_line(f"  {nodeid}")


class StringLengthGuard:
    """Records every string bound to a column shorter than it.

    SQLite stores such a string whole, PostgreSQL refuses the statement: without this guard
    a too-narrow ``String(n)`` only shows on PostgreSQL, in production.
    """

    def __init__(self):
        self.violations: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        compiled = getattr(context, "compiled", None)
        if compiled is None:
            return
        for values in context.compiled_parameters:
            for key, value in values.items():
                bind = compiled.binds.get(key)
                length = getattr(bind.type, "length", None) if bind is not None else None
                if isinstance(value, str) and length and len(value) > length:
                    self.violations.append(
                        f"{len(value)} characters for {length} in {key}: {value!r}\n{statement}"
                    )


@pytest.fixture(scope="session")
def string_length_guard():
    guard = StringLengthGuard()
    event.listen(Engine, "before_cursor_execute", guard)
    yield guard
    event.remove(Engine, "before_cursor_execute", guard)


@pytest.fixture(autouse=True)
def strings_fit_their_columns(string_length_guard):
    """Fail any test whose code binds a string longer than its column, on SQLite too."""
    string_length_guard.violations.clear()
    yield
    assert not string_length_guard.violations, "\n\n".join(string_length_guard.violations)


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

# Chromium and its switches (CHROMIUM, CHROMIUM_ARGS) are the screenshots' and the audit's:
# bench.site says them once for every browser the project starts.


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
