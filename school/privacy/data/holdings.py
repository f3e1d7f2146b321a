"""Readable views of the data registry: the public "what we hold and why" page (by purpose),
a person's own "My data" page and what the access report says is held about them.

What is held about a person comes from ``collector.collect`` only; this module decides how a
value reads (a date in the person's locale, a key in words), never which values there are.
"""

from __future__ import annotations

import enum
import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import format_date, get_timezone
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from school.i18n import current_language, format_datetime_short
from school.privacy.data import collector, registry, stores
from school.privacy.data.personal_data import Subject

ERASURE_LABELS = {
    registry.Erasure.DELETE: _l("deleted"),
    registry.Erasure.ANONYMISE: _l("replaced by an anonymous value"),
    registry.Erasure.KEEP: _l("kept"),
}

# Records per kind on one page of "My data".
RECORDS_PER_PAGE = 20
# Shown on "My data" in a section of their own ("who looked at my data").
SHOWN_APART = {"staff_access"}


def jurisdiction() -> str:
    return str(current_app.config.get("PRIVACY_JURISDICTION", registry.DEFAULT_JURISDICTION))


# --- the public page: the registry by purpose -----------------------------------------------


@dataclass
class Group:
    """Fields of one purpose that share category, retention, export and erasure."""

    labels: list = field(default_factory=list)
    category: registry.Category | None = None
    retention: object = None
    export: bool = False
    erasure: object = None
    keep_reason: object = None
    encrypted: bool = False
    signature: tuple = ()


@dataclass
class PurposeSection:
    purpose: registry.Purpose
    legal_ground: object
    groups: list[Group] = field(default_factory=list)

    @property
    def categories(self) -> list[registry.Category]:
        seen: dict[str, registry.Category] = {}
        for group in self.groups:
            seen.setdefault(group.category.key, group.category)
        return list(seen.values())


def stores_beyond_the_database() -> list[stores.Store]:
    """Every declared store of personal data that is not a column: files, keys, links."""
    return [store for store in stores.STORES.values() if store is not stores.DATABASE]


def what_we_hold() -> list[PurposeSection]:
    """The registry grouped by purpose, each with its legal ground in the site's
    jurisdiction, for the public page and the access report."""
    where = jurisdiction()
    sections: OrderedDict[str, PurposeSection] = OrderedDict(
        (p.key, PurposeSection(p, p.legal_ground(where))) for p in registry.purposes()
    )
    for entry in registry.fields():
        section = sections[entry.purpose.key]
        signature = (
            entry.category.key,
            entry.retention.key,
            entry.export,
            entry.erasure,
            str(entry.keep_reason or ""),
        )
        for group in section.groups:
            if group.signature == signature:
                group.labels.append(entry.label)
                group.encrypted = group.encrypted or entry.encrypted
                break
        else:
            section.groups.append(
                Group(
                    labels=[entry.label],
                    category=entry.category,
                    retention=entry.retention.described,
                    export=entry.export,
                    erasure=ERASURE_LABELS[entry.erasure],
                    keep_reason=entry.keep_reason,
                    encrypted=entry.encrypted,
                    signature=signature,
                )
            )
    return [section for section in sections.values() if section.groups]


# --- one person: values as they read --------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A value as the page shows it: ``text`` for people, ``raw`` as the export holds it."""

    raw: str
    text: object
    is_time: bool = False
    moment: str = ""  # a time as HTML's datetime attribute takes it (milliseconds at most)


Formatters = Mapping[str, Callable[[object], object]]

# How a stored key reads in words, given by the package that owns the key (a request's state,
# a consent's purpose), so the data core shows them without importing those packages.
_WORDS: dict[str, Callable[[object], object]] = {}


def register_words(field_key: str, words: Mapping) -> None:
    """Show ``field_key``'s stored values through ``words`` (a mapping of value to label)."""
    _WORDS[field_key] = lambda key: words.get(key, key)


def registered_words() -> dict[str, Callable[[object], object]]:
    return dict(_WORDS)


def show(
    value: collector.Value, formatters: Formatters | None = None, moment=format_datetime_short
) -> Shown:
    """How one value reads: a formatter named after its field (``"user.locale"``), else a
    date or time in the reader's locale (a time written by ``moment``), else the value
    itself; never cut short."""
    raw = collector.plain(value.value)
    raw_text = json.dumps(raw, ensure_ascii=False) if isinstance(raw, dict | list) else str(raw)
    formatter = (formatters or {}).get(value.field.key)
    if formatter is not None:
        return Shown(raw_text, formatter(value.value))
    if isinstance(value.value, datetime):
        stamp = value.value.isoformat(timespec="milliseconds")
        return Shown(raw_text, moment(value.value), True, stamp)
    if isinstance(value.value, date):
        return Shown(raw_text, format_date(value.value, "long"), True, value.value.isoformat())
    if isinstance(value.value, enum.Enum):
        return Shown(raw_text, value.value.value)
    if isinstance(value.value, dict):
        return Shown(raw_text, "; ".join(f"{k}: {v}" for k, v in value.value.items()))
    if isinstance(value.value, list):
        return Shown(raw_text, ", ".join(str(v) for v in value.value))
    return Shown(raw_text, raw_text)


class ValueWriter:
    """How "My data" and the export's index.html write held values and their labels.

    Made once per page, in the reader's language and timezone as the page starts, because an
    export writes thousands of values: each would otherwise look both up again, and
    translate its field's label again.
    """

    def __init__(self, formatters: Formatters | None = None):
        self._formatters = formatters or {}
        zone, language = get_timezone(), current_language()
        self._moment = lambda when: format_datetime_short(when, zone, language)
        self._labels: dict[str, str] = {}
        self._headings: dict[int, tuple[object, Markup]] = {}

    def label(self, value: collector.Value) -> str:
        """The label of ``value``'s field, translated once per page."""
        found = self._labels.get(value.field.key)
        if found is None:
            found = self._labels[value.field.key] = str(value.label)
        return found

    def heading(self, label) -> Markup:
        """A registry label (a kind's, a field's) as a table's caption or column head writes
        it, translated once per page: an export heads a table of lessons for every
        enrolment. Escaped as the template would escape ``label`` itself."""
        found = self._headings.get(id(label))
        if found is None or found[0] is not label:
            found = self._headings[id(label)] = (label, escape(label))
        return found[1]

    def rows(self, kind: collector.Kind) -> Markup:
        """The records of a kind under a record (an enrolment's lessons) as the rows of its
        table, a cell per value, empty where the value is; each row ends its line and indents
        the next as ``_records.html`` indents the table's body. Written here rather than by a
        template loop because an export writes thousands of rows, and each turn of the loop
        (with its call) took about 3 µs of a row's 10."""
        written = []
        for record in kind.records:
            cells = "".join(
                "<td></td>" if collector.is_empty(held) else f"<td>{self._html(entry, held)}</td>"
                for entry, held in zip(record.fields, record.held, strict=True)
            )
            written.append(f"<tr>{cells}</tr>\n  ")
        return Markup("".join(written))  # noqa: S704  (each value escaped by ``_html``)

    def value(self, value: collector.Value) -> Markup:
        """What the export holds (``<data value>``, and ``<time datetime>`` for a moment)
        around the value's words."""
        return Markup(self._html(value.field, value.value))  # noqa: S704  (as above)

    def _html(self, entry: registry.PersonalField, held) -> str:
        """The value ``held`` of the field ``entry`` as HTML, everything in it escaped."""
        if type(held) is str and entry.key not in self._formatters:
            # Text, most of an export's values: what ``show`` makes of it, without its
            # dispatch on the value's type.
            text = escape(held)
            return _held_html(text, text)
        shown = show(collector.Value(entry, held), self._formatters, self._moment)
        stamp = escape(shown.moment) if shown.is_time else None
        return _held_html(escape(shown.raw), escape(shown.text), stamp)


def _held_html(raw: str, text: str, stamp: str | None = None) -> str:
    """A held value in the page: its stored form in ``<data value>`` around its words, in a
    ``<time datetime>`` as well when it is a moment. Every part comes escaped."""
    if stamp is None:
        return f'<data value="{raw}" class="held">{text}</data>'
    return f'<data value="{raw}" class="held"><time datetime="{stamp}">{text}</time></data>'


@dataclass
class MyData:
    """One page of "My data": each kind of record (its requested page), in registry order."""

    kinds: list[collector.Kind]
    per_page: int


def my_data(subject: Subject, *, kind: str | None = None, page: int = 1) -> MyData:
    """What "My data" shows: every kind's first page, or ``page`` of ``kind``."""
    pages = {kind: page} if kind else {}
    found = collector.collect(subject, pages=pages, per_page=RECORDS_PER_PAGE)
    return MyData([k for k in found if k.table not in SHOWN_APART], RECORDS_PER_PAGE)


# --- the access report: what is held about the person, and why ------------------------------


@dataclass
class HeldKind:
    label: object
    count: int
    purposes: list[registry.Purpose]
    categories: list[registry.Category]


def held_summary(subject: Subject) -> list[HeldKind]:
    """The kinds of records held about the person, how many, for which purposes."""
    summary: OrderedDict[str, HeldKind] = OrderedDict()
    for kind in collector.collect(subject):
        for record in kind.walk():
            entry = summary.get(record.kind)
            if entry is None:
                entry = summary[record.kind] = HeldKind(
                    registry.ownership(record.kind).label, 0, [], []
                )
            entry.count += 1
            for value in record.values:
                if value.empty:
                    continue
                if value.field.purpose not in entry.purposes:
                    entry.purposes.append(value.field.purpose)
                if value.field.category not in entry.categories:
                    entry.categories.append(value.field.category)
    return list(summary.values())
