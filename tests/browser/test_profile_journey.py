"""A student fills in their profile, uploads a photo and reads "My data", in Chromium."""

from __future__ import annotations

import pytest

from school.accounts.models import Role
from tests.browser.helpers import add_person, log_in
from tests.profile.helpers import jpeg_with_exif

pytestmark = pytest.mark.browser


def _student(live_server) -> str:
    return add_person(live_server, "bea@example.com", "Bea Browser")


def test_profile_editing_with_a_photo_upload(page, live_server, axe_check, tmp_path):
    base = live_server.url
    log_in(page, base, _student(live_server))
    page.wait_for_url(f"{base}/")

    page.get_by_role("link", name="My profile").click()
    page.wait_for_url(f"{base}/profile")
    axe_check(page)

    photo = tmp_path / "holiday.jpg"
    photo.write_bytes(jpeg_with_exif(size=(1600, 1200)))
    page.get_by_label("Choose a photo").set_input_files(str(photo))
    page.get_by_role("button", name="Upload photo").click()
    page.wait_for_url(f"{base}/profile")
    assert page.get_by_text("Your photo is saved").is_visible()
    image = page.get_by_role("img", name="Your photograph")
    assert image.is_visible()
    assert image.evaluate("img => img.naturalWidth") == 1024
    axe_check(page)

    page.get_by_label("Display name").fill("Bea")
    page.get_by_label("Phone").fill("+375 29 765 43 21")
    page.get_by_label("Postal code").fill("220030")
    page.get_by_label("Date of birth").fill("1995-03-08")
    page.get_by_label("Workplace").fill("Minsk Library")
    page.get_by_label("Learning goals").fill("Read Goethe in the original")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url(f"{base}/profile")
    assert page.get_by_text("Your profile is saved.").is_visible()
    assert page.get_by_label("Workplace").input_value() == "Minsk Library"

    page.get_by_label("Postal code").fill("!!")
    page.get_by_role("button", name="Save profile").click()
    assert page.get_by_text("A postal code has 3 to 10 letters").is_visible()
    axe_check(page)

    page.get_by_label("Language you speak or learn").select_option("de")
    page.get_by_label("Your level").select_option("B1")
    page.get_by_role("button", name="Add or update").click()
    page.wait_for_url(f"{base}/profile")
    assert page.get_by_role("cell", name="German", exact=True).is_visible()
    axe_check(page)

    page.goto(f"{base}/profile/my-data")
    assert page.get_by_text("Minsk Library").is_visible()
    axe_check(page)

    page.goto(f"{base}/privacy/data")
    assert page.get_by_role("heading", name="What we hold and why").is_visible()
    axe_check(page)


def test_staff_open_a_profile_with_a_reason(page, live_server, axe_check):
    base = live_server.url
    _student(live_server)
    log_in(page, base, add_person(live_server, "stan@example.com", "Stan Staff", Role.STAFF))
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/admin/students")
    page.get_by_label("Name or email contains").fill("bea")
    page.get_by_role("button", name="Search").click()
    axe_check(page)
    page.get_by_role("link", name="Bea Browser").click()
    assert page.get_by_role("heading", name="Open the profile of Bea Browser").is_visible()
    axe_check(page)
    page.get_by_label("Why are you opening this profile?").select_option("enrolment")
    page.get_by_label("Details (shown to the student)").fill("Placement test")
    page.get_by_role("button", name="Open the profile").click()
    assert page.get_by_role("heading", name="Bea Browser", exact=True).is_visible()
    assert page.get_by_role("cell", name="Handling an enrolment: Placement test").is_visible()
    axe_check(page)
