"""Corrections: which fields a person may ask to have corrected, what they are called, which
field a line of a "Personal Data Update" email means (the intake registers the names people
write), and applying the corrected values through the profile service."""

from __future__ import annotations

from datetime import date

from school.accounts.models import User
from school.privacy.data.holdings import FIELD_LABELS
from school.privacy.requests.models import PrivacyRequest
from school.profile.services import PROFILE_FIELDS, apply_profile_changes, current_changes

# Fields a correction may change, with the profile service applying them.
CORRECTABLE = ("full_name", *PROFILE_FIELDS)


def correctable_labels() -> dict[str, object]:
    """Each correctable field in words, as "My data" names it."""
    return {
        name: FIELD_LABELS.get(f"profile.{name}") or FIELD_LABELS.get(f"user.{name}") or name
        for name in CORRECTABLE
    }


# What a field may be called in an emailed request ("Phone: ..."), alias -> field name. The
# email intake, which reads those emails, registers its table at start-up.
_ALIAS_TO_FIELD: dict[str, str] = {}


def register_field_aliases(aliases: dict[str, tuple[str, ...]]) -> None:
    """Let ``correction_proposals`` understand these names for each correctable field."""
    for name, names in aliases.items():
        for alias in names:
            _ALIAS_TO_FIELD[alias] = name


def correction_proposals(request: PrivacyRequest) -> tuple[dict[str, str], dict[str, str]]:
    """The asked-for values by field name, and the lines no field matched (for staff)."""
    known, unknown = {}, {}
    for key, value in (request.requested_changes or {}).items():
        name = key if key in CORRECTABLE else _ALIAS_TO_FIELD.get(" ".join(key.casefold().split()))
        if name is None:
            unknown[key] = value
        else:
            known[name] = value
    return known, unknown


def apply_corrections(user: User, changes: dict) -> set[str]:
    """Apply the correctable, non-empty values in the caller's transaction; returns the
    names of the fields changed."""
    values = current_changes(user)
    applied = set()
    for name, value in changes.items():
        if name not in CORRECTABLE or value in (None, ""):
            continue
        if name == "date_of_birth" and not isinstance(value, date):
            value = date.fromisoformat(str(value))
        setattr(values, name, value)
        applied.add(name)
    if applied:
        apply_profile_changes(user, values)
    return applied
