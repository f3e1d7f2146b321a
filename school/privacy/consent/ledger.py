"""Policy versions and the consent ledger."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import aliased

from school.cookie_choice import CHOICE_LIFETIME
from school.database import utcnow
from school.extensions import db
from school.privacy.consent.models import (
    ConsentAction,
    ConsentPurpose,
    ConsentRecord,
    PolicyVersion,
)

POLICY_TEXT_DIR = Path(__file__).resolve().parent / "policy_texts"
BUNDLED_POLICY_VERSION = "1.0"

PROCESSING_CONSENT_WORDING = _l(
    "I agree that the school processes my personal data to run my account and my courses, "
    "as described in the privacy policy, version %(version)s."
)
MARKETING_CONSENT_WORDING = _l(
    "Send me the school's news and course offers by email. I can withdraw this at any time."
)

# Each consent and its two states, in words, for "My data", the export and the staff pages.
PURPOSE_LABELS = {
    ConsentPurpose.PROCESSING: _l("processing of your data to run your account and courses"),
    ConsentPurpose.MARKETING: _l("news and course offers by email"),
    ConsentPurpose.COOKIES_FUNCTIONAL: _l("functional cookies"),
    ConsentPurpose.COOKIES_ANALYTICS: _l("visit statistics cookies"),
}
ACTION_LABELS = {
    ConsentAction.GIVEN: _l("given"),
    ConsentAction.WITHDRAWN: _l("withdrawn"),
}


class PolicyMissing(RuntimeError):
    """No policy version is published: run the migrations, which install the first one."""


def bundled_policy_text(version: str, language: str) -> str:
    return (POLICY_TEXT_DIR / f"{version}.{language}.md").read_text(encoding="utf-8")


def install_bundled_policy() -> PolicyVersion:
    """Publish the policy text shipped with the code as the first version, once."""
    existing = db.session.scalar(
        select(PolicyVersion).where(PolicyVersion.version == BUNDLED_POLICY_VERSION)
    )
    if existing is not None:
        return existing
    version = PolicyVersion(
        version=BUNDLED_POLICY_VERSION,
        effective_on=date(2026, 1, 1),
        significant=True,
        body_en=bundled_policy_text(BUNDLED_POLICY_VERSION, "en"),
        body_ru=bundled_policy_text(BUNDLED_POLICY_VERSION, "ru"),
        summary_en="First published version.",
        summary_ru="Первая опубликованная версия.",
    )
    db.session.add(version)
    db.session.flush()
    return version


def current_policy(today: date | None = None) -> PolicyVersion:
    """The version in force today: the newest one whose effective date has come."""
    today = today or utcnow().date()
    policy = db.session.scalar(
        select(PolicyVersion)
        .where(PolicyVersion.effective_on <= today)
        .order_by(PolicyVersion.effective_on.desc(), PolicyVersion.id.desc())
        .limit(1)
    )
    if policy is None:
        raise PolicyMissing("no privacy policy version is in force")
    return policy


def consent_wording(purpose: ConsentPurpose, language: str, policy: PolicyVersion | None) -> str:
    """The exact sentence a person agreed to, in their language, for the ledger."""
    with force_locale(language):
        if purpose is ConsentPurpose.PROCESSING:
            return str(PROCESSING_CONSENT_WORDING) % {"version": policy.version}
        if purpose is ConsentPurpose.MARKETING:
            return str(MARKETING_CONSENT_WORDING)
    raise ValueError(f"no wording for {purpose}")


def record_consent(
    *,
    purpose: ConsentPurpose,
    action: ConsentAction,
    method: str,
    language: str,
    user=None,
    email: str | None = None,
    policy: PolicyVersion | None = None,
    wording: str | None = None,
    ip_address: str | None = None,
    given_on_behalf_by: str | None = None,
) -> ConsentRecord:
    """Append a row to the consent ledger, in the caller's transaction."""
    if wording is None:
        wording = consent_wording(purpose, language, policy)
    record = ConsentRecord(
        user_id=user.id if user is not None else None,
        email=email or (user.email if user is not None else None),
        purpose=purpose,
        action=action,
        policy_version_id=policy.id if policy is not None else None,
        wording=wording,
        language=language,
        method=method,
        ip_address=ip_address,
        given_on_behalf_by=given_on_behalf_by,
    )
    db.session.add(record)
    return record


def standing_consent(user, purpose: ConsentPurpose) -> ConsentRecord | None:
    """The consent row in force for ``user`` and ``purpose``, or None if none stands."""
    latest = db.session.scalar(
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user.id, ConsentRecord.purpose == purpose)
        .order_by(ConsentRecord.id.desc())
        .limit(1)
    )
    if latest is None or latest.action is ConsentAction.WITHDRAWN:
        return None
    return latest


def consent_history(user) -> list[ConsentRecord]:
    return list(
        db.session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.user_id == user.id)
            .order_by(ConsentRecord.id.desc())
        )
    )


# --- retention (CONSENT_EVIDENCE, registered in init_app; the run passes the cutoff) ---------


def _ended_before(cutoff: datetime):
    """Ledger rows whose consent ended before the cutoff, for anyone, with an account or
    not: a withdrawal ends it when it is made; a consent given ends when the same person
    next gives or withdraws it; a cookie choice also ends when the cookie that carried it
    expires (the site then asks again)."""
    later = aliased(ConsentRecord)
    same_person = (later.user_id == ConsentRecord.user_id) | (
        ConsentRecord.user_id.is_(None)
        & later.user_id.is_(None)
        & (later.email == ConsentRecord.email)
    )
    superseded = exists().where(
        later.purpose == ConsentRecord.purpose,
        later.id > ConsentRecord.id,
        later.created_at < cutoff,
        same_person,
    )
    withdrawn = (ConsentRecord.action == ConsentAction.WITHDRAWN) & (
        ConsentRecord.created_at < cutoff
    )
    cookie_expired = ConsentRecord.purpose.in_(
        [ConsentPurpose.COOKIES_FUNCTIONAL, ConsentPurpose.COOKIES_ANALYTICS]
    ) & (ConsentRecord.created_at < cutoff - CHOICE_LIFETIME)
    return withdrawn | superseded | cookie_expired


def count_ended_consents(cutoff: datetime) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ConsentRecord).where(_ended_before(cutoff))
    )


def delete_ended_consents(cutoff: datetime) -> int:
    """The proof of a consent that ended longer ago than CONSENT_EVIDENCE's period goes.
    What still stands (the latest row of a consent given) is never touched, so the standing
    state of every consent is the same before and after."""
    deleted = db.session.execute(
        delete(ConsentRecord)
        .where(_ended_before(cutoff))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return deleted
