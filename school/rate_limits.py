"""Rate-limit counters in the application's own database, as a storage for ``limits``.

Flask-Limiter keeps its counters wherever ``RATELIMIT_STORAGE_URI`` points. Counters in one
worker's memory let every worker and every host count on its own, so "5 wrong passwords"
became 5 per worker. ``school+db://`` (the default) keeps them in a table of the database the
site already uses, so every worker and host shares one count without another service; Redis
(``redis://…``) stays an option for sites that run one.

An increment is one statement (an INSERT … ON CONFLICT DO UPDATE … RETURNING on SQLite and
PostgreSQL alike), so two workers can never both read 4 and both write 5. Keys are stored as
keyed hashes: a limit's key may name an IP address or an account, and the table needs only to
tell keys apart. Expired counters are deleted as new ones are written.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app
from limits.storage import Storage
from sqlalchemy import Float, String, case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from school.extensions import db

SCHEME = "school+db"


class RateLimitCounter(db.Model):
    """One fixed-window counter: how many hits ``key`` has had until ``expires_at``."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch


_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def _stored_key(key: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


class DatabaseStorage(Storage):
    """A ``limits`` storage on the current app's database (``school+db://``).

    Each call runs on a connection and transaction of its own, committed at once, so a
    counter is shared the moment it changes and never waits for the request's own commit.
    """

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        counter = RateLimitCounter.__table__
        engine = db.engine
        statement = _INSERTS[engine.dialect.name](counter).values(
            key=_stored_key(key), count=amount, expires_at=now + expiry
        )
        # A counter whose window has passed starts again; a live one adds ``amount``.
        expired = counter.c.expires_at <= now
        statement = statement.on_conflict_do_update(
            index_elements=[counter.c.key],
            set_={
                "count": case((expired, statement.excluded.count), else_=counter.c.count + amount),
                "expires_at": case(
                    (expired, statement.excluded.expires_at), else_=counter.c.expires_at
                ),
            },
        ).returning(counter.c.count)
        with engine.begin() as connection:
            connection.execute(delete(counter).where(counter.c.expires_at <= now))
            return connection.execute(statement).scalar_one()

    def get(self, key: str) -> int:
        counter = RateLimitCounter.__table__
        with db.engine.connect() as connection:
            value = connection.execute(
                select(counter.c.count).where(
                    counter.c.key == _stored_key(key), counter.c.expires_at > time.time()
                )
            ).scalar()
        return value or 0

    def get_expiry(self, key: str) -> float:
        counter = RateLimitCounter.__table__
        with db.engine.connect() as connection:
            value = connection.execute(
                select(counter.c.expires_at).where(counter.c.key == _stored_key(key))
            ).scalar()
        return value if value is not None else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        counter = RateLimitCounter.__table__
        with db.engine.begin() as connection:
            connection.execute(delete(counter).where(counter.c.key == _stored_key(key)))


# --- retention: a counter whose window ended before the cutoff goes (accounts registers it) --
