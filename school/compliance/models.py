"""Registers the school keeps to account for its processing: processors and transfers,
inquiries from the data-protection authority, and personal-data breaches."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from school.database import UTCDateTime, utcnow
from school.extensions import db


class Processor(db.Model):
    """Someone who processes personal data for the school (Law 99-Z Art. 7; GDPR Art. 28),
    and where the data goes: a country outside the school's own means a cross-border
    transfer, which needs a stated legal ground."""

    __tablename__ = "processor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(300))
    data_categories: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166 alpha-2
    transfer_ground: Mapped[str] = mapped_column(Text, default="")
    contract_signed_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def is_cross_border(self, home_country: str) -> bool:
        return self.country.upper() != home_country.upper()


class AuthorityInquiry(db.Model):
    """A request from the personal-data authority; the policy promises an answer in 10 days."""

    __tablename__ = "authority_inquiry"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(100), default="")
    subject: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    answered_on: Mapped[date | None] = mapped_column(Date)
    answer_summary: Mapped[str] = mapped_column(Text, default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Breach(db.Model):
    """A personal-data breach, with the deadline for telling the authority (BY: 3 working
    days from discovery; EU: 72 hours) and what was done."""

    __tablename__ = "breach"

    id: Mapped[int] = mapped_column(primary_key=True)
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text)
    data_categories: Mapped[str] = mapped_column(String(300))
    people_affected: Mapped[int] = mapped_column(default=0)
    likely_consequences: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    authority_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    authority_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    people_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
