"""The access report ("information about processing"): about one person, not the registry.

For the person who asked it lists the categories of data actually held for them (found through
the registry's ownership rules, as export and erasure find them), with purpose, legal basis and
retention, the date their records are kept until where the registry's rule can be counted from
a date we hold, the processors that receive those categories (from the register of
processors) and the transfers abroad with their legal grounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from school.clocks import jurisdiction
from school.privacy.data import personal_data, registry
from school.privacy.data.holdings import HeldKind, held_summary
from school.privacy.data.personal_data import Subject
from school.privacy.data.recipients import active_processors, home_country

# The column holding the date a retention rule counts from, for rules anchored on an event
# ("12 months from the event") or on a request's closing. A table missing here has its rule
# stated in words only (an enrolment's accounting period runs from a payment we do not date).
ANCHOR_COLUMNS = {
    ("event", "user"): "last_login_at",
    ("event", "outbox_message"): "created_at",
    ("event", "staff_access"): "at",
    ("event", "sign_in_session"): "last_seen_at",
    ("request_closed", "privacy_request"): "completed_at",
}
# A processor that says it receives this gets every category.
EVERYTHING = ("all data", "all personal data")


@dataclass
class Use:
    """Fields of one category held for the person that share purpose, basis and retention."""

    labels: list = field(default_factory=list)
    purpose: object = None
    basis: object = None
    ground: object = None  # the article of the law in force (PRIVACY_JURISDICTION)
    retention: object = None
    kept_until: date | None = None
    signature: tuple = ()


@dataclass
class HeldCategory:
    category: registry.Category
    groups: list[Use] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)


@dataclass
class Recipient:
    processor: object
    categories: list
    abroad: bool


@dataclass
class ProcessingReport:
    sections: list[HeldCategory]
    processors: list[Recipient]
    held: list[HeldKind] = field(default_factory=list)  # the records, counted as My data does

    @property
    def transfers(self) -> list[Recipient]:
        return [recipient for recipient in self.processors if recipient.abroad]


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def _kept_until(retention: registry.Retention, table: str, rows: list[dict]) -> date | None:
    """The last day the newest of these rows is kept, when the rule counts from a date held."""
    column = ANCHOR_COLUMNS.get((retention.anchor, table))
    if retention.days is None or column is None:
        return None
    anchors = [_as_date(row[column]) for row in rows]
    if not anchors or None in anchors:
        return None  # an open request: its time has not started
    return max(anchors) + timedelta(days=registry.retention_days(retention))


def _held(subject: Subject) -> list[HeldCategory]:
    """What is held for the person, by category, through the ownership rules the collector
    reads (``personal_data``), with the dates the rules count from, which an export leaves
    out."""
    where = jurisdiction()
    sections: dict[str, HeldCategory] = {}
    for ownership in registry.ownerships():
        entries = registry.fields_of(ownership.table)
        if not entries:
            continue
        anchors = {
            column
            for (_anchor, table), column in ANCHOR_COLUMNS.items()
            if table == ownership.table
        }
        columns = sorted({entry.column for entry in entries} | anchors)
        rows = personal_data.rows(ownership, subject, columns)
        for entry in entries:
            holding = [row for row in rows if row[entry.column] not in (None, "")]
            if not holding:
                continue
            section = sections.setdefault(entry.category.key, HeldCategory(entry.category))
            section.labels.add(str(entry.label).lower())
            until = _kept_until(entry.retention, ownership.table, holding)
            signature = (entry.purpose.key, entry.retention.key)
            use = next((g for g in section.groups if g.signature == signature), None)
            if use is None:
                use = Use(
                    purpose=entry.purpose.description,
                    basis=entry.purpose.basis_label,
                    ground=entry.purpose.legal_ground(where),
                    retention=entry.retention.described,
                    signature=signature,
                )
                section.groups.append(use)
            use.labels.append(entry.label)
            if until is not None and (use.kept_until is None or until > use.kept_until):
                use.kept_until = until
    return list(sections.values())


def _receives(processor, section: HeldCategory) -> bool:
    """Whether the data a processor says it receives (free text, comma-separated, as kept in
    the register) names this category or one of the fields held in it."""
    said = [part.strip().lower() for part in processor.data_categories.split(",")]
    if any(part.startswith(EVERYTHING) for part in said):
        return True
    names = section.labels | {str(section.category.label).lower(), section.category.key}
    return any(part and (part in name or name in part) for part in said for name in names)


def processing_report(subject: Subject) -> ProcessingReport:
    sections = _held(subject)
    home = home_country()
    recipients = []
    for processor in active_processors():
        categories = [s.category for s in sections if _receives(processor, s)]
        if categories:
            abroad = processor.country.upper() != home.upper()
            recipients.append(Recipient(processor, categories, abroad))
    return ProcessingReport(sections=sections, processors=recipients, held=held_summary(subject))
