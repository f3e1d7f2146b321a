"""Server-side sign-in sessions: each sign-in is a row, and ending it is deleting the row.

The session and remember cookies carry only a sign-in's random token. A cookie copied before
sign-out (from a shared computer, a proxy's log, a stolen backup) opens nothing afterwards,
because the row it names is gone. The functions that end sessions only add to the caller's
transaction; the service that calls them commits.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, delete, func, inspect, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from school.accounts.models import SignInSession, User
from school.database import Prebuilt, utcnow
from school.extensions import db
from school.privacy.consent import policies
from school.privacy.data import registry

# ``last_seen_at`` is written at most this often, so browsing does not write on every page.
LAST_SEEN_EVERY = timedelta(minutes=5)


def _idle_limit() -> timedelta:
    """A sign-in unused this long has ended: the registry's SIGN_IN period (which the
    retention run also keeps, deleting the rows of sign-ins nobody came back to)."""
    return timedelta(days=registry.retention_days(registry.SIGN_IN))


def start(user: User) -> SignInSession:
    """A new sign-in for ``user``, which becomes the one its cookies will carry.

    Sign-ins that ended by disuse are deleted on the way, besides the retention run."""
    db.session.execute(
        delete(SignInSession).where(SignInSession.last_seen_at < utcnow() - _idle_limit())
    )
    sign_in = SignInSession(user=user)
    db.session.add(sign_in)
    db.session.flush()
    user.current_sign_in = sign_in
    return sign_in


class SignedIn(NamedTuple):
    """The sign-in a request runs under, as ``end`` and ``end_all`` and the cookies use it."""

    id: int
    token: str


# The account, its sign-in and whether the account must accept a changed privacy policy (the
# banner every page shows then) in one statement, built once (and found compiled by identity,
# :class:`~school.database.Prebuilt`): every signed-in request runs it, and building it anew
# (comparisons, subqueries, its cache key) cost as much as running it. It is read as plain
# columns on the session's connection and the account made from them (:func:`_account_from`):
# the ORM's loading of that one row cost about 60 µs of every signed-in page.
_ACCOUNT_FIELDS = tuple(
    (attribute.key, attribute.columns[0]) for attribute in inspect(User).column_attrs
)
_SIGN_IN_WITH_ACCOUNT = Prebuilt(
    policies.with_acceptance(
        select(
            *(column for _key, column in _ACCOUNT_FIELDS),
            SignInSession.id,
            SignInSession.last_seen_at,
        )
        .join_from(User, SignInSession, SignInSession.user_id == User.id)
        .where(SignInSession.token == bindparam("token")),
        SignInSession.user_id,
    )
)
_ACCOUNT_KEYS = tuple(key for key, _column in _ACCOUNT_FIELDS)


def _account_from(values) -> User:
    """The account whose column values (in ``_ACCOUNT_KEYS`` order) were just read, as the
    request's session would have loaded it: persistent in that session, every column loaded
    and unchanged, its relationships loaded when first used. If the session already holds
    the account, that copy is the one returned, as a query would."""
    fields = dict(zip(_ACCOUNT_KEYS, values, strict=True))
    known = db.session.identity_map.get(identity_key(User, fields["id"]))
    if known is not None:
        return known
    user = User.__mapper__.class_manager.new_instance()
    user.__dict__.update(fields)
    make_transient_to_detached(user)
    db.session.add(user)
    return user


def user_for_token(token: str) -> User | None:
    """The account a cookie's token signs in, or None once that sign-in has ended."""
    now = utcnow()
    rows = _SIGN_IN_WITH_ACCOUNT.rows(
        db.session.connection(), {"token": token, "today": now.date()}
    )
    if not rows:
        return None
    found = rows[0]
    fields = len(_ACCOUNT_KEYS)
    sign_in_id, last_seen_at, *acceptance = found[fields:]
    user = _account_from(found[:fields])
    if not user.is_active or now - last_seen_at > _idle_limit():
        return None
    if now - last_seen_at > LAST_SEEN_EVERY:
        # On a connection of its own: loading the user must not commit the request's work.
        with db.engine.begin() as connection:
            connection.execute(
                update(SignInSession).where(SignInSession.id == sign_in_id).values(last_seen_at=now)
            )
    user.current_sign_in = SignedIn(sign_in_id, token)
    user.policy_to_accept = policies.pending_from(acceptance)
    user.policy_to_accept_known = True
    return user


def end(sign_in: SignInSession | SignedIn | None) -> None:
    """End one sign-in (signing out on this device)."""
    if sign_in is not None:
        db.session.execute(delete(SignInSession).where(SignInSession.id == sign_in.id))


def end_all(user: User, *, keep: SignInSession | SignedIn | None = None) -> int:
    """End every sign-in of ``user``, except ``keep`` if it is one of theirs."""
    statement = delete(SignInSession).where(SignInSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(SignInSession.id != keep.id)
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount


def count(user: User) -> int:
    """How many sign-ins of ``user`` are live (shown on the account page)."""
    return db.session.scalar(
        select(func.count()).select_from(SignInSession).where(SignInSession.user_id == user.id)
    )
