"""Only a path on this site is followed after sign-in (and anywhere else ``next`` is read).

Browsers read many spellings as another host: a missing "//" after the scheme, backslashes,
tabs and newlines, which they drop. Each of these would send a person who just signed in
to a look-alike page asking for the password again.
"""

import pytest

from school.security import is_safe_redirect
from tests.conftest import AuthActions

UNSAFE = [
    "http:evil.example",
    "https:evil.example",
    "https:/evil.example",
    "http:///evil.example",
    "//evil.example",
    "///evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    " //evil.example",
    "/ /evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/\u2028/evil.example",
    "https://evil.example/",
    "HTTPS://evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "account",
    "",
    None,
]
SAFE = ["/", "/account", "/courses?level=B1", "/courses/spanish-a1#lessons", "/a/b/../c"]


@pytest.mark.parametrize("target", UNSAFE)
def test_other_sites_and_odd_spellings_are_refused(target):
    assert is_safe_redirect(target) is False


@pytest.mark.parametrize("target", SAFE)
def test_paths_on_this_site_are_accepted(target):
    assert is_safe_redirect(target) is True


@pytest.mark.parametrize("target", ["http:evil.example", "https:/evil.example", "/\t/evil"])
def test_signing_in_never_leaves_the_site(client, student, target):
    response = AuthActions(client).login(student.email, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
