"""The layout at 375, 768 and 1280 pixels, in English and Russian, in Chromium.

At desktop width the header holds on one line; on narrow screens it is a menu that opens and
whose links work; the footer reaches the bottom of the window on a short page; nothing is
wider than the screen; printing a course page leaves out the navigation and the forms.
"""

import pytest

from school.accounts.models import Role
from school.demo import seed_course_pictures, seed_courses
from tests.browser.helpers import add_person, log_in

pytestmark = pytest.mark.browser

DESKTOP, TABLET, PHONE = 1280, 768, 375
COURSES = {"en": "Courses", "ru": "Курсы"}
MENU = {"en": "Menu", "ru": "Меню"}
OTHER_LANGUAGE = {"en": "Русский", "ru": "English"}


@pytest.fixture
def school(live_server):
    """The demo courses, with their drawn pictures, on the live server."""
    with live_server.app.app_context():
        seed_courses()
        seed_course_pictures()
    return live_server


def visit_as(page, base, who, language):
    """Sign in as ``who`` (None: a visitor), answer the cookie banner, pick the language."""
    page.goto(f"{base}/")
    page.locator("#cookie-refuse_all").click()
    page.wait_for_load_state()
    if who is not None:
        log_in(page, base, who)
    if language == "ru":
        if page.locator(".menu-button").is_visible():
            page.locator(".menu-button").click()
        page.get_by_role("button", name="Русский").click()
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language


def people(live_server):
    return {
        "visitor": None,
        "student": add_person(live_server, "olga@example.com", "Olga Layout"),
        "staff": add_person(live_server, "boss@example.com", "Staff Layout", Role.STAFF),
    }


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_header_holds_on_one_line_at_desktop_width(page, school, language, axe_check):
    """Every header item, for a visitor, a student and staff, shares one line."""
    page.set_viewport_size({"width": DESKTOP, "height": 800})
    for role, who in people(school).items():
        page.context.clear_cookies()
        visit_as(page, school.url, who, language)
        for path in ("/", "/courses", "/privacy"):
            page.goto(school.url + path)
            assert page.locator(".menu-button").is_hidden()
            items = page.locator(".site-header .brand, .site-header .nav > li, .language-switch")
            boxes = [items.nth(n).bounding_box() for n in range(items.count())]
            middles = {round(box["y"] + box["height"] / 2) for box in boxes}
            assert max(middles) - min(middles) <= 4, (role, path, boxes)
            assert page.locator(".site-header").bounding_box()["height"] < 80, (role, path)
            assert no_sideways_scrolling(page), (role, path)
        axe_check(page)


@pytest.mark.parametrize("width", [PHONE, TABLET])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_narrow_screens_get_a_menu_that_opens_and_whose_links_work(
    page, school, width, language, axe_check
):
    page.set_viewport_size({"width": width, "height": 800})
    student = people(school)["student"]
    visit_as(page, school.url, student, language)
    header = page.locator(".site-header")
    courses_link = header.get_by_role("link", name=COURSES[language], exact=True)
    assert courses_link.is_hidden()
    assert no_sideways_scrolling(page)

    header.get_by_text(MENU[language], exact=True).click()
    assert courses_link.is_visible()
    assert header.get_by_role("button", name=OTHER_LANGUAGE[language]).is_visible()
    axe_check(page)

    courses_link.click()
    page.wait_for_url(f"{school.url}/courses")
    assert courses_link.is_hidden()  # a new page starts with the menu closed
    assert no_sideways_scrolling(page)
    axe_check(page)


@pytest.mark.parametrize("width", [PHONE, TABLET, DESKTOP])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_footer_reaches_the_bottom_of_a_short_page(page, live_server, width, language):
    page.set_viewport_size({"width": width, "height": 1400})
    visit_as(page, live_server.url, None, language)
    page.goto(f"{live_server.url}/contact")
    window = page.evaluate("window.innerHeight")
    assert page.evaluate("document.documentElement.scrollHeight") == window  # a short page
    footer = page.locator(".site-footer").bounding_box()
    assert abs(footer["y"] + footer["height"] - window) <= 1


@pytest.mark.parametrize("width", [PHONE, TABLET, DESKTOP])
def test_course_cards_and_the_course_page_show_pictures_and_the_facts(page, school, width):
    """Cards in a row line up, each with its picture; the course page shows the teacher,
    schedule, level and seats at a glance."""
    page.set_viewport_size({"width": width, "height": 900})
    visit_as(page, school.url, None, "en")
    page.goto(f"{school.url}/courses")
    cards = page.locator(".course-card")
    assert cards.count() == 12
    first_row = [cards.nth(n).bounding_box() for n in range(3)]
    row = [box for box in first_row if abs(box["y"] - first_row[0]["y"]) < 1]
    assert len({round(box["height"]) for box in row}) == 1  # same height in a row
    picture = cards.first.locator("img.card-image")
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", picture.element_handle())
    assert no_sideways_scrolling(page)

    cards.first.locator(".card-title a").click()
    glance = page.locator(".glance")
    for fact in ("Teacher", "Schedule", "Level", "Seats left"):
        assert glance.get_by_text(fact, exact=True).is_visible()
    photo = glance.locator("img.avatar")
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", photo.element_handle())
    assert no_sideways_scrolling(page)


def test_a_printed_course_page_leaves_out_navigation_and_forms(page, school):
    visit_as(page, school.url, None, "en")
    page.goto(f"{school.url}/courses")
    page.locator(".course-card .card-title a").first.click()
    page.emulate_media(media="print")
    assert page.locator(".site-menu").is_hidden()
    assert page.locator("#enrol").is_hidden()
    assert page.locator(".site-footer nav").is_hidden()
    assert page.locator(".glance").is_visible()
    assert page.get_by_role("heading", name="Syllabus").is_visible()
