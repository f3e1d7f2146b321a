"""Course pictures and teacher photos: uploaded by staff, re-encoded like profile photos,
served publicly, replaced and removed with their files, declared in the registry."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import select

from school.courses.models import Course
from school.courses.services import picture_dir
from school.extensions import db
from school.privacy.data import registry
from tests.courses.test_staff_editing import FORM
from tests.profile.helpers import jpeg_with_exif, png


def save(staff_client, url="/admin/courses/new", **files):
    data = dict(FORM)
    for name, (content, filename) in files.items():
        data[name] = (io.BytesIO(content), filename, "image/jpeg")
    return staff_client.submit(url, data, content_type="multipart/form-data")


def the_course() -> Course:
    db.session.expire_all()
    return db.session.scalars(select(Course)).one()


def stored() -> list[str]:
    folder = picture_dir()
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_staff_upload_a_course_picture_and_a_teacher_photo_re_encoded(app, staff_client):
    original = jpeg_with_exif(size=(3000, 2000))
    response = save(
        staff_client, image=(original, "class.jpg"), teacher_photo=(original, "diego.jpg")
    )
    assert response.status_code == 302
    course = the_course()
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", course.image_file)
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", course.teacher_photo_file)
    assert stored() == sorted([course.image_file, course.teacher_photo_file])
    for name, side in (
        (course.image_file, app.config["COURSE_IMAGE_SIDE"]),
        (course.teacher_photo_file, app.config["TEACHER_PHOTO_SIDE"]),
    ):
        data = (picture_dir() / name).read_bytes()
        assert b"SecretCam" not in data
        with Image.open(io.BytesIO(data)) as picture:
            assert picture.format == "JPEG"
            assert max(picture.size) == side
            assert dict(picture.getexif()) == {}


def test_pictures_are_shown_on_the_course_page_and_card_and_served_to_anyone(staff_client, client):
    save(staff_client, image=(png((800, 450)), "a.png"), teacher_photo=(png(), "t.png"))
    course = the_course()
    for path in ("/courses", f"/courses/{course.slug}", "/"):
        page = client.get(path).text
        assert f"/courses/pictures/{course.image_file}" in page, path
        assert f"/courses/pictures/{course.teacher_photo_file}" in page, path
    response = client.get(f"/courses/pictures/{course.image_file}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_a_new_picture_replaces_the_old_file_and_removal_deletes_it(staff_client, client):
    save(staff_client, image=(png(), "one.png"), teacher_photo=(png(), "t.png"))
    first = the_course()
    old_image, photo = first.image_file, first.teacher_photo_file
    edit = f"/admin/courses/{first.slug}/edit"

    save(staff_client, edit, image=(png((100, 60)), "two.png"))
    course = the_course()
    assert course.image_file != old_image
    assert course.teacher_photo_file == photo  # untouched when no file is chosen
    assert stored() == sorted([course.image_file, photo])
    assert client.get(f"/courses/pictures/{old_image}").status_code == 404

    response = staff_client.submit(
        edit, dict(FORM, remove_teacher_photo="y"), content_type="multipart/form-data"
    )
    assert response.status_code == 302
    course = the_course()
    assert course.teacher_photo_file is None
    assert stored() == [course.image_file]
    assert client.get(f"/courses/pictures/{photo}").status_code == 404


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_changes(staff_client):
    save(staff_client, image=(png(), "one.png"))
    course = the_course()
    before = (course.title, course.image_file)
    page = save(
        staff_client,
        f"/admin/courses/{course.slug}/edit",
        image=(b"%PDF-1.4 not a picture", "cv.pdf"),
        teacher_photo=(png(), "t.png"),
    )
    assert page.status_code == 200
    assert "This file is not a picture we can read" in page.text
    course = the_course()
    assert (course.title, course.image_file) == before
    assert course.teacher_photo_file is None
    assert stored() == [course.image_file]  # the teacher photo of the refused save is gone


def test_picture_addresses_cannot_leave_their_folder(client):
    assert client.get("/courses/pictures/..%2Fschool.sqlite3").status_code == 404
    assert client.get("/courses/pictures/.hidden").status_code == 404


def test_the_teacher_photo_is_declared_as_the_teachers_personal_data():
    entry = registry.field("course", "teacher_photo_file")
    assert entry.category is registry.TEACHING
    assert entry.basis is registry.Basis.CONSENT
    assert entry.erasure is registry.Erasure.DELETE
    assert "course.image_file" in registry.declared_keys()


def test_demo_courses_get_drawn_pictures_through_the_same_pipeline(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    courses = db.session.scalars(select(Course)).all()
    assert courses and all(c.image_file and c.teacher_photo_file for c in courses)
    with Image.open(picture_dir() / courses[0].image_file) as picture:
        assert picture.format == "JPEG"
        assert max(picture.size) == app.config["COURSE_IMAGE_SIDE"]
    names = stored()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # idempotent: nothing redrawn
    assert stored() == names
