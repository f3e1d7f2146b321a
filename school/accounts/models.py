"""Accounts: the people who sign in, students and staff."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school.database import UTCDateTime, utcnow
from school.extensions import db

EMAIL_MAX = 254
NAME_MAX = 120


class Role(enum.StrEnum):
    STUDENT = "student"
    STAFF = "staff"


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


class User(UserMixin, db.Model):
    """An account. What the session and remember cookie carry is not the account but one of
    its :class:`SignInSession` rows, so each sign-in can be ended on its own."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What staff pages put in URLs instead of the guessable integer id. Nullable in the schema
    # only so rows inserted outside the ORM stay valid; the migration backfills old rows.
    public_id: Mapped[str | None] = mapped_column(String(24), unique=True, default=new_public_id)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    full_name: Mapped[str] = mapped_column(String(NAME_MAX))
    password_hash: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=Role.STUDENT,
    )
    locale: Mapped[str] = mapped_column(String(8), default="en")
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_ip: Mapped[str | None] = mapped_column(String(45))
    login_count: Mapped[int] = mapped_column(default=0)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Blocking (restriction of processing): while set, no newsletters, marketing, analytics
    # or recommendations reach this person; only what keeps the account itself working.
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A person under MINOR_AGE signs up with a parent or guardian, whose consent to processing
    # is needed before the account can be used; ``guardian_consent_at`` is when it came.
    guardian_name: Mapped[str | None] = mapped_column(String(NAME_MAX))
    guardian_email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))
    guardian_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The sign-in this request runs under: set at sign-in and by the user loader.
    current_sign_in = None  # its id and token (a SignInSession, or sessions.SignedIn); not a column
    # The privacy-policy version this person must accept (a PendingVersion) or None, once
    # ``policy_to_accept_known``: the user loader reads it in the statement that finds the
    # sign-in. Not columns.
    policy_to_accept = None
    policy_to_accept_known = False

    def get_id(self) -> str | None:
        """What Flask-Login stores in the cookies: the token of the current sign-in."""
        return self.current_sign_in.token if self.current_sign_in is not None else None

    @property
    def is_active(self) -> bool:
        return self.erased_at is None

    @property
    def is_staff(self) -> bool:
        return self.role is Role.STAFF

    @property
    def is_restricted(self) -> bool:
        return self.restricted_at is not None

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def awaits_guardian(self) -> bool:
        """Signed up as a minor, and the guardian has not yet given consent."""
        return self.guardian_email is not None and self.guardian_consent_at is None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


def new_change_id() -> str:
    return secrets.token_urlsafe(18)


class EmailChange(db.Model):
    """A change of address waiting for the link sent to the new address.

    The link carries only ``public_id``: the addresses stay here, so they never appear in a
    URL, a proxy log or a browser history. Confirming, asking for another change and the
    retention run (after the registry's EMAIL_CHANGE_WINDOW) delete the row.
    """

    __tablename__ = "email_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_change_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    new_email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(32)


class SignInSession(db.Model):
    """One sign-in on one device, from sign-in until sign-out, "sign out everywhere", a
    password reset or an email change ends it. The cookie carries only the random ``token``;
    deleting the row is what ends the session, wherever the cookie has been copied to."""

    __tablename__ = "sign_in_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_sign_in_token)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user: Mapped[User] = relationship()
