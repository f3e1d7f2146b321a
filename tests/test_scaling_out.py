"""Several web hosts and mail workers on one PostgreSQL database, as README "Scaling out" runs
them: two gunicorn instances (each with its workers, from the repository's configuration) and
two mail workers, each a process of its own."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from school.accounts.models import Role
from school.courses.models import Course
from school.enrollment.models import Enrollment, EnrollmentStatus
from school.extensions import db
from school.mail.models import OutboxMessage, OutboxStatus
from school.newsletter import services as newsletter
from tests.conftest import PASSWORD, AuthActions, free_port
from tests.enrollment.test_enrolment_path import enrol
from tests.privacy.helpers import ask, latest

ROOT = Path(__file__).resolve().parents[1]
SEATS = 3
APPLICANTS = 12
READERS = 40

pytestmark = pytest.mark.postgresql_only


class Browser:
    """A person's cookies and plain HTTP against one host, as a browser would send them."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base_url + path, body, timeout=60) as response:
                return response.status, html.unescape(response.read().decode())
        except urllib.error.HTTPError as error:
            return error.code, html.unescape(error.read().decode())

    def submit(self, path: str, data: dict) -> tuple[int, str]:
        _, page = self.request("/")
        token = re.search(r'name="lang-csrf_token" type="hidden" value="([^"]+)"', page)
        return self.request(path, {**data, "csrf_token": token.group(1)})

    def sign_in(self, email: str) -> None:
        status, page = self.submit("/login", {"email": email, "password": PASSWORD})
        assert status == 200 and "Log out" in page, page


def environment(app, smtp_port: int) -> dict:
    """The settings every process of the deployment shares: one database, one SMTP relay."""
    return {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SITE_URL": app.config["SITE_URL"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_RATE_PER_SECOND": "0",
        "SESSION_COOKIE_SECURE": "false",
        "BCRYPT_LOG_ROUNDS": "4",
        "SCHOOL_ENV": "testing",
    }


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def wait_until_serving(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(base_url + "/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{base_url} never answered:\n{log.read_text()}")


def mail_in_flight() -> int:
    db.session.expire_all()
    waiting = [OutboxStatus.QUEUED, OutboxStatus.SENDING]
    count = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status.in_(waiting))
    )
    db.session.rollback()
    return count


def sent_count() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENT)
    )


def test_two_web_hosts_and_two_mail_workers_share_one_postgresql_database(
    app, make_user, make_course, smtp, smtp_server, tmp_path
):
    # What the school holds before the rush: a small course with many applicants, a
    # newsletter for many readers, and a person waiting for their erasure.
    course = make_course("Popular German", seats=SEATS)
    for n in range(APPLICANTS):
        applicant = make_user(f"applicant{n}@example.com")
        client = app.test_client()
        AuthActions(client).login(applicant.email)
        assert enrol(client, course).status_code == 302
    applications = db.session.scalars(select(Enrollment.public_id).order_by(Enrollment.id)).all()
    leaving = make_user("leaving@example.com", full_name="Leaving Person")
    leaver = app.test_client()
    AuthActions(leaver).login(leaving.email)
    ask(leaver, "erasure")
    erasure = latest().public_id
    staff = [make_user(f"staff{n}@example.com", role=Role.STAFF) for n in range(4)]
    for n in range(READERS):
        make_user(f"reader{n}@example.com", marketing=True)
    campaign = newsletter.save_campaign(
        None, subject="Spring courses", body="New groups in **April**.", language="en",
        author=staff[0],
    )  # fmt: skip
    assert newsletter.queue_campaign(campaign, staff[0]) == READERS
    staff_emails, course_id = [member.email for member in staff], course.id
    already_sent = sent_count()
    db.session.remove()
    smtp.clear()

    env = environment(app, smtp_server.port)
    hosts = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    processes: list[tuple[subprocess.Popen, Path]] = []
    try:
        for number, host in enumerate(hosts):
            log = tmp_path / f"gunicorn{number}.log"
            gunicorn = [sys.executable, "-m", "gunicorn", "-b", host.removeprefix("http://")]
            processes.append((start([*gunicorn, "app:app"], env, log), log))
        for number in range(2):
            log = tmp_path / f"mail-worker{number}.log"
            worker = [sys.executable, "-m", "flask", "--app", "app", "mail", "worker"]
            processes.append((start([*worker, "--interval", "0.5"], env, log), log))
        for host, (process, log) in zip(hosts, processes, strict=False):
            wait_until_serving(host, process, log)

        # Four staff members, two on each host, approve every application at once, each
        # approval from a browser of its own: answers racing to set one browser's session
        # cookie would lose one another's flashed message (the seat is taken all the same).
        browsers = [Browser(hosts[n % 2]) for n in range(APPLICANTS)]
        for number, browser in enumerate(browsers):
            browser.sign_in(staff_emails[number % len(staff_emails)])
        answers: list[tuple[int, str]] = []
        barrier = threading.Barrier(APPLICANTS)

        def approve(index: int) -> None:
            browser = browsers[index]
            data = {"action": "approve"}
            barrier.wait()
            answers.append(browser.submit(f"/admin/enrolments/{applications[index]}/act", data))

        # The erasure is decided meanwhile, in a browser of its own: two answers racing to set
        # one browser's session cookie would lose one of their flashed messages.
        eraser = Browser(hosts[1])
        eraser.sign_in(staff_emails[1])
        threads = [threading.Thread(target=approve, args=(i,)) for i in range(APPLICANTS)]
        for thread in threads:
            thread.start()
        erased = eraser.submit(f"/admin/privacy/{erasure}/approve", {})
        for thread in threads:
            thread.join(timeout=120)

        deadline = time.monotonic() + 120
        while mail_in_flight() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert mail_in_flight() == 0

        for process, log in processes:  # none crashed, the erasure's scrubbed mail included
            assert process.poll() is None, log.read_text()
    finally:
        for process, _ in processes:
            process.send_signal(signal.SIGTERM)
        for process, _ in processes:
            process.wait(timeout=60)

    # Never more approvals than seats, and every staff member got a page, never an error.
    assert [status for status, _ in answers] == [200] * APPLICANTS
    assert sum("Approved: the student has a seat" in page for _, page in answers) == SEATS
    assert sum("The course is full" in page for _, page in answers) == APPLICANTS - SEATS
    statuses = Counter(db.session.scalars(select(Enrollment.status)))
    assert statuses[EnrollmentStatus.APPROVED] == SEATS
    assert db.session.get(Course, course_id).seats_taken == SEATS

    # The erasure was done and answered with the site's success page.
    assert erased[0] == 200 and "Done; the person is told by email." in erased[1]
    assert latest().status.value == "completed"

    # Every message (newsletter, approvals, the erasure's goodbye) arrived exactly once.
    received = Counter(str(message["Message-ID"]) for message in smtp_server.messages)
    assert max(received.values()) == 1
    assert sum(received.values()) == sent_count() - already_sent
    assert len(smtp.to("reader7@example.com")) == 1

    for process, log in processes:
        assert process.returncode == 0, log.read_text()
        assert "Traceback" not in log.read_text(), log.read_text()
    # Two instances on one host, each with a control socket of its own (gunicorn.conf.py).
    for host, (_, log) in zip(hosts, processes, strict=False):
        port = host.rsplit(":", 1)[1]
        assert f"Control socket listening at {ROOT}/instance/gunicorn-127.0.0.1-{port}.ctl" in (
            log.read_text()
        )
