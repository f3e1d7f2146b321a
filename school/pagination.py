"""Paging for long lists, with a fixed number of queries whatever the size of the table."""

from __future__ import annotations

from flask import request

from school.extensions import db


def paginate(query, per_page: int = 20, parameter: str = "page"):
    """Flask-SQLAlchemy's paginate, reading ``?page=`` (or ``parameter``, for a second list
    on the same page) and never failing on a bad number."""
    return db.paginate(
        query,
        page=request.args.get(parameter, 1, type=int),
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )
