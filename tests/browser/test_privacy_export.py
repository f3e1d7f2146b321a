"""A student asks for their data, staff approve, the student downloads a ZIP that opens."""

import json
import zipfile

import pytest

from school.accounts.models import Role
from tests.browser.helpers import add_person, log_in, log_out

pytestmark = pytest.mark.browser


def test_export_approved_and_downloaded(page, live_server, smtp, axe_check, tmp_path):
    base = live_server.url
    add_person(live_server, "nora@example.com", "Nora Student")
    add_person(live_server, "boss@example.com", "Boris Staff", Role.STAFF)

    log_in(page, base, "nora@example.com")
    page.goto(f"{base}/privacy/centre")
    axe_check(page)
    page.get_by_text("A copy of my data (export)").click()
    page.locator("details[open]").get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your request is with our staff").is_visible()
    axe_check(page)
    log_out(page, base)

    log_in(page, base, "boss@example.com")
    page.goto(f"{base}/admin/privacy/")
    axe_check(page)
    page.locator("tbody a").first.click()
    page.wait_for_load_state()
    axe_check(page)
    page.get_by_role("button", name="Approve and carry out").click()
    page.wait_for_load_state()
    assert page.get_by_text("Done; the person is told by email.").is_visible()
    log_out(page, base)

    log_in(page, base, "nora@example.com")
    page.goto(f"{base}/privacy/centre")
    page.get_by_role("link", name="A copy of my data (export)").click()
    page.wait_for_load_state()
    axe_check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your data (ZIP)").click()
    target = tmp_path / "my-data.zip"
    download_info.value.save_as(target)
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        data = json.loads(archive.read("data.json"))
        assert data["tables"]["user"][0]["email"] == "nora@example.com"
        assert "Nora Student" in archive.read("index.html").decode()
    assert smtp.last_to("nora@example.com")["Subject"] == "Your data export is ready"
