"""Newsletters: campaigns written by staff and visitors who subscribed without an account."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from school.database import UTCDateTime, utcnow
from school.extensions import db


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


def new_confirmation_token() -> str:
    return secrets.token_urlsafe(32)


class Subscriber(db.Model):
    """A visitor (no account) who asked for the newsletter by email address.

    Nothing is sent to the address but the confirmation link until ``confirmed_at`` is set
    (double opt-in), and no newsletter while ``restricted_at`` is set (the person asked us to
    block the processing of their address; the row is kept as it is). The retention run
    deletes rows never confirmed, and reduces the address of an old unsubscription to a keyed
    fingerprint (the registry's NEWSLETTER_SUBSCRIPTION).
    """

    __tablename__ = "newsletter_subscriber"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_confirmation_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    SENDING = "sending"  # its messages are in the outbox; progress comes from their states


class Campaign(db.Model):
    """One newsletter: written, previewed, then queued for its audience in one go."""

    __tablename__ = "newsletter_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # Markdown
    language: Mapped[str] = mapped_column(String(8))
    # Further audience filters (course language, level) go here once courses exist.
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[CampaignStatus] = mapped_column(
        Enum(
            CampaignStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=CampaignStatus.DRAFT,
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recipient_count: Mapped[int] = mapped_column(default=0)

    @property
    def is_draft(self) -> bool:
        return self.status is CampaignStatus.DRAFT
