"""Readable views of the data registry: the public "what we hold and why" page and a
student's own "My data" page both read the registry through this module."""

from __future__ import annotations

import enum
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from school.extensions import db
from school.privacy.data import registry, stores

# What each column is, in words; a column missing here is shown by its name.
FIELD_LABELS = {
    "user.full_name": _l("Full name"),
    "user.email": _l("Email address"),
    "user.password_hash": _l("Password, as a one-way hash"),
    "user.locale": _l("Preferred language of the site"),
    "user.email_confirmed_at": _l("When you confirmed your email address"),
    "user.last_login_at": _l("Time of your last sign-in"),
    "user.last_login_ip": _l("IP address of your last sign-in"),
    "user.login_count": _l("Number of sign-ins"),
    "consent_record.email": _l("Email address at the time of consent"),
    "consent_record.wording": _l("Exact wording you agreed to"),
    "consent_record.language": _l("Language of that wording"),
    "consent_record.method": _l("How the consent was given"),
    "consent_record.ip_address": _l("IP address when consenting"),
    "consent_record.given_on_behalf_by": _l("Who consented on your behalf, if anyone"),
    "consent_record.created_at": _l("When the consent was given or withdrawn"),
    "outbox_message.recipient": _l("Recipient address"),
    "outbox_message.subject": _l("Subject of the message"),
    "outbox_message.text_body": _l("Text of the message"),
    "outbox_message.html_body": _l("Formatted version of the message"),
    "outbox_message.headers": _l("Technical headers of the message"),
    "page_view.visit_id": _l("A random number for one visit"),
    "page_view.at": _l("Time of the page view"),
    "page_view.path": _l("Address of the page"),
    "page_view.browser": _l("Browser"),
    "page_view.os": _l("Operating system"),
    "page_view.language": _l("Language of the browser"),
    "page_view.screen": _l("Screen size"),
    "page_view.ip_prefix": _l("Shortened IP address"),
    "privacy_request.subject_email": _l("Email address the request came from"),
    "privacy_request.details": _l("What you asked"),
    "privacy_request.requested_changes": _l("Changes you asked for"),
    "privacy_request.extension_reason": _l("Why we extended the deadline"),
    "privacy_request.rejection_reason": _l("Why we refused a request"),
    "privacy_request.language": _l("Language of the request"),
    "profile.display_name": _l("Display name"),
    "profile.phone": _l("Phone"),
    "profile.address": _l("Residential address"),
    "profile.postal_code": _l("Postal code"),
    "profile.date_of_birth": _l("Date of birth"),
    "profile.workplace": _l("Workplace"),
    "profile.position": _l("Position"),
    "profile.education": _l("Educational background"),
    "profile.interests": _l("Professional interests"),
    "profile.learning_goals": _l("Learning goals"),
    "profile.photo_file": _l("Photograph"),
    "profile.photo_updated_at": _l("When the photograph was last changed"),
    "language_level.language": _l("Languages you rated"),
    "language_level.level": _l("Your level in each (CEFR A1 to C2)"),
    "staff_access.at": _l("When a member of staff opened your data"),
    "staff_access.page": _l("Which of your data they opened"),
    "staff_access.reason": _l("The reason they gave"),
    "staff_access.note": _l("Their note about the reason"),
}

ERASURE_LABELS = {
    registry.Erasure.DELETE: _l("deleted"),
    registry.Erasure.ANONYMISE: _l("replaced by an anonymous value"),
    registry.Erasure.KEEP: _l("kept"),
}

# Columns that say whose a row is; tables without one cannot be found for one person.
OWNER_COLUMNS = ("user_id", "subject_id")
# Shown on "My data" in a section of their own.
SEPARATE_TABLES = {"staff_access"}
ROWS_PER_TABLE = 20


def label_of(entry: registry.PersonalField):
    return FIELD_LABELS.get(entry.key, entry.column.replace("_", " ").capitalize())


@dataclass
class Group:
    """Fields of one category that share purpose, basis, retention and erasure."""

    labels: list = field(default_factory=list)
    purpose: object = None
    basis: object = None
    retention: object = None
    export: bool = False
    erasure: object = None
    keep_reason: object = None
    encrypted: bool = False
    signature: tuple = ()


@dataclass
class CategorySection:
    category: registry.Category
    groups: list[Group] = field(default_factory=list)


def stores_beyond_the_database() -> list[stores.Store]:
    """Every declared store of personal data that is not a column: files, keys, links."""
    return [store for store in stores.STORES.values() if store is not stores.DATABASE]


def what_we_hold() -> list[CategorySection]:
    """The registry grouped by category, for the public page."""
    sections: OrderedDict[str, CategorySection] = OrderedDict()
    for entry in registry.fields():
        section = sections.setdefault(entry.category.key, CategorySection(entry.category))
        signature = (
            str(entry.purpose),
            entry.basis,
            entry.retention.key,
            entry.export,
            entry.erasure,
            str(entry.keep_reason or ""),
        )
        for group in section.groups:
            if group.signature == signature:
                group.labels.append(label_of(entry))
                group.encrypted = group.encrypted or entry.encrypted
                break
        else:
            group = Group(
                labels=[label_of(entry)],
                purpose=entry.purpose,
                basis=registry.BASIS_LABELS[entry.basis],
                retention=entry.retention.label,
                export=entry.export,
                erasure=ERASURE_LABELS[entry.erasure],
                keep_reason=entry.keep_reason,
                encrypted=entry.encrypted,
                signature=signature,
            )
            section.groups.append(group)
    return list(sections.values())


@dataclass
class HeldValue:
    entry: registry.PersonalField
    label: object
    values: list


@dataclass
class PersonSection:
    category: registry.Category
    values: list[HeldValue] = field(default_factory=list)


def _display(value, key: str, formatters: dict):
    if key in formatters:
        return formatters[key](value)
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    if isinstance(value, date):
        return format_date(value, "long")
    if isinstance(value, enum.Enum):
        return value.value
    return value


def values_held_for(user, formatters: dict | None = None) -> list[PersonSection]:
    """Every exported value the school holds about ``user``, grouped by category.

    Reads every table the registry names, finding the person's rows by ``user.id`` (the user
    table) or an owner column; tables that cannot be tied to one person are skipped.
    """
    formatters = formatters or {}
    sections: OrderedDict[str, PersonSection] = OrderedDict()
    for table in db.metadata.sorted_tables:
        if table.name in SEPARATE_TABLES:
            continue
        entries = [entry for entry in registry.fields_of(table.name) if entry.export]
        if not entries:
            continue
        if table.name == "user":
            owner = table.c.id
        else:
            owner = next((table.c[name] for name in OWNER_COLUMNS if name in table.c), None)
        if owner is None:
            continue
        order = [key.desc() for key in table.primary_key.columns]
        rows = db.session.execute(
            select(*[table.c[entry.column] for entry in entries])
            .where(owner == user.id)
            .order_by(*order)
            .limit(ROWS_PER_TABLE)
        ).all()
        for entry in entries:
            values = [
                _display(getattr(row, entry.column), entry.key, formatters)
                for row in rows
                if getattr(row, entry.column) not in (None, "")
            ]
            if not values:
                continue
            section = sections.setdefault(entry.category.key, PersonSection(entry.category))
            section.values.append(HeldValue(entry, label_of(entry), values))
    return list(sections.values())
