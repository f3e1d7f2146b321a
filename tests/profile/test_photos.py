"""Photo uploads: only real pictures, within limits, re-encoded without metadata."""

from __future__ import annotations

import io
import re
import stat

import pytest
from PIL import Image

from school.extensions import db
from school.pictures import photo_dir
from school.profile.models import Profile
from tests.conftest import AuthActions, create_user
from tests.profile.helpers import decompression_bomb, jpeg_with_exif, png


def upload(client, data: bytes, filename="me.jpg", content_type="image/jpeg"):
    return client.submit(
        "/profile/photo",
        {"photo": (io.BytesIO(data), filename, content_type)},
        content_type="multipart/form-data",
    )


def stored_files(app):
    folder = photo_dir()
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_good_photo_is_stored_without_its_exif_and_resized(app, student_client, student):
    original = jpeg_with_exif(size=(3000, 2000))
    assert Image.open(io.BytesIO(original)).getexif()  # the test file does carry EXIF

    response = upload(student_client, original)
    assert response.status_code == 302

    profile = db.session.get(Profile, student.id)
    files = stored_files(app)
    assert [path.name for path in files] == [profile.photo_file]
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", profile.photo_file)  # random, not the user's id
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600

    with Image.open(files[0]) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == 1024
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info
    assert b"SecretCam" not in files[0].read_bytes()


def test_a_png_is_accepted_and_stored_as_jpeg(app, student_client, student):
    assert upload(student_client, png(), "me.png", "image/png").status_code == 302
    with Image.open(stored_files(app)[0]) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (64, 64)


def test_a_new_photo_replaces_the_old_file(app, student_client, student):
    upload(student_client, png())
    first = stored_files(app)
    upload(student_client, png((80, 80)))
    second = stored_files(app)
    assert len(second) == 1 and second != first


def _refused(app, client, student, data, message, **kwargs):
    response = upload(client, data, **kwargs)
    assert response.status_code == 400
    assert message in response.text
    assert stored_files(app) == []
    assert db.session.get(Profile, student.id) is None


def test_a_non_image_renamed_jpg_is_refused(app, student_client, student):
    _refused(
        app,
        student_client,
        student,
        b"MZ\x90\x00 this is really a program" * 100,
        "This file is not a picture we can read.",
    )


def test_an_empty_file_is_refused(app, student_client, student):
    _refused(app, student_client, student, b"", "The file is empty.")


def test_no_file_at_all_is_refused(app, student_client, student):
    response = student_client.submit("/profile/photo", {}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a photo to upload." in response.text


def test_a_decompression_bomb_is_refused_before_decoding(app, student_client, student):
    bomb = decompression_bomb()
    assert len(bomb) < 100_000
    _refused(app, student_client, student, bomb, "too many pixels", filename="bomb.png")


def test_a_file_over_the_photo_limit_is_refused(app, student_client, student):
    big = b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 10)
    _refused(app, student_client, student, big, "The photo is larger than 5 MB.")


def test_a_50_mb_upload_gets_a_friendly_page_and_changes_nothing(app, student_client, student):
    response = upload(student_client, b"0" * (50 * 1024 * 1024))
    assert response.status_code == 413
    assert "A photo may be at most 5 MB. Nothing was changed." in response.text
    assert stored_files(app) == []
    assert db.session.get(Profile, student.id) is None


def test_a_refused_upload_keeps_the_previous_photo(app, student_client, student):
    upload(student_client, png())
    before = stored_files(app)
    upload(student_client, b"not a picture")
    assert stored_files(app) == before
    assert db.session.get(Profile, student.id).photo_file == before[0].name


def test_the_owner_sees_the_photo_privately_and_can_remove_it(app, student_client, student):
    upload(student_client, png())
    response = student_client.get("/profile/photo")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]

    student_client.submit("/profile/photo/delete", csrf_field="del-csrf_token")
    assert stored_files(app) == []
    assert student_client.get("/profile/photo").status_code == 404


def test_the_photo_is_not_served_from_a_guessable_address(app, student_client, student, client):
    upload(student_client, png())
    name = stored_files(app)[0].name
    for path in (f"/photos/{name}", f"/instance/photos/{name}", f"/static/{name}"):
        assert client.get(path).status_code == 404
    assert client.get("/profile/photo").status_code == 302  # to the login page


@pytest.mark.parametrize("name", ["../secret_key", "..", ".hidden"])
def test_stored_names_cannot_leave_the_photo_folder(app, name):
    from school.pictures import photo_path

    with pytest.raises(FileNotFoundError):
        photo_path(name)


def test_the_pixel_limit_is_checked_from_the_header_before_decoding(make_app, smtp):
    """PHOTO_MAX_PIXELS refuses a picture below Pillow's own bomb threshold too."""
    app = make_app(PHOTO_MAX_PIXELS=1000)
    with app.app_context():
        create_user("pia@example.com", full_name="Pia Pixel")
        client = app.test_client()
        AuthActions(client).login("pia@example.com")
        response = upload(client, png((40, 30)), "small.png", "image/png")
        assert response.status_code == 400
        assert "too many pixels" in response.text
        assert upload(client, png((30, 30)), "smaller.png", "image/png").status_code == 302
        db.session.remove()
        db.engine.dispose()
