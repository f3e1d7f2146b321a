"""Steps shared by the browser journeys: accounts on the live server, signing in and out."""

from school.accounts.models import Role
from tests.conftest import PASSWORD, create_user


def add_person(live_server, email: str, full_name: str, role: Role = Role.STUDENT) -> str:
    with live_server.app.app_context():
        create_user(email, full_name=full_name, role=role)
    return email


def log_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def log_out(page, base):
    page.goto(f"{base}/logout")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
