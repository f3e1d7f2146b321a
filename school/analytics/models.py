"""First-party visit statistics, kept only with consent and never linked to an account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from school.database import UTCDateTime, utcnow
from school.extensions import db


class PageView(db.Model):
    """One page seen during a visit. A visit is a random id in the ``visit_id`` cookie that
    lives 30 minutes after the last page; entry and exit pages and the session length are
    derived from a visit's first and last rows."""

    __tablename__ = "page_view"
    __table_args__ = (Index("ix_page_view_visit", "visit_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    path: Mapped[str] = mapped_column(String(300))
    browser: Mapped[str] = mapped_column(String(40))
    os: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(20))
    screen: Mapped[str | None] = mapped_column(String(20))
    ip_prefix: Mapped[str] = mapped_column(String(45))
