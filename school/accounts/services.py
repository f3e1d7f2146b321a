"""Account rules: sign-up, confirmation, sign-in, password and email changes.

Every function that changes state commits once, and any email it queues is part of that same
transaction. Answers never reveal whether an address has an account.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from school.accounts import emails, sessions, throttle
from school.accounts.models import EmailChange, Role, SignInSession, User
from school.database import utcnow
from school.extensions import db
from school.privacy.consent.ledger import consent_wording, current_policy, record_consent
from school.privacy.consent.models import ConsentAction, ConsentPurpose, ConsentRecord
from school.privacy.data import registry
from school.privacy.data.personal_data import fingerprint
from school.privacy.data.retention import count_where
from school.security import TokenError, check_password, hash_password, make_token, read_token

CONFIRM = "confirm-email"
RESET = "reset-password"
CHANGE_EMAIL = "change-email"
GUARDIAN_CONSENT = "guardian-consent"
SIGN_IN_LINK = "sign-in-link"
GUARDIAN_METHOD = "guardian confirmation by emailed link"


def normalise_email(address: str) -> str:
    """One spelling per mailbox for lookups: trimmed and lower-cased."""
    return address.strip().lower()


# Built once: the intake asks it for every emailed message. Addresses are stored as
# normalise_email writes them, so the address's unique index finds the account.
_BY_EMAIL = select(User).where(User.email == bindparam("address"))


def find_user_by_email(address: str) -> User | None:
    return db.session.scalar(_BY_EMAIL, {"address": normalise_email(address)})


# --- sign-up and confirmation ----------------------------------------------------------


@dataclass
class SignupRequest:
    """What a sign-up tells the school; the demo data and the tests give the same."""

    full_name: str
    email: str
    password: str
    language: str
    marketing_consent: bool = False
    ip_address: str | None = None
    date_of_birth: date | None = None
    guardian_name: str | None = None
    guardian_email: str | None = None


SIGNUP_FORM = "web signup form"
# What else a new student account starts with, added in the sign-up transaction (the profile
# package registers the profile row that keeps the date of birth): hook(user, signup).
SignupHook = Callable[[User, SignupRequest], None]
_signup_hooks: list[SignupHook] = []


def register_signup_hook(hook: SignupHook) -> None:
    if hook not in _signup_hooks:
        _signup_hooks.append(hook)


def age_on(born: date, today: date) -> int:
    """Full years lived: a birthday counts from its own day."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def is_minor(born: date, today: date | None = None) -> bool:
    """Under the age at which a person consents alone (``MINOR_AGE``, 16 by default)."""
    today = today or utcnow().date()
    return age_on(born, today) < current_app.config["MINOR_AGE"]


def add_account(
    data: SignupRequest,
    *,
    method: str = SIGNUP_FORM,
    role: Role = Role.STUDENT,
    confirmed: bool = False,
) -> User:
    """Add an account as a sign-up leaves it, in the caller's transaction (flushed, not
    committed): the user, a profile holding the date of birth, and the consents given.

    The one place an account and its sign-up consents are made: the sign-up form, the demo
    data and the tests all come here, so a test account holds what a real one holds.
    ``method`` says in the ledger how the consent was given.

    A minor's own ticks are not consent in law: their account keeps the guardian's name and
    address, and nothing is recorded until the guardian confirms. Raises IntegrityError when
    the address already has an account (the caller rolls back).
    """
    user = User(
        full_name=data.full_name.strip(),
        email=normalise_email(data.email),
        password_hash=hash_password(data.password),
        role=role,
        locale=data.language,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(user)
    db.session.flush()
    for start in _signup_hooks:
        start(user, data)
    if data.date_of_birth is not None and is_minor(data.date_of_birth):
        if not (data.guardian_name or "").strip() or not (data.guardian_email or "").strip():
            raise ValueError("a minor signs up with a parent or guardian's name and address")
        user.guardian_name = data.guardian_name.strip()
        user.guardian_email = normalise_email(data.guardian_email)
        return user

    policy = current_policy()
    record_consent(
        user=user,
        purpose=ConsentPurpose.PROCESSING,
        action=ConsentAction.GIVEN,
        policy=policy,
        method=method,
        language=data.language,
        ip_address=data.ip_address,
    )
    if data.marketing_consent:
        record_consent(
            user=user,
            purpose=ConsentPurpose.MARKETING,
            action=ConsentAction.GIVEN,
            policy=policy,
            method=f"{method} (separate, unticked option)",
            language=data.language,
            ip_address=data.ip_address,
        )
    return user


def register(data: SignupRequest) -> User | None:
    """Create an unconfirmed student account, its profile and consents, and ask for the
    confirmation of the address (and, for a minor, the guardian's consent) by email.

    If the address already has an account, nothing is created and its owner is told by
    email instead, so the page a visitor sees is the same either way, and so is the time it
    takes: the password is hashed and one email queued on both paths. Returns the new user,
    or None when the address was taken (also when two sign-ups race for it).
    """
    existing = find_user_by_email(data.email)
    if existing is not None:
        hash_password(data.password)  # the work a new account costs, so timing tells nothing
        emails.someone_tried_to_sign_up(existing)
        db.session.commit()
        return None

    try:
        user = add_account(data)
    except IntegrityError:
        # Another sign-up for the same address won the race between our check and insert.
        db.session.rollback()
        winner = find_user_by_email(data.email)
        if winner is not None:
            emails.someone_tried_to_sign_up(winner)
            db.session.commit()
        return None

    if user.awaits_guardian:
        emails.guardian_consent_request(user, guardian_consent_token(user))
    emails.confirm_your_address(user, confirmation_token(user))
    db.session.commit()
    return user


def confirmation_token(user: User) -> str:
    """The account id and a keyed fingerprint of the address it confirms: a link that reads
    as base64 in a proxy log or a browser history names nobody."""
    return make_token(CONFIRM, {"u": user.id, "e": fingerprint(user.email)})


class ConfirmResult(enum.StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already"


def user_to_confirm(token: str) -> User:
    """The account a confirmation link is for, changing nothing. Raises TokenError for a bad
    or stale link."""
    max_age = int(current_app.config["ACCOUNT_CONFIRM_WITHIN"].total_seconds())
    payload = read_token(CONFIRM, token, max_age)
    user = db.session.get(User, payload.get("u"))
    if user is None or not user.is_active or fingerprint(user.email) != payload.get("e"):
        raise TokenError("invalid")
    return user


def confirm_email(token: str) -> tuple[ConfirmResult, User]:
    """Confirm the address a token was sent to. Raises TokenError for a bad or stale link."""
    user = user_to_confirm(token)
    if user.is_confirmed:
        return ConfirmResult.ALREADY, user
    user.email_confirmed_at = utcnow()
    db.session.commit()
    return ConfirmResult.CONFIRMED, user


def resend_confirmation(address: str, language: str) -> None:
    """Send the links an account still waits for: its own confirmation, and for a minor
    whose guardian has not answered (perhaps too late), the guardian's link again.

    Every address gets an email, so the answer and its timing say nothing about whether
    the address has an account: one with nothing to confirm is told it can log in, one with
    no account is told so.
    """
    user = find_user_by_email(address)
    if user is None or not user.is_active:
        emails.no_account_here(normalise_email(address), language)
        db.session.commit()
        return
    if user.is_confirmed and not user.awaits_guardian:
        emails.already_confirmed(user)
        db.session.commit()
        return
    if not user.is_confirmed:
        emails.confirm_your_address(user, confirmation_token(user))
    if user.awaits_guardian:
        emails.guardian_consent_request(user, guardian_consent_token(user))
    db.session.commit()


# --- a parent or guardian's consent for a minor ----------------------------------------------


def guardian_consent_token(user: User) -> str:
    """Like :func:`confirmation_token`: the guardian's address only as a fingerprint."""
    return make_token(GUARDIAN_CONSENT, {"u": user.id, "g": fingerprint(user.guardian_email)})


def user_for_guardian_token(token: str) -> User:
    """The minor a guardian's link is about. Raises TokenError for a bad or stale link."""
    max_age = int(current_app.config["GUARDIAN_CONSENT_WITHIN"].total_seconds())
    payload = read_token(GUARDIAN_CONSENT, token, max_age)
    user = db.session.get(User, payload.get("u"))
    if (
        user is None
        or not user.is_active
        or not user.guardian_email
        or fingerprint(user.guardian_email) != payload.get("g")
    ):
        raise TokenError("invalid")
    return user


def guardian_description(user: User) -> str:
    """How the ledger names who consented: the guardian's name and address."""
    return f"{user.guardian_name} <{user.guardian_email}>"


class GuardianResult(enum.StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already"


def give_guardian_consent(
    token: str,
    *,
    language: str,
    ip_address: str | None,
    marketing_consent: bool = False,
) -> tuple[GuardianResult, User]:
    """Record the guardian's consent to processing on the minor's behalf; the account opens.

    The wording recorded is the one shown on the guardian's page, in its language. A second
    confirmation changes nothing. Raises TokenError for a bad or stale link.
    """
    user = user_for_guardian_token(token)
    # Claim the confirmation in one conditional write, so two clicks racing each other
    # record the consent once.
    claimed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.guardian_consent_at.is_(None))
        .values(guardian_consent_at=utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not claimed:
        db.session.rollback()
        return GuardianResult.ALREADY, user
    policy = current_policy()
    on_behalf = guardian_description(user)
    record_consent(
        user=user,
        purpose=ConsentPurpose.PROCESSING,
        action=ConsentAction.GIVEN,
        policy=policy,
        wording=consent_wording(ConsentPurpose.PROCESSING, language, policy),
        method=GUARDIAN_METHOD,
        language=language,
        ip_address=ip_address,
        given_on_behalf_by=on_behalf,
    )
    if marketing_consent:
        record_consent(
            user=user,
            purpose=ConsentPurpose.MARKETING,
            action=ConsentAction.GIVEN,
            policy=policy,
            method=GUARDIAN_METHOD + " (separate, unticked option)",
            language=language,
            ip_address=ip_address,
            given_on_behalf_by=on_behalf,
        )
    db.session.commit()
    return GuardianResult.CONFIRMED, user


# --- signing in --------------------------------------------------------------------------


class LoginOutcome(enum.StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    THROTTLED = "throttled"  # too many wrong passwords for this address: none is checked
    UNCONFIRMED = "unconfirmed"
    AWAITING_GUARDIAN = "awaiting_guardian"


def authenticate(address: str, password: str, ip_address: str | None):
    """Check credentials; return (outcome, user). Unknown addresses cost as much as known.

    The password is compared only if the address has a check left in the limit's window
    (see :mod:`school.accounts.throttle`), for an address with or without an account alike.
    A successful sign-in starts a server-side session, the one the cookies will carry.
    """
    address = normalise_email(address)
    user = find_user_by_email(address)
    if not throttle.claim_password_check(address):
        return LoginOutcome.THROTTLED, None
    if user is None or not user.is_active:
        check_password(password, None)
        return LoginOutcome.BAD_CREDENTIALS, None
    if not check_password(password, user.password_hash):
        return LoginOutcome.BAD_CREDENTIALS, None
    throttle.return_password_check(address)
    # Told only to someone who knows the password, so it reveals nothing to others.
    if user.awaits_guardian:
        return LoginOutcome.AWAITING_GUARDIAN, user
    if not user.is_confirmed:
        return LoginOutcome.UNCONFIRMED, user
    _record_sign_in(user, ip_address)
    db.session.commit()
    return LoginOutcome.OK, user


def _record_sign_in(user: User, ip_address: str | None) -> None:
    user.last_login_at = utcnow()
    user.last_login_ip = ip_address
    user.login_count = (user.login_count or 0) + 1
    sessions.start(user)


def user_for_sign_in_token(token: str) -> User | None:
    """The account a cookie signs in (Flask-Login's user loader), while its session lives."""
    return sessions.user_for_token(token)


def sign_out(user: User) -> None:
    """End the sign-in this request runs under; a copy of its cookie opens nothing after."""
    sessions.end(user.current_sign_in)
    db.session.commit()


def sign_out_everywhere(user: User) -> int:
    """End every sign-in of the account, this one included; returns how many ended."""
    ended = sessions.end_all(user)
    db.session.commit()
    return ended


def live_sign_ins(user: User) -> int:
    return sessions.count(user)


# --- signing in by an emailed link ---------------------------------------------------------


def _sign_in_fingerprint(user: User) -> str:
    """Changes at every sign-in, so a sign-in link works once (and not after a later one)."""
    last = user.last_login_at.isoformat() if user.last_login_at else ""
    return hashlib.sha256(f"{user.id}:{last}:{user.password_hash}".encode()).hexdigest()[:16]


def request_sign_in_link(address: str, language: str) -> None:
    """Email a one-time sign-in link to the address's account, or tell the address that it
    has none: the same page and the same work either way.

    This is the way in for an owner whose password checks someone else's guesses used up.
    The token names the account by its public id and carries no address.
    """
    user = find_user_by_email(address)
    if user is None or not user.is_active:
        emails.no_account_here(normalise_email(address), language)
    else:
        token = make_token(SIGN_IN_LINK, {"u": user.public_id, "s": _sign_in_fingerprint(user)})
        emails.sign_in_link(user, token)
    db.session.commit()


def user_for_sign_in_link(token: str) -> User:
    """The account a sign-in link opens. Raises TokenError for a bad, used or stale link."""
    max_age = int(current_app.config["SIGN_IN_LINK_WITHIN"].total_seconds())
    payload = read_token(SIGN_IN_LINK, token, max_age)
    user = db.session.scalar(select(User).where(User.public_id == payload.get("u")))
    if user is None or not user.is_active or payload.get("s") != _sign_in_fingerprint(user):
        raise TokenError("invalid")
    return user


def sign_in_by_link(token: str, ip_address: str | None) -> tuple[LoginOutcome, User]:
    """Sign in from an emailed link, whatever the password limit says; the link is used up.

    Opening the link proves the person reads the address, so it also confirms it. A minor
    still waiting for a guardian's consent is not let in. Raises TokenError for a bad link.
    """
    user = user_for_sign_in_link(token)
    if user.awaits_guardian:
        return LoginOutcome.AWAITING_GUARDIAN, user
    # Claim the link in one conditional write, so two clicks racing each other sign in once.
    previous = user.last_login_at
    now = utcnow()
    claimed = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            User.last_login_at.is_(None) if previous is None else User.last_login_at == previous,
        )
        .values(
            last_login_at=now,
            last_login_ip=ip_address,
            login_count=User.login_count + 1,
            email_confirmed_at=func.coalesce(User.email_confirmed_at, now),
        )
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise TokenError("invalid")
    sessions.start(user)
    db.session.commit()
    return LoginOutcome.OK, user


# --- passwords ---------------------------------------------------------------------------


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a reset link works only once."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def request_password_reset(address: str, language: str) -> None:
    """Send a reset link if the address has an account, else tell the address it has none:
    the visitor sees the same page, after the same work, either way."""
    user = find_user_by_email(address)
    if user is None or not user.is_active:
        emails.no_account_here(normalise_email(address), language)
        db.session.commit()
        return
    token = make_token(RESET, {"u": user.id, "p": _password_fingerprint(user)})
    emails.reset_your_password(user, token)
    db.session.commit()


def user_for_reset_token(token: str) -> User:
    max_age = int(current_app.config["PASSWORD_RESET_WITHIN"].total_seconds())
    payload = read_token(RESET, token, max_age)
    user = db.session.get(User, payload.get("u"))
    if user is None or not user.is_active or payload.get("p") != _password_fingerprint(user):
        raise TokenError("invalid")
    return user


def reset_password(token: str, new_password: str, current: SignInSession | None = None) -> User:
    """Set a new password from a reset link; ends every sign-in of the account but
    ``current`` (the one the reset is made from, if it is the account's own)."""
    user = user_for_reset_token(token)
    _set_password(user, new_password, keep=current)
    if not user.is_confirmed:
        # The link arrived at this address, which proves the person reads it.
        user.email_confirmed_at = utcnow()
    emails.password_changed(user)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> bool:
    """Change the password of a signed-in person; other sessions end. False if wrong."""
    if not check_password(current_password, user.password_hash):
        return False
    _set_password(user, new_password, keep=user.current_sign_in)
    emails.password_changed(user)
    db.session.commit()
    return True


def _set_password(user: User, new_password: str, keep: SignInSession | None) -> None:
    user.password_hash = hash_password(new_password)
    sessions.end_all(user, keep=keep)


# --- email change -------------------------------------------------------------------------


class EmailChangeOutcome(enum.StrEnum):
    SENT = "sent"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105  (an outcome, not a password)
    SAME_ADDRESS = "same_address"


def request_email_change(user: User, new_address: str, password: str) -> EmailChangeOutcome:
    """Send a confirmation link to the new address; the old one is told when it changes.

    If the new address already belongs to an account, that address is told so instead, and
    the person making the change sees the same answer as for a free address.
    """
    if not check_password(password, user.password_hash):
        return EmailChangeOutcome.WRONG_PASSWORD
    new_address = normalise_email(new_address)
    if new_address == user.email:
        return EmailChangeOutcome.SAME_ADDRESS
    if find_user_by_email(new_address) is not None:
        emails.address_already_registered(new_address, user.locale)
    else:
        # Only the latest change stands; its addresses stay here, the link names the row.
        db.session.execute(delete(EmailChange).where(EmailChange.user_id == user.id))
        change = EmailChange(user_id=user.id, new_email=new_address)
        db.session.add(change)
        db.session.flush()
        token = make_token(CHANGE_EMAIL, {"c": change.public_id})
        emails.confirm_new_address(user, new_address, token)
    db.session.commit()
    return EmailChangeOutcome.SENT


def email_change_for(token: str) -> tuple[User, str]:
    """The account and new address an email change link is for, changing nothing. Raises
    TokenError for a bad or stale link, or a new address someone else has since taken."""
    max_age = registry.retention_days(registry.EMAIL_CHANGE_WINDOW) * 24 * 3600
    payload = read_token(CHANGE_EMAIL, token, max_age)
    change = db.session.scalar(select(EmailChange).where(EmailChange.public_id == payload.get("c")))
    user = db.session.get(User, change.user_id) if change is not None else None
    if user is None or not user.is_active:
        raise TokenError("invalid")
    new_address = change.new_email
    db.session.delete(change)
    taken = db.session.scalar(
        select(func.count()).select_from(User).where(User.email == new_address)
    )
    if taken:
        raise TokenError("invalid")
    return user, new_address


def confirm_email_change(token: str, current: SignInSession | None = None) -> User:
    """Switch to the new address from its link; the old address hears about it. Every
    sign-in of the account ends but ``current`` (the one the link is opened in, if any)."""
    user, new_address = email_change_for(token)
    old_address = user.email
    user.email = new_address
    user.email_confirmed_at = utcnow()
    emails.address_was_changed(user, old_address)
    sessions.end_all(user, keep=current)
    sessions.end_all(user, keep=current)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise TokenError("invalid") from error
    return user


# --- staff ---------------------------------------------------------------------------------


def create_staff(full_name: str, address: str, password: str) -> User:
    """Create a confirmed staff account (from the CLI), or promote an existing one."""
    address = normalise_email(address)
    user = find_user_by_email(address)
    if user is None:
        user = User(full_name=full_name, email=address, locale="en")
        db.session.add(user)
    user.role = Role.STAFF
    user.password_hash = hash_password(password)
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    sessions.end_all(user)
    db.session.commit()
    return user


# --- retention (the periods are the registry's; the retention run passes the cutoff) -------


def count_idle_sign_in_details(cutoff: datetime) -> int:
    return count_where(User, User.last_login_at < cutoff)


def forget_idle_sign_in_details(cutoff: datetime) -> int:
    """The last sign-in's time and address and the count of sign-ins serve security only
    (SECURITY_LOG): an account not signed in to since the cutoff forgets them, and its count
    starts again from zero."""
    changed = db.session.execute(
        update(User)
        .where(User.last_login_at < cutoff)
        .values(last_login_at=None, last_login_ip=None, login_count=0)
    ).rowcount
    db.session.commit()
    return changed


def _long_erased(cutoff: datetime):
    return select(User.id).where(User.erased_at.is_not(None), User.erased_at < cutoff)


def count_consent_evidence_of_erased(cutoff: datetime) -> int:
    in_ledger = count_where(ConsentRecord, ConsentRecord.user_id.in_(_long_erased(cutoff)))
    return in_ledger + count_where(User, User.id.in_(_long_erased(cutoff)), _guardian_held())


def _guardian_held():
    return or_(
        User.guardian_name.is_not(None),
        User.guardian_email.is_not(None),
        User.guardian_consent_at.is_not(None),
    )


def purge_consent_evidence(cutoff: datetime) -> int:
    """An erasure ends every consent: once CONSENT_EVIDENCE's period after it is over, the
    consent records of the account and its guardian's consent go."""
    deleted = db.session.execute(
        delete(ConsentRecord).where(ConsentRecord.user_id.in_(_long_erased(cutoff)))
    ).rowcount
    deleted += db.session.execute(
        update(User)
        .where(User.id.in_(_long_erased(cutoff)), _guardian_held())
        .values(guardian_name=None, guardian_email=None, guardian_consent_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return deleted
