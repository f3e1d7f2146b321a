"""Publishing privacy-policy versions, telling people about significant changes, and
recording their re-acceptance.

A significant change is one people must be told about and agree to again: everyone with an
active account is emailed when it is published (even before it takes effect, so they hear of
it in advance), and once it is in force every signed-in person whose processing consent was
given to an older version is asked to accept it. A minor change is simply published.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, literal_column, select
from sqlalchemy.orm import aliased

from school.accounts.models import User
from school.database import utcnow
from school.extensions import db
from school.mail.services import queue_email
from school.privacy.consent.ledger import current_policy, record_consent
from school.privacy.consent.models import (
    ConsentAction,
    ConsentPurpose,
    ConsentRecord,
    PolicyVersion,
)
from school.web_urls import absolute_url

VERSION_MAX = 20
VERSION_PATTERN = re.compile(r"[0-9A-Za-z._-]+")  # the label goes into public URLs
REACCEPTANCE_METHOD = "re-acceptance after significant change"
CHANGE_SUBJECT = _l("Our privacy policy is changing")


class PolicyError(ValueError):
    """A publication refused by the rules; ``field`` names the form field it concerns."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass
class PolicyDraft:
    version: str
    effective_on: date
    significant: bool
    body_en: str
    body_ru: str
    summary_en: str
    summary_ru: str


def policy_by_version(version: str) -> PolicyVersion | None:
    return db.session.scalar(select(PolicyVersion).where(PolicyVersion.version == version))


def all_versions() -> list[PolicyVersion]:
    """Every published version, newest first (by the date it takes effect)."""
    return list(
        db.session.scalars(
            select(PolicyVersion).order_by(
                PolicyVersion.effective_on.desc(), PolicyVersion.id.desc()
            )
        )
    )


def check_draft(draft: PolicyDraft, today: date | None = None) -> None:
    """Refuse what cannot be published; raises PolicyError naming the field at fault."""
    today = today or utcnow().date()
    if not draft.version.strip():
        raise PolicyError(_l("Give the version a label, for example 1.1."), "version")
    if len(draft.version.strip()) > VERSION_MAX:
        raise PolicyError(
            _l("A version label is at most %(max)d characters.", max=VERSION_MAX), "version"
        )
    if not VERSION_PATTERN.fullmatch(draft.version.strip()):
        raise PolicyError(
            _l("Use only letters, digits, dots, hyphens and underscores in the label."),
            "version",
        )
    if policy_by_version(draft.version.strip()) is not None:
        raise PolicyError(
            _l(
                "Version %(version)s is already published. Choose a new label.",
                version=draft.version.strip(),
            ),
            "version",
        )
    if draft.effective_on is None or draft.effective_on < today:
        raise PolicyError(_l("The date it takes effect cannot be in the past."), "effective_on")
    for field in ("body_en", "body_ru"):
        if not getattr(draft, field).strip():
            raise PolicyError(_l("The policy text cannot be empty."), field)
    for field in ("summary_en", "summary_ru"):
        if not getattr(draft, field).strip():
            raise PolicyError(
                _l("Say what changed, in both languages: people read this first."), field
            )


def _people_to_tell():
    """Everyone with an active account: confirmed and not erased. Restricted accounts are
    included, because a change to the policy is a legal notice, not marketing."""
    return db.session.scalars(
        select(User)
        .where(User.email_confirmed_at.is_not(None), User.erased_at.is_(None))
        .order_by(User.id)
    )


def publish_policy(draft: PolicyDraft, *, published_by=None, today: date | None = None):
    """Publish a new version; for a significant one, email every active account in the same
    transaction, so the notice goes out if and only if the version exists."""
    today = today or utcnow().date()
    check_draft(draft, today)
    policy = PolicyVersion(
        version=draft.version.strip(),
        effective_on=draft.effective_on,
        significant=draft.significant,
        body_en=draft.body_en,
        body_ru=draft.body_ru,
        summary_en=draft.summary_en.strip(),
        summary_ru=draft.summary_ru.strip(),
        published_at=utcnow(),
        published_by_id=published_by.id if published_by is not None else None,
    )
    db.session.add(policy)
    db.session.flush()
    if policy.significant:
        policy_link = absolute_url("privacy.policy")
        accept_link = absolute_url("privacy.accept")
        for person in _people_to_tell():
            queue_email(
                person.email,
                subject=CHANGE_SUBJECT,
                template="privacy/policy_changed",
                locale=person.locale,
                user=person,
                policy=policy,
                summary=policy.summary(person.locale),
                in_force=policy.effective_on <= today,
                policy_link=policy_link,
                accept_link=accept_link,
            )
    db.session.commit()
    return policy


_ONE = literal_column("1")
_PROCESSING = literal_column(f"'{ConsentPurpose.PROCESSING.value}'")  # our own constant


def with_acceptance(statement, user_id):
    """``statement`` carrying, after its own columns, what deciding whether a person must
    accept a changed policy reads (read them with :func:`pending_from`); ``user_id`` is a
    column of the statement's FROM, and ``today`` is bound at execution.

    The sign-in lookup carries them, so a signed-in page asks the database once for who is
    signed in and whether to show the policy banner. The version in force and the person's
    latest processing consent are each found once, by a subquery in a join, and the columns
    read from the rows joined: six scalar subqueries (three sorting the versions) took about
    a fifth of the statement's time, on every signed-in page. The constants are written into
    the SQL, not bound: each bound value is a parameter processed on every execution.
    """
    in_force = aliased(PolicyVersion, name="policy_in_force")
    consent = aliased(ConsentRecord, name="latest_processing_consent")
    agreed_to = aliased(PolicyVersion, name="policy_agreed_to")
    newest_significant = (
        select(PolicyVersion.id)
        .where(
            PolicyVersion.significant.is_(True),
            PolicyVersion.effective_on <= bindparam("today"),
        )
        .order_by(PolicyVersion.effective_on.desc(), PolicyVersion.id.desc())
        .limit(_ONE)
        .scalar_subquery()
    )
    latest_processing_consent = (
        select(func.max(ConsentRecord.id))
        .where(ConsentRecord.user_id == user_id, ConsentRecord.purpose == _PROCESSING)
        .scalar_subquery()
    )
    return (
        statement.add_columns(
            in_force.id,
            in_force.version,
            in_force.effective_on,
            consent.action,
            consent.policy_version_id,
            agreed_to.effective_on,
        )
        .outerjoin(in_force, in_force.id == newest_significant)
        .outerjoin(consent, consent.id == latest_processing_consent)
        .outerjoin(agreed_to, agreed_to.id == consent.policy_version_id)
    )


@cache
def _needing_acceptance_statement():
    """Built once: building a statement of two subqueries and three joins costs more than
    running it."""
    return with_acceptance(
        select().select_from(User).where(User.id == bindparam("user_id")), User.id
    )


class PendingVersion(NamedTuple):
    id: int
    version: str
    effective_on: date


def version_needing_acceptance(user, today: date | None = None) -> PendingVersion | None:
    """The newest significant version in force, if ``user``'s standing processing consent was
    given to an older version; otherwise None.

    One statement, because it runs for every page a signed-in person sees (the sign-in
    lookup reads the same columns, see :func:`with_acceptance`).
    """
    today = today or utcnow().date()
    row = db.session.execute(
        _needing_acceptance_statement(), {"today": today, "user_id": user.id}
    ).one()
    return pending_from(row)


def pending_from(values) -> PendingVersion | None:
    """The version to accept, from the values :func:`with_acceptance` adds."""
    sig_id, sig_version, sig_on, action, accepted_id, accepted_on = values
    if sig_id is None:
        return None
    if action is None or ConsentAction(action) is not ConsentAction.GIVEN:
        return None  # no standing consent: nothing to re-accept (the account is handled
        # by the withdrawal process, not by a banner)
    # ``accepted_on`` is None when the consent names no version (or one no longer held).
    if accepted_on is not None and (accepted_on, accepted_id) >= (sig_on, sig_id):
        return None
    return PendingVersion(sig_id, sig_version, sig_on)


def changes_since_acceptance(user, today: date | None = None) -> list[PolicyVersion]:
    """Versions in force published after the one ``user`` last agreed to, newest first."""
    today = today or utcnow().date()
    latest = db.session.scalar(
        select(ConsentRecord)
        .where(
            ConsentRecord.user_id == user.id,
            ConsentRecord.purpose == ConsentPurpose.PROCESSING,
        )
        .order_by(ConsentRecord.id.desc())
        .limit(1)
    )
    query = select(PolicyVersion).where(PolicyVersion.effective_on <= today)
    if latest is not None and latest.policy_version is not None:
        old = latest.policy_version
        query = query.where(
            (PolicyVersion.effective_on > old.effective_on)
            | and_(PolicyVersion.effective_on == old.effective_on, PolicyVersion.id > old.id)
        )
    return list(
        db.session.scalars(
            query.order_by(PolicyVersion.effective_on.desc(), PolicyVersion.id.desc())
        )
    )


def accept_policy(user, *, language: str, ip_address: str | None) -> PolicyVersion | None:
    """Record that ``user`` accepts the version in force; None if nothing needed accepting."""
    if version_needing_acceptance(user) is None:
        return None
    policy = current_policy()
    record_consent(
        user=user,
        purpose=ConsentPurpose.PROCESSING,
        action=ConsentAction.GIVEN,
        policy=policy,
        method=REACCEPTANCE_METHOD,
        language=language,
        ip_address=ip_address,
    )
    db.session.commit()
    return policy


@dataclass
class DiffLine:
    kind: str  # "added", "removed" or "same"
    text: str


def diff_lines(old_text: str, new_text: str) -> list[DiffLine]:
    """A line-by-line comparison of two policy texts, for reading rather than patching."""
    kinds = {"+ ": "added", "- ": "removed", "  ": "same"}
    lines = []
    for line in difflib.ndiff(old_text.splitlines(), new_text.splitlines()):
        kind = kinds.get(line[:2])
        if kind is not None:  # "? " lines are ndiff's intraline hints
            lines.append(DiffLine(kind, line[2:]))
    return lines
