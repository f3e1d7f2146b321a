"""Recording and summarising visits, only for people who agreed to analytics.

IP addresses are shortened before they are stored (the last octet of IPv4, the last 80 bits
of IPv6), no row names an account, a person under restriction of processing is never
counted, and rows older than the registry's ``ANALYTICS_RETENTION`` are deleted by retention.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from school.analytics.models import PageView
from school.database import utcnow
from school.extensions import db

VISIT_COOKIE = "visit_id"
VISIT_LIFETIME = timedelta(minutes=30)

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))  # fmt: skip
_SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))  # fmt: skip
SCREEN_PATTERN = re.compile(r"^\d{2,5}x\d{2,5}$")


def truncate_ip(address: str | None) -> str:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def family(user_agent: str, table) -> str:
    for marker, name in table:
        if marker in user_agent:
            return name
    return "Other"


def should_count(request, response, choice, user) -> bool:
    if not choice.analytics or request.method != "GET" or response.status_code != 200:
        return False
    if response.mimetype != "text/html":
        return False
    if request.path.startswith(("/admin", "/static")):
        return False
    return not (user is not None and user.is_authenticated and user.is_restricted)


def record_view(request, visit_id: str | None) -> str:
    """Store one page view and return the visit id to keep in the cookie."""
    visit_id = visit_id if visit_id and len(visit_id) <= 32 else secrets.token_hex(16)
    agent = request.headers.get("User-Agent", "")
    languages = request.accept_languages
    db.session.add(
        PageView(
            visit_id=visit_id,
            path=request.path[:300],
            browser=family(agent, _BROWSERS),
            os=family(agent, _SYSTEMS),
            language=(languages[0][0] if languages else "")[:20],
            ip_prefix=truncate_ip(request.remote_addr),
        )
    )
    db.session.commit()
    return visit_id


def record_screen(visit_id: str, screen: str) -> bool:
    """Note the screen size a visit reported (from the analytics script)."""
    if not SCREEN_PATTERN.match(screen or ""):
        return False
    latest = db.session.scalar(
        select(PageView).where(PageView.visit_id == visit_id).order_by(PageView.at.desc()).limit(1)
    )
    if latest is None:
        return False
    latest.screen = screen
    db.session.commit()
    return True


@dataclass
class Summary:
    views: int
    visits: int
    average_seconds: float
    pages: list
    entries: list
    exits: list
    browsers: list
    systems: list
    languages: list
    screens: list


def summary(days: int = 30, top: int = 10) -> Summary:
    since = utcnow() - timedelta(days=days)
    recent = select(PageView).where(PageView.at >= since).subquery()

    def counts(column):
        return db.session.execute(
            select(column, func.count()).group_by(column).order_by(func.count().desc()).limit(top)
        ).all()

    visits = (
        select(
            recent.c.visit_id,
            func.min(recent.c.at).label("first"),
            func.max(recent.c.at).label("last"),
        )
        .group_by(recent.c.visit_id)
        .subquery()
    )
    first_rows = (
        select(recent.c.path)
        .join(visits, (visits.c.visit_id == recent.c.visit_id) & (visits.c.first == recent.c.at))
        .subquery()
    )
    last_rows = (
        select(recent.c.path)
        .join(visits, (visits.c.visit_id == recent.c.visit_id) & (visits.c.last == recent.c.at))
        .subquery()
    )
    durations = db.session.execute(select(visits.c.first, visits.c.last)).all()
    seconds = [(last - first).total_seconds() for first, last in durations]
    return Summary(
        views=db.session.scalar(select(func.count()).select_from(recent)) or 0,
        visits=len(durations),
        average_seconds=sum(seconds) / len(seconds) if seconds else 0.0,
        pages=counts(recent.c.path),
        entries=counts(first_rows.c.path),
        exits=counts(last_rows.c.path),
        browsers=counts(recent.c.browser),
        systems=counts(recent.c.os),
        languages=counts(recent.c.language),
        screens=counts(recent.c.screen),
    )
