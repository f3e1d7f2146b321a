"""'My data' is what we hold: one collector, driven by the registry's ownership rules, builds
the export, "My data" and the access report, so a person sees every value their export holds,
as the records it belongs to, labelled, paged and whole."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale, format_datetime
from sqlalchemy import select

from school.accounts.models import User
from school.database import utcnow
from school.enrollment.models import Certificate, Enrollment, EnrollmentStatus, LessonProgress
from school.extensions import db
from school.intake.services import ingest
from school.mail.models import SuppressedAddress
from school.newsletter.services import subscribe_visitor
from school.privacy.consent.ledger import current_policy, record_consent
from school.privacy.consent.models import ConsentAction, ConsentPurpose
from school.privacy.data import collector, holdings, registry
from school.privacy.data.holdings import RECORDS_PER_PAGE
from school.privacy.data.personal_data import subject_of
from school.profile.services import log_staff_access
from tests.conftest import PASSWORD, link_in, path_of
from tests.privacy.helpers import ask, decide, latest
from tests.profile.helpers import FULL_PROFILE

# Longer than anything a page may cut: "My data" shows values whole.
LONG_MESSAGE = "Ich möchte Deutsch für meine Arbeit in Wien lernen, bitte am Abend. " * 8
MARKETING_TOGGLES = 12  # given and withdrawn twelve times: 25 consent rows with sign-up's


def emailed_request(sender: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Sam Student <{sender}>"
    message["To"] = "privacy@lingua.example"
    message["Subject"] = "Personal Data Update"
    message["Message-ID"] = make_msgid(domain="example.com")
    message.set_content("Phone: +375 29 111 22 33")
    return message.as_bytes()


@pytest.fixture
def everything(app, student, student_client, staff, make_course):
    """A student with a record of every kind the registry says a person can own."""
    student_client.submit("/profile", {**FULL_PROFILE, "locale": "en", "full_name": "Sam Student"})
    student_client.submit("/profile/languages", {"level-language": "de", "level-level": "A2"})

    course = make_course("German for Beginners", lessons=25)
    done = Enrollment(user=student, course=course, status=EnrollmentStatus.COMPLETED,
                      message=LONG_MESSAGE, completed_at=utcnow())  # fmt: skip
    db.session.add(done)
    db.session.flush()
    for lesson in course.lessons:
        db.session.add(LessonProgress(enrollment_id=done.id, lesson_id=lesson.id))
    db.session.add(Certificate(enrollment=done, course_title=course.title,
                               language=course.language, level=course.level))  # fmt: skip

    policy = current_policy()
    for _ in range(MARKETING_TOGGLES):
        for action in (ConsentAction.GIVEN, ConsentAction.WITHDRAWN):
            record_consent(user=student, purpose=ConsentPurpose.MARKETING, action=action,
                           policy=policy, method="newsletter box on the profile page",
                           language="en", ip_address="203.0.113.7",
                           given_on_behalf_by="Pat Parent <pat@example.org>")  # fmt: skip
    db.session.add(SuppressedAddress(email=student.email, reason="550 mailbox unavailable"))
    db.session.commit()

    subscribe_visitor(student.email, "en")  # a newsletter sign-up of the same address
    ingest(emailed_request(student.email), source="pipe")  # a request sent by email
    log_staff_access(staff, student, "profile", "support", note="helping with a login")
    student_client.submit(  # an address change waiting for its link
        "/account/email",
        {"em-new_email": "sam.next@example.org", "em-current_password": PASSWORD},
        csrf_field="em-csrf_token",
    )
    return student


def exported_tables(student_client, staff_client, smtp, address) -> dict[str, list[dict]]:
    """The person's data.json, through the export request as a person gets it."""
    ask(student_client, "export")
    decide(staff_client, latest())
    link = path_of(link_in(smtp.last_to(address), "/privacy/exports/"))
    archive = zipfile.ZipFile(io.BytesIO(student_client.get(link).data))
    return json.loads(archive.read("data.json"))["tables"]


def as_text(value) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def values_of(tables: dict[str, list[dict]]) -> set[str]:
    return {
        as_text(value)
        for rows in tables.values()
        for row in rows
        for value in row.values()
        if value not in (None, "", {}, [])
    }


class PageReader(HTMLParser):
    """What a page shows: the stored form of each value, its text, labels and page links."""

    def __init__(self):
        super().__init__()
        self.values: set[str] = set()
        self.text: list[str] = []
        self.labels: list[str] = []
        self.links: set[str] = set()
        self._in_label = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "data":
            self.values.add(attrs["value"])
        elif tag == "time":
            self.values.add(attrs["datetime"])
        elif tag == "a" and "kind=" in (attrs.get("href") or ""):
            self.links.add(attrs["href"])
        if tag == "dt":
            self._in_label = True
            self.labels.append("")

    def handle_endtag(self, tag):
        if tag == "dt":
            self._in_label = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_label:
            self.labels[-1] += data


def read_my_data(client) -> PageReader:
    """Every page of "My data": the first, then each kind's further pages through its links."""
    reader = PageReader()
    seen, to_read = set(), ["/profile/my-data"]
    while to_read:
        url = to_read.pop()
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        reader.feed(response.text)
        to_read.extend(link for link in reader.links if link.replace("&amp;", "&") not in seen)
        reader.links = set()
    return reader


def test_the_student_holds_a_record_of_every_kind_the_registry_owns(everything):
    """Built from the registry: a new owned table without data here fails this test."""
    held = collector.tables(collector.collect(subject_of(everything)))
    assert set(held) == {ownership.table for ownership in collector.kinds()}
    assert len(held["consent_record"]) > RECORDS_PER_PAGE


def test_every_exported_value_is_on_my_data(everything, student_client, staff_client, smtp):
    exported = exported_tables(student_client, staff_client, smtp, everything.email)
    assert set(exported) == {ownership.table for ownership in collector.kinds()}
    page = read_my_data(student_client)
    assert values_of(exported) - page.values == set()
    # Shown whole, not only kept in the markup.
    assert LONG_MESSAGE.strip() in "".join(page.text)


def test_every_value_on_my_data_is_labelled_in_words(everything, student_client):
    page = read_my_data(student_client)
    known = {str(entry.label) for entry in registry.fields()}
    assert page.labels and set(page.labels) <= known
    for column in ("full_name", "subject_email", "done_at", "policy_version_id"):
        assert column not in "".join(page.text)


def test_records_are_shown_with_the_records_under_them(everything):
    kinds = {k.table: k for k in collector.collect(subject_of(everything))}
    (enrolment,) = kinds["enrollment"].records
    under = {child.table: child for child in enrolment.children}
    assert set(under) == {"lesson_progress", "certificate"}
    assert len(under["lesson_progress"].records) == 25
    assert {v.value for r in under["lesson_progress"].records for v in r.values
            if v.field.column == "lesson_id"} == {f"Lesson {i}" for i in range(1, 26)}  # fmt: skip
    emailed = kinds["privacy_request"].records[0]
    assert {child.table for child in emailed.children} == {
        "privacy_request_event",
        "intake_message",
    }
    # A child is not repeated as a record of its own when its parent is the person's.
    assert "lesson_progress" not in kinds and "intake_message" not in kinds


def test_my_data_pages_each_kind(everything, student_client):
    first = student_client.get("/profile/my-data").text
    assert "Page 1 of 2" in first
    assert first.count('href="/profile/my-data?page=2&amp;kind=consent_record"') == 1
    second = student_client.get("/profile/my-data?kind=consent_record&page=2").text
    assert "Page 2 of 2" in second
    shown = {
        kind.table: len(kind.records)
        for kind in collector.collect(
            subject_of(everything), pages={"consent_record": 2}, per_page=20
        )
    }
    assert shown["consent_record"] == 2 * MARKETING_TOGGLES + 1 - RECORDS_PER_PAGE


def test_my_data_shows_the_consent_history(everything, student_client):
    page = read_my_data(student_client)
    text = "".join(page.text)
    for said in ("news and course offers by email", "withdrawn", "given",
                 "processing of your data to run your account and courses",
                 "newsletter box on the profile page", "203.0.113.7",
                 "Pat Parent <pat@example.org>", "Send me the school's news"):  # fmt: skip
        assert said in text, said
    assert current_policy().version in page.values  # the version, not its row id
    for label in ("What the consent is for", "Given or withdrawn",
                  "Version of the privacy policy", "Exact wording you agreed to",
                  "How the consent was given", "IP address when consenting",
                  "Who consented on your behalf, if anyone"):  # fmt: skip
        assert label in page.labels


def test_the_export_holds_the_consent_history(everything, student_client, staff_client, smtp):
    exported = exported_tables(student_client, staff_client, smtp, everything.email)
    withdrawn = [r for r in exported["consent_record"] if r["action"] == "withdrawn"]
    assert len(withdrawn) == MARKETING_TOGGLES
    assert withdrawn[0]["purpose"] == "marketing"
    assert withdrawn[0]["policy_version_id"] == current_policy().version
    assert withdrawn[0]["given_on_behalf_by"] == "Pat Parent <pat@example.org>"


def test_my_data_costs_the_same_queries_whatever_is_held(
    student, student_client, staff, make_course, count_queries
):
    def add(enrolments: int, consents: int, looks: int):
        for _ in range(enrolments):
            course = make_course(lessons=4)
            enrolment = Enrollment(user=student, course=course, status=EnrollmentStatus.ACTIVE)
            db.session.add(enrolment)
            db.session.flush()
            for lesson in course.lessons:
                db.session.add(LessonProgress(enrollment_id=enrolment.id, lesson_id=lesson.id))
        for _ in range(consents):
            record_consent(user=student, purpose=ConsentPurpose.MARKETING,
                           action=ConsentAction.GIVEN, policy=current_policy(),
                           method="test", language="en")  # fmt: skip
        db.session.commit()
        for _ in range(looks):
            log_staff_access(staff, student, "profile", "support")

    add(1, 1, 1)
    student_client.get("/profile/my-data")
    with count_queries() as small:
        assert student_client.get("/profile/my-data").status_code == 200
    add(30, 40, 30)
    with count_queries() as large:
        assert student_client.get("/profile/my-data").status_code == 200
    assert large.count == small.count


def test_a_bad_page_number_is_not_an_error(everything, student_client):
    assert student_client.get("/profile/my-data?kind=consent_record&page=-3").status_code == 200
    assert student_client.get("/profile/my-data?kind=nothing&page=x").status_code == 200
    past_the_end = student_client.get("/profile/my-data?kind=consent_record&page=9").text
    assert "Page 2 of 2" in past_the_end  # the last page, not an empty one


def test_a_request_emailed_from_the_address_alone_is_a_record_of_its_own(
    app, make_user, student_client, student
):
    """An emailed request whose request belongs to nobody the person is (an address only)
    still shows, as an emailed request of its own."""
    ingest(emailed_request("someone.else@example.org"), source="pipe")
    db.session.execute(registry_table("intake_message").update().values(from_address=student.email))
    db.session.commit()
    kinds = {k.table: k for k in collector.collect(subject_of(student))}
    assert len(kinds["intake_message"].records) == 1
    assert "Personal Data Update" in student_client.get("/profile/my-data").text


def registry_table(name: str):
    return db.metadata.tables[name]


def test_my_data_never_shows_another_persons_records(everything, make_user, app):
    other = make_user("other@example.com", full_name="Other Person")
    client = app.test_client()
    client.submit("/login", {"email": other.email, "password": "correct horse battery"})
    page = read_my_data(client)
    assert everything.email not in page.values
    assert not any(LONG_MESSAGE.strip() in value for value in page.values)
    codes = set(db.session.scalars(select(Certificate.code)))
    assert codes.isdisjoint(page.values)
    assert not re.search(r"203\.0\.113\.7", "".join(page.text))


def test_times_on_my_data_are_valid_html_and_keep_the_exported_value(everything, student_client):
    """HTML's datetime attribute takes at most milliseconds; the exact stored value rides in
    a <data> element beside it, so nothing the export holds is lost from the page."""
    page = student_client.get("/profile/my-data").text
    moments = re.findall(r'<time datetime="([^"]+)"', page)
    assert moments
    assert not [moment for moment in moments if re.search(r"\.\d{4,}", moment)]


def test_what_a_person_typed_is_shown_as_text_never_as_markup(student, student_client):
    typed = 'Learn <b>"German"</b> & <script>alert(1)</script>'
    student_client.submit("/profile", {**FULL_PROFILE, "learning_goals": typed})
    page = student_client.get("/profile/my-data").text
    assert "<script>alert(1)</script>" not in page and "<b>" not in page
    escaped = (
        "Learn &lt;b&gt;&#34;German&#34;&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;"
    )
    assert f'<data value="{escaped}" class="held">{escaped}</data>' in page


def test_rows_under_a_record_write_typed_text_as_text_times_whole_and_empty_cells_blank(app):
    """The rows under a record (an enrolment's lessons, thousands in an export) are written
    cell by cell as a value alone is written: escaped, a time with its exact stored value."""
    lesson = registry.field("lesson_progress", "lesson_id")
    done = registry.field("lesson_progress", "done_at")
    typed = 'Lesson <b>"1"</b> & more'
    at = datetime(2025, 3, 4, 5, 6, 7, 123456)
    full = collector.Record("lesson_progress", 1, [lesson, done], (typed, at))
    empty = collector.Record("lesson_progress", 2, [lesson, done], ("", None))
    lessons = collector.Kind(registry.ownership("lesson_progress"), [full, empty], 2)
    with app.test_request_context(), force_locale("en"):
        written = holdings.ValueWriter().rows(lessons)
    escaped = "Lesson &lt;b&gt;&#34;1&#34;&lt;/b&gt; &amp; more"
    assert written == (
        f'<tr><td><data value="{escaped}" class="held">{escaped}</data></td>'
        '<td><data value="2025-03-04T05:06:07.123456" class="held">'
        '<time datetime="2025-03-04T05:06:07.123">3/4/25, 5:06\u202fAM</time></data></td></tr>\n  '
        "<tr><td></td><td></td></tr>\n  "
    )


def test_my_data_writes_labels_and_times_in_the_readers_language_and_timezone(
    app, student, student_client
):
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Vladivostok"
    student_client.submit("/profile", {**FULL_PROFILE, "locale": "ru"})
    page = student_client.get("/profile/my-data").text
    signed_in = db.session.get(User, student.id).last_login_at
    with app.test_request_context(), force_locale("ru"):
        written = format_datetime(signed_in, "short")  # Babel's own, in the site's timezone
        label = str(registry.field("user", "last_login_at").label)
    assert f"<dt>{html.escape(label, quote=False)}</dt>" in page
    assert f">{written}</time>" in page
