"""Shared steps for privacy-centre tests: ask as the student, decide as staff."""

import html

from sqlalchemy import select

from school.extensions import db
from school.privacy.requests.models import PrivacyRequest


def ask(client, kind: str, follow_redirects=False, **fields):
    prefix = {"correction": "correction", "inquiry": "inquiry"}.get(kind, kind)
    data = {"kind": kind, f"{prefix}-type": kind}
    for name, value in fields.items():
        data[f"{prefix}-{name}"] = value
    return client.submit(
        "/privacy/centre/requests",
        data,
        csrf_field=f"{prefix}-csrf_token",
        follow_redirects=follow_redirects,
    )


def latest(kind: str | None = None) -> PrivacyRequest:
    db.session.expire_all()
    query = select(PrivacyRequest).order_by(PrivacyRequest.id.desc())
    if kind:
        query = query.where(PrivacyRequest.type == kind)
    return db.session.scalars(query).first()


def decide(staff_client, request, action="approve", **data):
    response = staff_client.submit(
        f"/admin/privacy/{request.public_id}/{action}", data, follow_redirects=True
    )
    return html.unescape(response.text)
