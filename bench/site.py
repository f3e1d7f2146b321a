"""The demo school on a free local port, for ``make audit`` and ``make screenshots``.

A fresh instance folder is migrated and given the demo data (courses with their drawn
pictures, students, a staff account), then served by werkzeug on a thread, as the browser
tests serve it. Signing in is done the way a person does it, in a real browser page, so the
pages measured and photographed are exactly the ones people get.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
from sqlalchemy import select
from werkzeug.serving import make_server

from school import create_app
from school.courses.models import Course
from school.demo import ADMIN_EMAIL, DEMO_STUDENTS, STUDENT_PASSWORD, seed_demo
from school.extensions import db

ROOT = Path(__file__).resolve().parent.parent
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
STUDENT = DEMO_STUDENTS[0][1]


@dataclass(frozen=True)
class Site:
    url: str
    staff_password: str
    course_slug: str

    def password_of(self, email: str) -> str:
        return self.staff_password if email == ADMIN_EMAIL else STUDENT_PASSWORD


@dataclass(frozen=True)
class Page:
    """One page to check: its name, its path, and who is signed in (None: a visitor)."""

    name: str
    path: str
    who: str | None = None


def pages(site: Site) -> list[Page]:
    """The main pages: what visitors see, what a student sees, what staff use most."""
    course = f"/courses/{site.course_slug}"
    return [
        Page("home", "/"),
        Page("catalogue", "/courses"),
        Page("course", course),
        Page("privacy-policy", "/privacy"),
        Page("what-we-hold", "/privacy/data"),
        Page("cookies", "/cookies"),
        Page("terms", "/terms"),
        Page("contact", "/contact"),
        Page("login", "/login"),
        Page("signup", "/signup"),
        Page("newsletter", "/newsletter"),
        Page("student-course", course, STUDENT),
        Page("dashboard", "/dashboard", STUDENT),
        Page("profile", "/profile", STUDENT),
        Page("my-data", "/profile/my-data", STUDENT),
        Page("privacy-centre", "/privacy/centre", STUDENT),
        Page("account", "/account", STUDENT),
        Page("staff-home", "/admin/", ADMIN_EMAIL),
        Page("staff-privacy-queue", "/admin/privacy/", ADMIN_EMAIL),
        Page("staff-enrolments", "/admin/enrolments/", ADMIN_EMAIL),
        Page("staff-courses", "/admin/courses/", ADMIN_EMAIL),
        Page("staff-course-edit", f"/admin/courses/{site.course_slug}/edit", ADMIN_EMAIL),
    ]


@contextmanager
def demo_site() -> Iterator[Site]:
    instance = Path(tempfile.mkdtemp(prefix="school-demo-site-"))
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "demo-site",
            # A demo school on plain HTTP, as `make run` serves it: published demo logins are
            # allowed here, and cookies are not limited to HTTPS.
            "SCHOOL_ENV": "development",
        }
    )
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        seed_demo()
        slug = db.session.scalar(
            select(Course.slug).where(Course.image_file.is_not(None)).order_by(Course.id)
        )
    staff_password = (instance / "demo-credentials.txt").read_text().split()[1]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", staff_password, slug)
    finally:
        server.shutdown()
        shutil.rmtree(instance, ignore_errors=True)


def sign_in(page, site: Site, email: str) -> None:
    """Log in through the form, as a person does."""
    page.goto(f"{site.url}/login")
    page.locator("main input[type=email]").fill(email)
    page.locator("main input[type=password]").fill(site.password_of(email))
    page.locator("main form").get_by_role("button").last.click()
    page.wait_for_load_state()


def refuse_optional_cookies(page, site: Site) -> None:
    """Answer the cookie banner once, so it does not cover every picture."""
    page.goto(f"{site.url}/cookies")
    banner = page.locator("#cookie-refuse_all")
    if banner.count():
        banner.click()
        page.wait_for_load_state()
