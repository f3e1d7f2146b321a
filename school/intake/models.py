"""What arrived by email: one row per distinct message, whatever became of it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import UTCDateTime, utcnow
from school.extensions import db
from school.privacy.requests.models import PrivacyRequest


class IntakeOutcome(enum.StrEnum):
    REQUEST = "request"  # a privacy request was made (or joined an open one)
    IGNORED = "ignored"  # auto-reply, bounce, our own mail: nothing to answer
    QUARANTINED = "quarantined"  # could not be read safely: kept for a person to look at


class IntakeMessage(db.Model):
    """One emailed message, its raw bytes on disk, what was checked and what it led to.

    ``dedupe_key`` (from the Message-ID, or the bytes' hash when there is none) is unique, so
    the same message delivered twice, or taken by two pollers at once, is handled once.
    """

    __tablename__ = "intake_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(500))
    from_address: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(20))  # pipe, imap, maildir
    outcome: Mapped[IntakeOutcome] = mapped_column(
        Enum(
            IntakeOutcome,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        index=True,
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    dkim: Mapped[str | None] = mapped_column(String(20))
    dmarc: Mapped[str | None] = mapped_column(String(20))
    checks: Mapped[dict] = mapped_column(JSON, default=dict)
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    raw_path: Mapped[str] = mapped_column(String(500))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("privacy_request.id", ondelete="SET NULL"), index=True
    )

    request: Mapped[PrivacyRequest | None] = relationship()

    @property
    def auth_failed(self) -> bool:
        return "fail" in (self.dkim, self.dmarc)
