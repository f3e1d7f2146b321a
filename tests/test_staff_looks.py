"""Every staff look at a person's data is recorded, and the person sees it.

Staff pages declare, on their route, whether they show personal data; the staff blueprint
records one access entry per person a page showed. These tests walk the URL map, so a page
added later is covered without being listed here.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from flask import abort, template_rendered, url_for
from sqlalchemy import event, func, select

from school.accounts.models import Role
from school.extensions import db
from school.intake.services import ingest
from school.mail.models import OutboxMessage
from school.privacy.requests.models import PrivacyRequest
from school.profile.models import StaffAccess
from school.profile.services import ACCESS_PAGES
from school.security import UndeclaredLook, staff_blueprint
from tests.conftest import AuthActions, create_user
from tests.enrollment.test_enrolment_path import enrol, only_enrollment
from tests.intake.conftest import build
from tests.privacy.helpers import ask
from tests.profile.helpers import FULL_PROFILE, png


def staff_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")]


def blueprint_of(app, endpoint: str):
    return app.blueprints[endpoint.rpartition(".")[0]]


def looks_at(user) -> list[StaffAccess]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(StaffAccess).where(StaffAccess.subject_id == user.id).order_by(StaffAccess.id)
        )
    )


def spool_names(app) -> list[str]:
    return sorted(path.name for path in Path(app.config["MAIL_SPOOL_DIR"]).glob("*.eml"))


@pytest.fixture
def student_in_every_corner(app, student, student_client, make_course, client):
    """A student with a profile and photo, an enrolment, a privacy request, an email they
    sent to the school, and emails the school sent them (in the outbox and the spool)."""
    app.config["MAIL_SERVER"] = ""  # mail goes to the spool, so the spool pages have files
    student_client.submit("/profile", {**FULL_PROFILE, "locale": "en"})
    student_client.submit(
        "/profile/photo",
        {"photo": (io.BytesIO(png()), "me.png", "image/png")},
        content_type="multipart/form-data",
    )
    enrol(student_client, make_course())
    ask(student_client, "access")
    ingest(build(sender="Sam Student <student@example.com>"), source="pipe")
    client.submit("/forgot-password", {"email": student.email})
    request = db.session.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id)).first()
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == student.id)
    ).first()
    intake_row = ingest(build(sender="student@example.com", subject="Hello"), source="pipe")
    # Every message so far went to the student; the spool page opens the newest.
    return {
        "students.student": {"public_id": student.public_id},
        "students.photo": {"public_id": student.public_id},
        "students.consent_history": {"public_id": student.public_id},
        "enrollment_admin.detail": {"public_id": only_enrollment().public_id},
        "privacy_admin.detail": {"public_id": request.public_id},
        "intake.message": {"public_id": intake_row.message.public_id},
        "mail_admin.outbox_message": {"message_id": message.id},
        "mail_admin.spool_file": {"name": spool_names(app)[-1]},
    }


def test_every_staff_page_declares_whether_it_shows_personal_data(app):
    undeclared = [
        rule.endpoint
        for rule in staff_rules(app)
        if not blueprint_of(app, rule.endpoint).declares(rule.endpoint)
    ]
    assert undeclared == []


def test_a_staff_route_cannot_be_added_without_saying_what_it_shows():
    blueprint = staff_blueprint("forgetful_admin", __name__, url_prefix="/admin/forgetful")
    with pytest.raises(TypeError):

        @blueprint.route("/")
        def page():
            return "who knows"


def test_a_page_declared_personal_must_say_whom_it_shows_unless_it_aborts(make_app, smtp):
    app = make_app()
    blueprint = staff_blueprint("silent_admin", __name__, url_prefix="/admin/silent")

    @blueprint.route("/", shows="profile")
    def page():
        return "a name, unlogged"

    @blueprint.route("/refused", shows="profile")
    def refused():
        abort(400)

    app.register_blueprint(blueprint)
    with app.app_context():
        create_user("staff@example.com", role=Role.STAFF)
        client = app.test_client()
        AuthActions(client).login("staff@example.com")
        with pytest.raises(UndeclaredLook):
            client.get("/admin/silent/")
        assert client.get("/admin/silent/refused").status_code == 400  # an error page: nobody
        db.session.remove()
        db.engine.dispose()


def test_each_personal_staff_page_logs_one_look_per_person_and_the_person_sees_it(
    app, staff_client, student, student_client, student_in_every_corner
):
    samples = student_in_every_corner
    visited = []
    for rule in staff_rules(app):
        if "GET" not in rule.methods:
            continue
        page = blueprint_of(app, rule.endpoint).pages[rule.endpoint]
        if rule.arguments and rule.endpoint not in samples:
            assert page is None, f"give the walk a sample for {rule.endpoint}"
            continue
        with app.test_request_context():
            path = url_for(rule.endpoint, **samples.get(rule.endpoint, {}))
        before = len(looks_at(student))
        everyone_before = db.session.scalar(select(func.count(StaffAccess.id)))
        response = staff_client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        after = looks_at(student)
        if page is None:
            everyone_after = db.session.scalar(select(func.count(StaffAccess.id)))
            assert everyone_after == everyone_before, f"{path} shows nobody yet logged a look"
            continue
        new = after[before:]
        assert len(new) == 1, (path, [(look.page, look.subject_id) for look in new])
        assert new[0].page in ACCESS_PAGES, path
        visited.append(new[0].page)

    assert len(visited) >= 12
    seen = ""
    page_number = 1
    while True:
        my_data = student_client.get(f"/profile/my-data?looks={page_number}")
        seen += html.unescape(my_data.text)
        if f"looks={page_number + 1}" not in my_data.text:  # the access log's own next page
            break
        page_number += 1
    for key in set(visited):
        assert str(ACCESS_PAGES[key]) in seen, key
    assert "Sofia Staff" in seen


def test_a_list_logs_one_look_per_person_shown_with_one_insert(
    app, staff, staff_client, make_user, count_queries
):
    for n in range(3):
        make_user(f"few{n}@example.com", full_name=f"Few {n}")
    with count_queries() as few:
        staff_client.get("/admin/students")
    for n in range(6):
        make_user(f"many{n}@example.com", full_name=f"Many {n}")
    with count_queries() as many:
        staff_client.get("/admin/students")

    assert many.count == few.count
    inserts = [s for s in many.statements if s.lstrip().upper().startswith("INSERT INTO STAFF")]
    assert len(inserts) == 1
    db.session.expire_all()
    counts = dict(
        db.session.execute(
            select(StaffAccess.subject_id, func.count()).group_by(StaffAccess.subject_id)
        ).all()
    )
    assert len(counts) == 9
    assert set(counts.values()) == {1, 2}  # the first three were shown twice
    assert all(look.page == "student_list" for look in db.session.scalars(select(StaffAccess)))


def test_a_search_logs_only_the_people_it_found(staff_client, make_user):
    olga = make_user("olga@example.com", full_name="Olga Orlova")
    piotr = make_user("piotr@example.com", full_name="Piotr Nowak")
    staff_client.get("/admin/students?q=olga")
    assert [look.page for look in looks_at(olga)] == ["student_list"]
    assert looks_at(piotr) == []


def test_who_looked_is_paged_and_in_the_persons_language(app, staff_client, make_user):
    reader = make_user("reader@example.com", full_name="Rita Reader", locale="ru")
    for _ in range(30):
        staff_client.get("/admin/students?q=rita")
    client = app.test_client()
    AuthActions(client).login(reader.email)
    first = html.unescape(client.get("/profile/my-data").text)
    assert "Список учеников" in first  # the page named in Russian
    assert first.count("Sofia Staff") == 25
    second = html.unescape(client.get("/profile/my-data?looks=2").text)
    assert second.count("Sofia Staff") == 5


def test_the_reason_given_for_opening_a_profile_goes_with_the_look(
    staff_client, student, student_client
):
    url = f"/admin/students/{student.public_id}"
    staff_client.get(url)
    staff_client.submit(url, {"reason": "support", "note": "Asked about her invoice"})
    looks = looks_at(student)
    assert [(look.page, look.reason, look.note) for look in looks] == [
        ("profile_reason", "", None),
        ("profile", "support", "Asked about her invoice"),
    ]
    page = html.unescape(re.sub(r"<[^>]+>", "", student_client.get("/profile/my-data").text))
    assert "Helping you with a question you asked: Asked about her invoice" in page


# --- secrets in sent mail -----------------------------------------------------------------


def test_no_staff_page_shows_a_live_token_from_a_sent_message(
    app, client, staff_client, make_user, student_in_every_corner
):
    newcomer = make_user("newcomer@example.com", full_name="Nina New", confirmed=False)
    client.submit("/confirm", {"email": newcomer.email})
    client.submit("/sign-in-link", {"email": "student@example.com"})
    client.submit("/forgot-password", {"email": "student@example.com"})
    bodies = [
        m.text_body for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    ]
    tokens = {
        match.group(2)
        for body in bodies
        for match in re.finditer(r"(/reset-password/|/sign-in/|/confirm/)([^\s/]+)", body)
    }
    assert len(tokens) >= 3
    reset_token = re.search(r"/reset-password/([^\s/]+)", bodies[-1]).group(1)
    assert client.get(f"/reset-password/{reset_token}").status_code == 200  # still live

    pages = [url_for_each(app, "mail_admin.outbox")]
    pages += [
        url_for_each(app, "mail_admin.outbox_message", message_id=m.id)
        for m in db.session.scalars(select(OutboxMessage))
    ]
    pages += [url_for_each(app, "mail_admin.spool_file", name=n) for n in spool_names(app)]
    pages += [
        url_for_each(app, rule.endpoint, **student_in_every_corner.get(rule.endpoint, {}))
        for rule in staff_rules(app)
        if "GET" in rule.methods
        and (not rule.arguments or rule.endpoint in student_in_every_corner)
    ]
    assert len(pages) > 10
    for path in pages:
        text = staff_client.get(path).get_data().decode("utf-8", "replace")
        leaked = [token for token in tokens if token in text]
        assert leaked == [], path
    newest = db.session.scalar(select(func.max(OutboxMessage.id)))
    reset_page = html.unescape(staff_client.get(f"/admin/mail/{newest}").text)
    assert "/reset-password/[secret hidden]" in reset_page  # staff still see what was sent


def url_for_each(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def test_a_page_that_only_reads_writes_its_looks_after_rendering(app, staff_client, student_client):
    """On SQLite a write takes the database's one write lock until the commit: a look written
    before rendering would make every other staff page wait while this one renders."""
    ask(student_client, "access")
    asked = db.session.scalar(select(PrivacyRequest))
    order: list[str] = []

    def statement(conn, cursor, sql, *args):
        if sql.lstrip().upper().startswith("INSERT INTO STAFF_ACCESS"):
            order.append("look written")

    def rendered(sender, template, context, **extra):
        if template.name == "privacy/admin_request.html":
            order.append("page rendered")

    event.listen(db.engine, "before_cursor_execute", statement)
    template_rendered.connect(rendered, app)
    try:
        assert staff_client.get(f"/admin/privacy/{asked.public_id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        template_rendered.disconnect(rendered, app)
    assert order == ["page rendered", "look written"]
    assert db.session.scalar(select(func.count()).select_from(StaffAccess)) == 1
