"""The staff queue: requests in the order they fall due, and how many are late or nearly so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import Date, bindparam, case, false, func, literal_column, select, true

from school.database import Prebuilt, committed_value, utcnow
from school.extensions import db
from school.privacy.requests.models import (
    NO_DEADLINE,
    OPEN_STATUSES,
    QUEUE_VERSION_ROW,
    PrivacyRequest,
    QueueVersion,
    RequestChannel,
    RequestStatus,
    RequestType,
)


class QueueRow(NamedTuple):
    """A request as the staff queue lists it: the columns it shows, not the whole row (a
    tuple, unpacked by the template: thirty of them are made on every page).

    Who asked is not among them, only whether they have an account: the list is for choosing
    what to handle next, by deadline and kind, and needs nobody's name or address. The person
    is shown on the request's own page, and that look is in the access log; a list of thirty
    addresses would put thirty people's looks in the log each time anyone opened the queue,
    which tells none of them anything about who dealt with their request.
    """

    public_id: str
    type: RequestType
    status: RequestStatus
    channel: RequestChannel
    has_account: bool
    deadline: date | None  # None before the clock starts
    overdue: bool  # open, and its deadline has passed


@dataclass
class Deadlines:
    overdue: int
    due_soon: int


@dataclass
class QueuePage:
    """One page of the queue, how many requests the whole filtered queue holds (for the
    pager), and the deadline counts of the open ones, as one statement returns them."""

    rows: list[QueueRow]
    total: int
    deadlines: Deadlines


DUE_SOON_DAYS = 3

# The statements are built once, here: building a select and working out its cache key on
# every request cost more than running it. Requests are read from the table, not the mapped
# class, so rows come back as plain tuples without the ORM's loading machinery.
_requests = PrivacyRequest.__table__
# The open statuses written into the SQL (our own constants), not bound: a list of values
# bound to IN is expanded into the statement's text again on every execution.
_open = _requests.c.status.in_([literal_column(f"'{s.value}'") for s in sorted(OPEN_STATUSES)])
_today = bindparam("today", type_=Date)
_soon = bindparam("soon", type_=Date)  # the last day counted as "due soon"
_due = _requests.c.due_by  # the deadline in force; NO_DEADLINE before the clock starts
_is_overdue = _open & (_due < _today)
_overdue = select(func.count()).where(_is_overdue).scalar_subquery()
_due_soon = select(func.count()).where(_open, _due >= _today, _due <= _soon).scalar_subquery()
_DEADLINES = Prebuilt(select(_overdue, _due_soon))
# Labelled as QueueRow's fields, in their order.
_ROW_COLUMNS = [
    _requests.c.public_id,
    _requests.c.type,
    _requests.c.status,
    _requests.c.channel,
    _requests.c.user_id.is_not(None).label("has_account"),
    func.nullif(_due, NO_DEADLINE, type_=Date).label("deadline"),
    case((_is_overdue, true()), else_=false()).label("overdue"),
]


@cache
def _page_statement(by_kind: bool, by_status: bool):
    """The page's rows, each beside the filtered total and the two deadline counts: the
    counts come from scalar subqueries joined to the page, so an empty page (a filter that
    matches nothing, a page past the end) still returns them, as one row of NULL columns.
    The rows skipped to reach the page are walked in the queue's index alone, and only the
    page's own rows are read from the table: page 200 of the completed ones costs about what
    page 1 does. One statement per combination of filters, with the values bound at
    execution."""
    matching = [_requests.c.status == bindparam("status") if by_status else _open]
    if by_kind:
        matching.append(_requests.c.type == bindparam("kind"))
    counts = select(
        select(func.count()).where(*matching).scalar_subquery().label("total"),
        _overdue.label("overdue_count"),
        _due_soon.label("due_soon_count"),
    ).subquery("counts")
    chosen = (
        select(_requests.c.id)
        .where(*matching)
        .order_by(_due, _requests.c.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("chosen")
    )
    page = (
        select(*_ROW_COLUMNS, _due, _requests.c.id)
        .join_from(chosen, _requests, _requests.c.id == chosen.c.id)
        .subquery("page")
    )
    return (
        select(counts, *(page.c[name] for name in QueueRow._fields))
        .select_from(counts.outerjoin(page, true()))
        .order_by(page.c.due_by, page.c.id)
    )


def _deadline_bounds(today: date | None) -> dict:
    today = today or utcnow().date()
    return {"today": today, "soon": today + timedelta(days=DUE_SOON_DAYS)}


def staff_queue(
    kind: RequestType | None,
    status: RequestStatus | None,
    *,
    page: int,
    per_page: int,
    today: date | None = None,
) -> QueuePage:
    """Page ``page`` of the requests of ``kind`` in ``status`` (any kind; the open ones by
    default), sorted by the date they are due, soonest first, in one statement whatever the
    page or the size of the table."""
    params = {"limit": per_page, "offset": (page - 1) * per_page, **_deadline_bounds(today)}
    if kind is not None:
        params["kind"] = kind
    if status is not None:
        params["status"] = status
    statement = _page_statement(kind is not None, status is not None)
    found = db.session.connection().execute(statement, params).all()
    total, overdue, due_soon = found[0][:3]
    return QueuePage(
        rows=[QueueRow._make(row[3:]) for row in found if row.public_id is not None],
        total=total,
        deadlines=Deadlines(overdue=overdue, due_soon=due_soon),
    )


_VERSION = Prebuilt(select(QueueVersion.version).where(QueueVersion.id == QUEUE_VERSION_ROW))


def queue_version() -> int:
    """The number the database raises with every change to what the queue lists (see
    :class:`QueueVersion`): a list rendered under it is current while it stays the same."""
    return committed_value(_VERSION)


def deadlines(today: date | None = None) -> Deadlines:
    """Open requests past their due date, and those due within three days, in one query."""
    [(overdue, due_soon)] = _DEADLINES.rows(db.session.connection(), _deadline_bounds(today))
    return Deadlines(overdue=overdue, due_soon=due_soon)


def overdue_requests(today: date | None = None) -> list[PrivacyRequest]:
    today = today or utcnow().date()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    return list(
        db.session.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.status.in_(OPEN_STATUSES), PrivacyRequest.due_by <= soon)
            .order_by(PrivacyRequest.due_by, PrivacyRequest.id)
        )
    )


def request_for_staff(public_id: str) -> PrivacyRequest | None:
    return db.session.scalar(select(PrivacyRequest).where(PrivacyRequest.public_id == public_id))
