"""The limit on password checks per account (``LOGIN_LIMIT_PER_ACCOUNT``, 5 per 15 minutes).

A check is claimed before the password is compared, in one atomic increment of a counter in
Flask-Limiter's storage (by default the application's database), so at most 5 wrong
passwords for one account are ever compared in a window, however many workers, hosts and
addresses the guesses come from. A correct password gives its claim back: only failures use
the allowance. The owner locked out by someone else's guesses still signs in by an emailed
link, which this limit does not touch.

The counter's key is a keyed hash of the address, so no address reaches the storage, and an
address with no account is counted exactly like one with an account.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from school.extensions import limiter

NAMESPACE = "password-checks"


def _account_key(address: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()


def _window():
    return FixedWindowRateLimiter(limiter.storage), parse(
        current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]
    )


def claim_password_check(address: str) -> bool:
    """Take one of the account's password checks; False when none are left in the window."""
    strategy, limit = _window()
    return strategy.hit(limit, NAMESPACE, _account_key(address))


def return_password_check(address: str) -> None:
    """Give back the check a correct password used, so only wrong ones count."""
    strategy, limit = _window()
    strategy.hit(limit, NAMESPACE, _account_key(address), cost=-1)
