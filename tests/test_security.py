"""Security defaults that hold for every page: headers, CSRF, staff-only routes, cookies."""

import re

import pytest

from school.security import CONTENT_SECURITY_POLICY, staff_blueprint

# Routes that take POSTs without the session's CSRF token, each for a stated reason.
CSRF_EXEMPT: dict[str, str] = {}


def staff_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin") or rule.endpoint.startswith("admin.")
    ]


def concrete_path(rule) -> str:
    """A URL for a rule, with every variable filled by a harmless value."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        values[name] = 1 if "Integer" in converter else "x"
    return rule.build(values)[1]


def test_every_page_sends_the_security_headers(client):
    response = client.get("/")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_template_contains_inline_script_or_style(app):
    """CSP forbids inline code, so no template may rely on it."""
    from pathlib import Path

    templates = Path(app.template_folder)
    offenders = []
    for path in templates.rglob("*.html"):
        if "email" in path.relative_to(templates).parts:
            continue  # emails are not pages; mail clients need inline style
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=", text):
            offenders.append(str(path.relative_to(templates)))
        if re.search(r"\son[a-z]+=", text):
            offenders.append(str(path.relative_to(templates)))
    assert offenders == []


def test_staff_routes_send_visitors_to_log_in(app, client):
    rules = staff_rules(app)
    assert rules, "the admin blueprint has no routes?"
    for rule in rules:
        path = concrete_path(rule)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        assert response.status_code in (302, 400), (path, response.status_code)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], path


def test_staff_routes_refuse_students(app, student_client):
    for rule in staff_rules(app):
        path = concrete_path(rule)
        method = "GET" if "GET" in rule.methods else "POST"
        response = student_client.open(path, method=method)
        assert response.status_code in (403, 400), (path, response.status_code)


def test_every_rule_under_admin_belongs_to_a_blueprint_made_by_the_staff_factory(app):
    """The guard comes with the blueprint, so no staff page can be added without it."""
    outside = set()
    for rule in staff_rules(app):
        blueprint = app.blueprints.get(rule.endpoint.rpartition(".")[0])
        if blueprint is None or not getattr(blueprint, "made_by_staff_factory", False):
            outside.add(blueprint.name if blueprint else rule.endpoint)
    assert outside == set()


def test_the_staff_factory_installs_the_guard_and_keeps_staff_pages_under_admin(app):
    blueprint = staff_blueprint("example_admin", __name__, url_prefix="/admin/example")

    @blueprint.route("/", shows=None)
    def page():
        return "staff only"

    app.register_blueprint(blueprint)
    with app.test_request_context("/admin/example/"):
        assert app.preprocess_request() is not None  # an anonymous visitor is turned away
    with pytest.raises(ValueError):
        staff_blueprint("public", __name__, url_prefix="/courses")


def test_staff_can_open_the_staff_home(staff_client):
    assert staff_client.get("/admin/").status_code == 200


def test_every_post_route_requires_a_csrf_token(app, student_client):
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in CSRF_EXEMPT:
            continue
        response = student_client.post(concrete_path(rule), data={})
        assert response.status_code == 400, (rule.rule, response.status_code)


def test_session_cookie_is_httponly_and_samesite(client, student, auth):
    response = auth.login(student.email)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_cookies_are_secure_by_default_and_relaxed_only_in_development(tmp_path):
    from school import create_app

    production = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    development = create_app(
        {"INSTANCE_PATH": str(tmp_path), "TESTING": True, "SCHOOL_ENV": "development"}
    )
    assert development.config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    "target,safe",
    [
        ("/account", True),
        ("/courses?level=B1", True),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_safe_redirect_targets(app, target, safe):
    from school.security import is_safe_redirect

    with app.test_request_context("/"):
        assert is_safe_redirect(target) is safe


def test_secret_key_is_generated_into_the_instance_folder(tmp_path):
    from school import create_app

    first = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True})
    assert len(first.config["SECRET_KEY"]) == 64
    key_file = tmp_path / "secret_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    again = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True})
    assert again.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_links_in_emails_ignore_a_forged_host_header(client, smtp, student):
    from tests.conftest import text_of

    forged = {"Host": "evil.example"}
    page = client.get("/forgot-password", headers=forged)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/forgot-password",
        data={"email": student.email, "csrf_token": token},
        headers=forged,
    )
    assert response.status_code == 200

    body = text_of(smtp.last_to(student.email))
    assert "evil.example" not in body
    assert "http://school.test/reset-password/" in body


def test_a_body_over_the_limit_gets_a_friendly_page_anywhere(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "y" * 5000})
    assert response.status_code == 413
    assert "larger than we accept" in response.text
