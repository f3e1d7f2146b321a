"""Everything held about one person, as the records it is: the one reader of personal data.

The export, "My data" and the access report all read through ``collect``, so what a person
downloads, what they see and what they are told cannot differ. It walks the registry's
ownership rules (by account and by address, through ``personal_data.condition``), so a new
owned table is collected without a change here. A row of a table that is owned ``via`` a
parent is shown under its parent's record (an enrolment with its lessons and certificate, a
request with its history and the email that asked it); a child row found by address whose
parent is not the person's stands as a record of its own kind.

Paging is per kind of record: one page of parents, then the children of exactly those
parents, so the number of queries does not grow with the data.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, not_, or_, select

from school.extensions import db
from school.privacy.data import registry
from school.privacy.data.personal_data import Subject, condition, table


@dataclass(frozen=True)
class Value:
    """One labelled value of a record, as stored (decrypted; a key shown as what it names)."""

    field: registry.PersonalField
    value: object

    @property
    def label(self):
        return self.field.label

    @property
    def empty(self) -> bool:
        return is_empty(self.value)


def is_empty(value) -> bool:
    """Whether a stored value holds nothing a person would read (no value, no text)."""
    return value is None or value == "" or value == {} or value == []


@dataclass
class Record:
    """One row of one table about the person, with the rows that belong under it.

    Its values are kept as read, in the order of its kind's exported ``fields``, and paired
    with their fields only when asked for: an export writes thousands of rows straight from
    them (``held``), and would otherwise make an object for every value first.
    """

    kind: str
    key: object
    fields: list[registry.PersonalField]
    held: tuple
    # The kinds of rows under this one; most records (an enrolment's lessons) have none, and
    # share one empty tuple rather than each holding a list of their own.
    children: Sequence[Kind] = ()

    @property
    def values(self) -> list[Value]:
        return [Value(entry, value) for entry, value in zip(self.fields, self.held, strict=True)]

    def plain(self) -> dict:
        """The record's values by column, as JSON can hold them."""
        return {
            entry.column: plain(value) for entry, value in zip(self.fields, self.held, strict=True)
        }


@dataclass
class Kind:
    """The person's records of one table: all of them, or one page."""

    ownership: registry.Ownership
    records: list[Record]
    total: int
    page: int = 1
    per_page: int | None = None

    @property
    def table(self) -> str:
        return self.ownership.table

    @property
    def label(self):
        return self.ownership.label

    @property
    def pages(self) -> int:
        if not self.per_page:
            return 1
        return max(1, -(-self.total // self.per_page))

    # The names ``_pager.html`` reads, as on a Flask-SQLAlchemy page.
    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def fields(self) -> list[registry.PersonalField]:
        return exported_fields(self.table)

    @property
    def purposes(self) -> list[registry.Purpose]:
        """Why the school holds records of this kind, from the registry."""
        found: list[registry.Purpose] = []
        for entry in self.fields:
            if entry.purpose not in found:
                found.append(entry.purpose)
        return found

    def walk(self):
        """Every record of this kind and, depth first, every record under it."""
        for record in self.records:
            yield record
            for child in record.children:
                yield from child.walk()


# Held as JSON holds them, asked first: most of an export's thousands of values are text.
_PLAIN_ALREADY = frozenset({str, int, float, bool, type(None)})


def plain(value):
    """A value as JSON and CSV hold it: dates as ISO 8601, enums as their value."""
    if type(value) in _PLAIN_ALREADY:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return None
    return value


def exported_fields(table_name: str) -> list[registry.PersonalField]:
    return [entry for entry in registry.fields_of(table_name) if entry.export]


def kinds() -> list[registry.Ownership]:
    """The owned tables that hold exported values, parents before children."""
    return [o for o in registry.ownerships() if exported_fields(o.table)]


def _select(ownership: registry.Ownership):
    """SELECT of the table's key, its parent key (for a child) and its exported values, each
    ``shown_as`` key joined to the row it names: in that order, which ``_records`` and
    ``_attach`` read by position (by name, each of an export's thousands of values would be
    looked up through a mapping made for it)."""
    t = table(ownership.table)
    (key,) = t.primary_key.columns
    columns = [key.label("_key")]
    if ownership.via is not None:
        columns.append(t.c[ownership.column].label("_parent"))
    source = t
    for entry in exported_fields(ownership.table):
        if entry.shown_as is None:
            columns.append(t.c[entry.column].label(entry.column))
            continue
        target_table, target_column = entry.shown_as.split(".")
        target = table(target_table).alias(f"shown_{entry.column}")
        source = source.outerjoin(target, target.c.id == t.c[entry.column])
        columns.append(target.c[target_column].label(entry.column))
    return select(*columns).select_from(source), key


def _records(ownership: registry.Ownership, rows) -> list[Record]:
    """The rows of ``_select(ownership)`` as records."""
    entries = exported_fields(ownership.table)
    first = 1 if ownership.via is None else 2
    return [Record(ownership.table, row[0], entries, row[first:]) for row in rows]


def _kind(ownership: registry.Ownership, where, page: int, per_page: int | None) -> Kind:
    """One page (or all) of the kind's records matching ``where``, newest first; a page is
    counted by a query of its own, so the number of queries is the same for any amount."""
    query, key = _select(ownership)
    query = query.where(where).order_by(key.desc())
    if per_page:
        query = query.limit(per_page).offset((page - 1) * per_page)
    records = _records(ownership, db.session.execute(query))
    if not per_page:
        return Kind(ownership, records, len(records))
    t = table(ownership.table)
    total = db.session.scalar(select(func.count()).select_from(t).where(where))
    last = max(1, -(-total // per_page))
    if page > last:  # a page past the end (an old link) shows the last one
        return _kind(ownership, where, last, per_page)
    return Kind(ownership, records, total, page, per_page)


def _attach(ownership: registry.Ownership, parents: Kind) -> None:
    """Put every row of the child table ``ownership`` under its parent on ``parents``. Rows
    are taken as they come, never thousands held at once beside the records made from them."""
    by_key = {record.key: record for record in parents.records}
    if not by_key:
        return
    query, key = _select(ownership)
    column = table(ownership.table).c[ownership.column]
    entries = exported_fields(ownership.table)
    grouped: dict[object, list[Record]] = {}
    rows = db.session.execute(query.where(column.in_(list(by_key))).order_by(key.desc()))
    for row in rows:
        grouped.setdefault(row[1], []).append(Record(ownership.table, row[0], entries, row[2:]))
    for parent_key, records in grouped.items():
        parent = by_key[parent_key]
        parent.children = [*parent.children, Kind(ownership, records, len(records))]


def collect(
    subject: Subject, *, pages: Mapping[str, int] | None = None, per_page: int | None = None
) -> list[Kind]:
    """Every exported value held about ``subject``, as records grouped by kind.

    Without ``per_page`` every record of every kind comes back (the export, the access
    report). With it, each kind returns the page ``pages[table]`` (default 1) of its
    top-level records, each with all of its children. Kinds with no record are left out.
    """
    pages = pages or {}
    result: list[Kind] = []
    by_table: dict[str, Kind] = {}
    for ownership in kinds():
        page = max(1, int(pages.get(ownership.table, 1)))
        if ownership.via is None:
            where = condition(ownership, subject)
        else:
            if ownership.via in by_table:
                _attach(ownership, by_table[ownership.via])
            where = _strays(ownership, subject)
        if where is None:
            continue
        found = by_table[ownership.table] = _kind(ownership, where, page, per_page)
        if found.records:
            result.append(found)
    return result


def _strays(ownership: registry.Ownership, subject: Subject):
    """The person's child rows whose parent is not one of the person's own records (an
    emailed request found by its sender's address), or None when there can be none."""
    if ownership.email_column is None or not subject.email:
        return None
    t = table(ownership.table)
    parent = registry.ownership(ownership.via)
    parent_where = condition(parent, subject)
    mine = t.c[ownership.email_column] == subject.email
    if parent_where is None:
        return mine
    parent_ids = select(table(parent.table).c.id).where(parent_where)
    return and_(
        mine,
        or_(t.c[ownership.column].is_(None), not_(t.c[ownership.column].in_(parent_ids))),
    )


def tables(found: list[Kind]) -> dict[str, list[dict]]:
    """Every value of ``found`` by table, one dict per row, children flattened: the export's
    machine-readable form (data.json and the CSV files)."""
    data: dict[str, list[dict]] = {}
    for kind in found:
        for record in kind.walk():
            data.setdefault(record.kind, []).append(record.plain())
    return data
