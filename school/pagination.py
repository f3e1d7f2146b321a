"""Paging for long lists, with a fixed number of queries whatever the size of the table."""

from __future__ import annotations

from flask import request
from flask_sqlalchemy.pagination import Pagination

from school.extensions import db

# Beyond any list: a larger number is read as this one, past the end like any page too far,
# rather than an offset too large for the database's integers (a 500).
FURTHEST_PAGE = 10**9


def paginate(query, per_page: int = 20, parameter: str = "page"):
    """Flask-SQLAlchemy's paginate, reading ``?page=`` (or ``parameter``, for a second list
    on the same page) and never failing on a bad number."""
    return db.paginate(
        query,
        page=requested_page(parameter),
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )


def requested_page(parameter: str = "page") -> int:
    """The page number asked for in ``?page=`` (or ``parameter``): 1 when it is missing, not
    a number or below 1."""
    return min(max(request.args.get(parameter, 1, type=int), 1), FURTHEST_PAGE)


class FetchedPage(Pagination):
    """Flask-SQLAlchemy's page, for rows and a total fetched together by the caller (one
    statement can return both) instead of by two queries of its own; ``_pager.html`` reads
    it as any other page."""

    def __init__(self, items: list, total: int, page: int, per_page: int):
        super().__init__(
            page=page, per_page=per_page, max_per_page=None, error_out=False, fetched=(items, total)
        )

    def _query_items(self) -> list:
        return self._query_args["fetched"][0]

    def _query_count(self) -> int:
        return self._query_args["fetched"][1]
