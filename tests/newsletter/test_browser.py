"""Staff compose, preview and send a newsletter in Chromium, and watch the progress bar fill."""

import threading

import pytest
from playwright.sync_api import expect

from school.accounts.models import Role
from school.extensions import db
from school.mail.services import run_worker
from tests.conftest import PASSWORD, create_user, link_in

pytestmark = pytest.mark.browser


def seed(application, readers: int) -> None:
    with application.app_context():
        create_user("staff@example.com", full_name="Sofia Staff", role=Role.STAFF)
        for index in range(readers):
            create_user(f"reader{index}@example.com", full_name=f"Reader {index}", marketing=True)
        db.session.remove()


def test_compose_preview_and_send_with_a_progress_bar(page, live_server, smtp, axe_check):
    base = live_server.url
    seed(live_server.app, readers=12)

    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill("staff@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/admin/newsletters/")
    axe_check(page)
    page.get_by_role("link", name="Write a newsletter").click()
    axe_check(page)
    page.get_by_label("Subject").fill("Summer intensive")
    page.get_by_label("Text (Markdown)").fill("## Two weeks of Russian\n\n- mornings\n- evenings")
    page.get_by_label("Audience language").select_option("en")
    page.get_by_role("button", name="Save and preview").click()
    page.wait_for_url(f"{base}/admin/newsletters/*")
    assert page.get_by_role("heading", name="Two weeks of Russian").is_visible()
    assert page.get_by_text("Audience now: 12.").is_visible()
    axe_check(page)

    page.get_by_role("button", name="Send a test to me").click()
    page.wait_for_load_state()
    assert page.get_by_text("A test copy is on its way").is_visible()
    assert smtp.last_to("staff@example.com")["Subject"] == "[Test] Summer intensive"

    page.get_by_role("button", name="Send to the audience (12)").click()
    page.wait_for_load_state()
    progress = page.locator("progress#progress-bar")
    assert progress.is_visible()
    assert page.locator("#progress-remaining").inner_text() == "12"
    axe_check(page)

    # The mail worker, as `make run` starts it, sends in the background at 20 a second.
    live_server.app.config["MAIL_RATE_PER_SECOND"] = 20
    stop = threading.Event()

    def work():
        with live_server.app.app_context():
            run_worker(interval=0.1, stop=stop.is_set)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        expect(page.locator("#progress-percent")).to_have_text("100%", timeout=20_000)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert progress.evaluate("bar => [bar.value, bar.max]") == [12, 12]
    assert page.locator("#progress-sent").inner_text() == "12"
    assert page.locator("#progress-remaining").inner_text() == "0"
    assert len([m for m in smtp.messages if "reader" in str(m["To"])]) == 12
    axe_check(page)

    page.goto(f"{base}/admin/newsletters/")
    assert page.get_by_role("link", name="Summer intensive").is_visible()
    axe_check(page)


def test_a_visitor_subscribes_confirms_and_unsubscribes(page, live_server, smtp, axe_check):
    base = live_server.url
    page.goto(f"{base}/")
    page.get_by_role("link", name="Newsletter").click()
    page.wait_for_url(f"{base}/newsletter")
    axe_check(page)
    page.get_by_label("Email address").fill("reader@example.com")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_url(f"{base}/newsletter/check-email")
    axe_check(page)

    page.goto(link_in(smtp.last_to("reader@example.com"), "/newsletter/confirm/"))
    axe_check(page)
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_role("heading", name="Subscription confirmed").wait_for()  # the POST's answer
    axe_check(page)

    with live_server.app.app_context():
        from school.newsletter.models import Subscriber
        from school.newsletter.services import unsubscribe_token

        subscriber_id = db.session.scalar(db.select(Subscriber.id))
        token = unsubscribe_token(subscriber_id=subscriber_id)
        db.session.remove()
    page.goto(f"{base}/newsletter/unsubscribe/{token}")
    axe_check(page)
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
    axe_check(page)
