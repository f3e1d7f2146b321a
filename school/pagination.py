"""Paging for long lists, with a fixed number of queries whatever the size of the table."""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask_sqlalchemy.pagination import SelectPagination

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


class _RowPagination(SelectPagination):
    """Flask-SQLAlchemy's paging over a select of columns: each row becomes ``make_row(*row)``
    instead of the first column alone, so a long list reads only what it shows."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        make_row = self._query_args["make_row"]
        return [make_row(*row) for row in self._query_args["session"].execute(select)]


def paginate_rows(query, make_row: Callable, per_page: int = 20, parameter: str = "page"):
    """Like :func:`paginate`, for a select of columns turned into ``make_row`` values."""
    return _RowPagination(
        select=query,
        session=db.session(),
        make_row=make_row,
        page=request.args.get(parameter, 1, type=int),
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )
