"""The version of what anonymous visitors see, kept in the database so every worker agrees."""

from __future__ import annotations

from sqlalchemy import DDL, Integer, event
from sqlalchemy.orm import Mapped, mapped_column

from school.extensions import db

SINGLE_ROW = 1


class ContentVersion(db.Model):
    """One row whose number goes up in the transaction of every change to public content.

    A stored page is keyed by this number, so a commit that changes a course, a policy or a
    seat count makes every worker on every host render afresh on its next request, and a
    rolled-back change leaves the number (and the stored pages) as they were.
    """

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


# A database built from the models (the tests) gets its row as the migration's does.
event.listen(
    ContentVersion.__table__,
    "after_create",
    DDL("INSERT INTO content_version (id, version) VALUES (1, 0)"),  # SINGLE_ROW
)
