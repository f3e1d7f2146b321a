"""The consent ledger and the policy versions consent is given to: accountability records."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import UTCDateTime, utcnow, value_enum
from school.extensions import db


class PolicyVersion(db.Model):
    """One published version of the privacy policy, in every site language.

    Consent is always given to a version, so what a person agreed to can be shown later.
    """

    __tablename__ = "policy_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(20), unique=True)
    effective_on: Mapped[date] = mapped_column(Date)
    significant: Mapped[bool] = mapped_column(Boolean, default=False)
    body_en: Mapped[str] = mapped_column(Text)
    body_ru: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text, default="")
    summary_ru: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    def body(self, language: str) -> str:
        return self.body_ru if language == "ru" else self.body_en

    def summary(self, language: str) -> str:
        return self.summary_ru if language == "ru" else self.summary_en


class ConsentPurpose(enum.StrEnum):
    PROCESSING = "processing"  # processing needed to run the account and courses
    MARKETING = "marketing"  # newsletters and offers: always a separate, prior choice
    COOKIES_FUNCTIONAL = "cookies_functional"
    COOKIES_ANALYTICS = "cookies_analytics"


class ConsentAction(enum.StrEnum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"


class ConsentRecord(db.Model):
    """A row of the consent ledger: never updated, only appended.

    The standing state of a consent is the latest row for a person and purpose.
    """

    __tablename__ = "consent_record"
    __table_args__ = (Index("ix_consent_record_user_purpose", "user_id", "purpose", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(value_enum(ConsentPurpose))
    action: Mapped[ConsentAction] = mapped_column(value_enum(ConsentAction))
    policy_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_version.id", ondelete="RESTRICT")
    )
    wording: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    # How the consent was given, composed by the caller ("privacy request <id> (<channel>)").
    method: Mapped[str] = mapped_column(String(200))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    given_on_behalf_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    policy_version: Mapped[PolicyVersion | None] = relationship()
