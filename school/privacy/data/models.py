"""The record of retention runs: when one ran and what each rule removed.

Holds counts and rule names only, nothing about any person (declared as such in the
registry), so it can be shown to every member of staff.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from school.database import UTCDateTime, utcnow
from school.extensions import db


class RetentionRun(db.Model):
    """One real run of ``flask privacy retention`` (a dry run records nothing).

    ``removed`` is a list of ``{"rule": key, "retention": key, "removed": count}`` in the
    order the rules ran; tasks run alongside appear the same way, with no retention.
    """

    __tablename__ = "retention_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    removed: Mapped[list] = mapped_column(JSON, default=list)
