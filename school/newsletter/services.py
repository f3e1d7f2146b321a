"""Newsletter rules: who may receive one, subscribing and unsubscribing, and sending.

The audience is one SQL query over the consent ledger, so the rule lives in one place and
scales with the database, not with a Python loop. Sending a campaign is one INSERT ... SELECT
into the outbox, inside the transaction that marks the campaign as sending; the unique
(campaign, recipient) constraint means a retried or doubled click cannot queue anyone twice.
What differs per person (the unsubscribe link and headers) is filled in when each message is
built for SMTP, so the queued rows share one rendered body.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    String,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from school.accounts.models import User
from school.accounts.services import normalise_email
from school.courses.models import Course
from school.database import UTCDateTime, utcnow
from school.enrollment.models import Enrollment, EnrollmentStatus
from school.extensions import db
from school.mail.models import OutboxMessage, OutboxStatus, SuppressedAddress
from school.mail.services import _sender_domain, queue_email, queue_rendered
from school.markdown_text import render_markdown
from school.newsletter.models import (
    Campaign,
    CampaignStatus,
    Subscriber,
    new_confirmation_token,
)
from school.newsletter.rendering import html_to_text
from school.privacy.consent.ledger import current_policy, record_consent, standing_consent
from school.privacy.consent.models import ConsentAction, ConsentPurpose, ConsentRecord
from school.privacy.data import registry
from school.privacy.data.personal_data import FINGERPRINT_PREFIX, fingerprint
from school.privacy.data.retention import count_where
from school.security import TokenError, make_token, read_token
from school.web_urls import absolute_url

TEMPLATE = "newsletter/campaign"
UNSUBSCRIBE_PLACEHOLDER = "__UNSUBSCRIBE_URL__"
UNSUBSCRIBE_PURPOSE = "newsletter-unsubscribe"
UNSUBSCRIBE_LINK_VALID = timedelta(days=5 * 365)  # an old newsletter's link must still work
LANGUAGES = ("en", "ru")


# --- the audience ------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who a campaign is for, beyond the consent rule that always applies.

    The language is always chosen. A course filter (the language a course teaches and/or
    its CEFR level) keeps only students who are or were enrolled on such a course (approved,
    studying or completed), and so leaves out visitor subscribers, who have no courses.
    """

    language: str
    course_language: str | None = None
    course_level: str | None = None

    @property
    def by_course(self) -> bool:
        return bool(self.course_language or self.course_level)

    @classmethod
    def of(cls, campaign: Campaign) -> Audience:
        audience = campaign.audience or {}
        return cls(
            language=campaign.language,
            course_language=audience.get("course_language") or None,
            course_level=audience.get("course_level") or None,
        )


def _latest_marketing_consent():
    """Per account, the id of its newest marketing row in the ledger."""
    return (
        select(
            ConsentRecord.user_id.label("user_id"),
            func.max(ConsentRecord.id).label("record_id"),
        )
        .where(
            ConsentRecord.purpose == ConsentPurpose.MARKETING, ConsentRecord.user_id.is_not(None)
        )
        .group_by(ConsentRecord.user_id)
        .subquery("latest_marketing")
    )


def _not_suppressed(email_column):
    return ~exists().where(SuppressedAddress.email == email_column)


def _account_conditions(audience: Audience) -> list:
    conditions = [
        User.restricted_at.is_(None),
        User.erased_at.is_(None),
        User.email_confirmed_at.is_not(None),
        User.locale == audience.language,
        _not_suppressed(User.email),
    ]
    if audience.by_course:
        studied = exists().where(
            Enrollment.user_id == User.id,
            Enrollment.course_id == Course.id,
            Enrollment.status.in_(
                [EnrollmentStatus.APPROVED, EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED]
            ),
        )
        if audience.course_language:
            studied = studied.where(Course.language == audience.course_language)
        if audience.course_level:
            studied = studied.where(Course.level == audience.course_level)
        conditions.append(studied)
    return conditions


def audience_select(audience: Audience):
    """One query for everyone the campaign may reach: (user_id, email, locale, ref).

    Accounts whose latest marketing row in the ledger is a consent (not a withdrawal), not
    blocked, not erased, with a confirmed address in the campaign's language; plus confirmed
    visitor subscribers who have neither unsubscribed nor blocked it, and whose address is
    not an account's (an account's own consent, blocking and erasure decide for it).
    Hard-bouncing addresses are left out. ``ref`` is unique per person and becomes part of
    the Message-ID.
    """
    latest = _latest_marketing_consent()
    accounts = (
        select(
            User.id.label("user_id"),
            User.email.label("email"),
            User.locale.label("locale"),
            (literal("u") + cast(User.id, String)).label("ref"),
        )
        .join(latest, latest.c.user_id == User.id)
        .join(ConsentRecord, ConsentRecord.id == latest.c.record_id)
        .where(ConsentRecord.action == ConsentAction.GIVEN, *_account_conditions(audience))
    )
    visitors = select(
        cast(null(), db.Integer).label("user_id"),
        Subscriber.email.label("email"),
        Subscriber.locale.label("locale"),
        (literal("s") + cast(Subscriber.id, String)).label("ref"),
    ).where(
        Subscriber.confirmed_at.is_not(None),
        Subscriber.unsubscribed_at.is_(None),
        Subscriber.restricted_at.is_(None),
        Subscriber.locale == audience.language,
        ~exists().where(User.email == Subscriber.email),
        _not_suppressed(Subscriber.email),
    )
    if audience.by_course:
        return accounts
    return accounts.union_all(visitors)


def audience_count(audience: Audience) -> int:
    return db.session.scalar(select(func.count()).select_from(audience_select(audience).subquery()))


# --- subscriptions of people with an account ---------------------------------------------


def is_subscribed(user) -> bool:
    return standing_consent(user, ConsentPurpose.MARKETING) is not None


def set_account_subscription(
    user, subscribe: bool, *, language: str, method: str, ip_address: str | None = None
) -> bool:
    """Give or withdraw the newsletter consent of an account; False if nothing changed."""
    if subscribe == is_subscribed(user):
        return False
    record_consent(
        user=user,
        purpose=ConsentPurpose.MARKETING,
        action=ConsentAction.GIVEN if subscribe else ConsentAction.WITHDRAWN,
        policy=current_policy() if subscribe else None,
        method=method,
        language=language,
        ip_address=ip_address,
    )
    db.session.commit()
    return True


# --- visitors: double opt-in ----------------------------------------------------------------


def confirm_within() -> timedelta:
    """How long a sign-up waits for its confirmation: the registry's period for it."""
    return timedelta(days=registry.retention_days(registry.NEWSLETTER_SUBSCRIPTION))


def subscription_of(address: str) -> Subscriber | None:
    """The visitor subscription of an address, also once only its fingerprint is kept (an
    old unsubscription): the fingerprint still says that the address asked us to stop."""
    return db.session.scalar(
        select(Subscriber).where(Subscriber.email.in_([address, fingerprint(address)]))
    )


def subscribe_visitor(email: str, locale: str, ip_address: str | None = None) -> None:
    """Ask a visitor's address to confirm. The caller answers the same whatever happens here,
    so the form tells nobody whether an address has an account or already subscribed."""
    address = normalise_email(email)
    locale = locale if locale in LANGUAGES else "en"
    subscriber = subscription_of(address)
    if subscriber is not None and subscriber.is_active:
        # Already receiving it. Still one email, as for any other address, so that neither
        # the page nor its timing tells a stranger who subscribes; it carries the way out.
        queue_email(
            address,
            locale=subscriber.locale,
            subject=_l("You already receive our newsletter"),
            template="newsletter/already_subscribed",
            unsubscribe_link=absolute_url(
                "newsletter.unsubscribe", token=unsubscribe_token(subscriber_id=subscriber.id)
            ),
        )
        db.session.commit()
        return
    if subscriber is None:
        subscriber = Subscriber(email=address, locale=locale)
        db.session.add(subscriber)
    else:  # unconfirmed or unsubscribed: a fresh request with a fresh link and a fresh clock
        subscriber.email = address  # back from a fingerprint, if only that was kept
        subscriber.locale = locale
        subscriber.token = new_confirmation_token()
        subscriber.created_at = utcnow()
        subscriber.confirmed_at = None
        subscriber.unsubscribed_at = None
    db.session.flush()
    queue_email(
        address,
        locale=locale,
        subject=_l("Confirm your newsletter subscription"),
        template="newsletter/confirm_subscription",
        link=absolute_url("newsletter.confirm", token=subscriber.token),
        days=confirm_within().days,
    )
    try:
        db.session.commit()
    except IntegrityError:  # the same address submitted twice at once: one row wins
        db.session.rollback()


class ConfirmResult(enum.Enum):
    CONFIRMED = "confirmed"
    ALREADY = "already"
    INVALID = "invalid"


def subscription_to_confirm(token: str) -> tuple[ConfirmResult, Subscriber | None]:
    """What a confirmation link would do, changing nothing: INVALID (unknown or too old),
    ALREADY (confirmed before) or CONFIRMED (it would start), with the subscription."""
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.token == token))
    if subscriber is None:
        return ConfirmResult.INVALID, None
    if subscriber.is_active:
        return ConfirmResult.ALREADY, subscriber
    if subscriber.created_at < utcnow() - confirm_within():
        return ConfirmResult.INVALID, None
    return ConfirmResult.CONFIRMED, subscriber


def confirm_subscription(token: str, ip_address: str | None = None) -> ConfirmResult:
    """The button behind the confirmation link: the subscription starts and the ledger
    records it.

    An address that belongs to an account becomes that account's consent (the person has
    just proved the mailbox is theirs), so blocking and erasure of the account apply to it.
    """
    result, subscriber = subscription_to_confirm(token)
    if result is not ConfirmResult.CONFIRMED:
        return result
    account = db.session.scalar(select(User).where(User.email == subscriber.email))
    consent = {
        "purpose": ConsentPurpose.MARKETING,
        "action": ConsentAction.GIVEN,
        "policy": current_policy(),
        "method": "newsletter form, confirmed by email link (double opt-in)",
        "language": subscriber.locale,
        "ip_address": ip_address,
    }
    if account is not None:
        if not is_subscribed(account):
            record_consent(user=account, **consent)
        db.session.delete(subscriber)
    else:
        subscriber.confirmed_at = utcnow()
        subscriber.token = new_confirmation_token()  # the link is spent
        record_consent(email=subscriber.email, **consent)
    db.session.commit()
    return ConfirmResult.CONFIRMED


# --- retention (NEWSLETTER_SUBSCRIPTION; the retention run passes the cutoff) ---------------


def _unconfirmed_before(cutoff):
    return Subscriber.confirmed_at.is_(None), Subscriber.created_at < cutoff


def count_unconfirmed(cutoff) -> int:
    return count_where(Subscriber, *_unconfirmed_before(cutoff))


def purge_unconfirmed(cutoff) -> int:
    """Delete visitor sign-ups never confirmed within the period."""
    result = db.session.execute(delete(Subscriber).where(*_unconfirmed_before(cutoff)))
    db.session.commit()
    return result.rowcount


def _unsubscribed_before(cutoff):
    return (
        Subscriber.unsubscribed_at < cutoff,
        ~Subscriber.email.startswith(FINGERPRINT_PREFIX),
    )


def count_unsubscribed(cutoff) -> int:
    return count_where(Subscriber, *_unsubscribed_before(cutoff))


def fingerprint_unsubscribed(cutoff) -> int:
    """Addresses unsubscribed before the cutoff keep only a keyed fingerprint: enough to
    recognise the address if it is given again (:func:`subscription_of`), nothing to read."""
    rows = db.session.scalars(select(Subscriber).where(*_unsubscribed_before(cutoff))).all()
    for row in rows:
        row.email = fingerprint(row.email)
    db.session.commit()
    return len(rows)


# --- unsubscribing ----------------------------------------------------------------------------


def unsubscribe_token(*, user_id: int | None = None, subscriber_id: int | None = None) -> str:
    """A signed token naming an account or a visitor subscription by id.

    Ids, not addresses: the token's payload is readable, and the link may end up in logs.
    """
    payload = {"u": user_id} if user_id is not None else {"s": subscriber_id}
    return make_token(UNSUBSCRIBE_PURPOSE, payload)


def read_unsubscribe_token(token: str) -> dict:
    """The payload of a valid unsubscribe token; raises :class:`TokenError` otherwise."""
    payload = read_token(UNSUBSCRIBE_PURPOSE, token, int(UNSUBSCRIBE_LINK_VALID.total_seconds()))
    if not isinstance(payload, dict) or not ({"u", "s"} & payload.keys()):
        raise TokenError("invalid")
    return payload


def unsubscribe(token: str, *, method: str, ip_address: str | None = None) -> bool:
    """Stop the newsletter for whoever the token names, at once; True if anything changed.

    Works without a session: the signed token is the proof. Idempotent, because mail
    clients may send the one-click POST more than once.
    """
    payload = read_unsubscribe_token(token)
    if "u" in payload:
        user = db.session.get(User, payload["u"])
        changed = _withdraw_account(user, method=method, ip_address=ip_address)
    else:
        subscriber = db.session.get(Subscriber, payload["s"]) if payload["s"] else None
        changed = _withdraw_subscriber(subscriber, method=method, ip_address=ip_address)
    db.session.commit()
    return changed


def withdraw_address(email: str, *, method: str) -> bool:
    """Stop the newsletter for an address, in the caller's transaction: the account with
    that address and any visitor subscription. Idempotent.

    The email intake reaches this (through a confirmed privacy request) for a message to the
    List-Unsubscribe mailto address.
    """
    address = normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == address))
    subscriber = subscription_of(address)
    account_changed = _withdraw_account(user, method=method)
    subscription_changed = _withdraw_subscriber(subscriber, method=method)
    return account_changed or subscription_changed


def restrict_address(email: str, *, restricted: bool) -> bool:
    """Block (or unblock) the newsletter for an address no account holds, in the caller's
    transaction; True if anything changed. The sign-up is kept as it is; a newsletter already
    queued for the address and not yet sent is dropped from the queue, so a campaign queued
    before the block never reaches it. The privacy requests reach this for an emailed
    "Blocking of Personal Data" / "Unblocking of Personal Data" once confirmed and approved.
    """
    subscriber = subscription_of(normalise_email(email))
    if subscriber is None or (subscriber.restricted_at is not None) == restricted:
        return False
    subscriber.restricted_at = utcnow() if restricted else None
    if restricted:
        db.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.template == TEMPLATE,
                OutboxMessage.recipient == subscriber.email,
                OutboxMessage.status == OutboxStatus.QUEUED,
            )
        )
    return True


def _withdraw_account(user, *, method: str, ip_address: str | None = None) -> bool:
    if user is None or not is_subscribed(user):
        return False
    record_consent(
        user=user,
        purpose=ConsentPurpose.MARKETING,
        action=ConsentAction.WITHDRAWN,
        method=method,
        language=user.locale,
        ip_address=ip_address,
    )
    return True


def _withdraw_subscriber(subscriber, *, method: str, ip_address: str | None = None) -> bool:
    if subscriber is None or not subscriber.is_active:
        return False
    subscriber.unsubscribed_at = utcnow()
    record_consent(
        email=subscriber.email,
        purpose=ConsentPurpose.MARKETING,
        action=ConsentAction.WITHDRAWN,
        method=method,
        language=subscriber.locale,
        ip_address=ip_address,
    )
    return True


def unsubscribe_mailto() -> str:
    config = current_app.config
    address = config.get("UNSUBSCRIBE_MAILTO") or config["PRIVACY_CONTACT_EMAIL"]
    return f"mailto:{address}?subject=unsubscribe"


def personalise(row: OutboxMessage) -> tuple[str, str, dict]:
    """Fill in the recipient's own unsubscribe link and the RFC 8058 headers."""
    if row.user_id is not None:
        token = unsubscribe_token(user_id=row.user_id)
    else:
        subscriber_id = db.session.scalar(
            select(Subscriber.id).where(Subscriber.email == row.recipient)
        )
        token = unsubscribe_token(subscriber_id=subscriber_id or 0)
    url = absolute_url("newsletter.unsubscribe", token=token)
    headers = dict(row.headers or {})
    headers["List-Unsubscribe"] = f"<{url}>, <{unsubscribe_mailto()}>"
    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return (
        row.text_body.replace(UNSUBSCRIBE_PLACEHOLDER, url),
        row.html_body.replace(UNSUBSCRIBE_PLACEHOLDER, url),
        headers,
    )


# --- campaigns ----------------------------------------------------------------------------


def save_campaign(
    campaign: Campaign | None,
    *,
    subject: str,
    body: str,
    language: str,
    author,
    course_language: str = "",
    course_level: str = "",
):
    """Create or edit a draft. A campaign that is sending can no longer change."""
    if campaign is None:
        campaign = Campaign(created_by_id=author.id)
        db.session.add(campaign)
    elif not campaign.is_draft:
        raise ValueError("only a draft can be edited")
    campaign.subject = subject
    campaign.body = body
    campaign.language = language
    campaign.audience = {
        "language": language,
        "course_language": course_language or None,
        "course_level": course_level or None,
    }
    campaign.updated_at = utcnow()
    db.session.commit()
    return campaign


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    content_html: str  # the sanitised body alone, for the preview


def render_campaign(campaign: Campaign) -> Rendered:
    """The campaign's bodies in its language, with a placeholder for the unsubscribe link."""
    content = render_markdown(campaign.body)
    with force_locale(campaign.language):
        context = {
            "subject": campaign.subject,
            "content_html": content,
            "content_text": html_to_text(str(content)),
            "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        }
        text = render_template(f"email/{TEMPLATE}.txt", **context)
        html = render_template(f"email/{TEMPLATE}.html", **context)
    return Rendered(subject=campaign.subject, text=text, html=html, content_html=str(content))


def send_test(campaign: Campaign, staff_user) -> None:
    """Send the campaign to the staff member alone, marked as a test, through the outbox."""
    rendered = render_campaign(campaign)
    with force_locale(campaign.language):
        prefix = str(_l("[Test]"))
    queue_rendered(
        staff_user.email,
        subject=f"{prefix} {rendered.subject}",
        text_body=rendered.text,
        html_body=rendered.html,
        template=TEMPLATE,
        user=staff_user,
    )
    db.session.commit()


def queue_campaign(campaign: Campaign, staff_user) -> int | None:
    """Queue one message per person in the audience, in one transaction; return how many.

    The conditional update makes a second click (or a second staff member) a no-op (None).
    With nobody in the audience nothing changes and the campaign stays a draft (0).
    """
    claimed = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.status == CampaignStatus.DRAFT)
        .values(status=CampaignStatus.SENDING, queued_at=utcnow(), queued_by_id=staff_user.id)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return None
    rendered = render_campaign(campaign)
    audience = audience_select(Audience.of(campaign)).subquery("audience")
    now = utcnow()
    message_id = (
        literal(f"<nl.{campaign.public_id}.") + audience.c.ref + literal(f"@{_sender_domain()}>")
    )
    result = db.session.execute(
        insert(OutboxMessage)
        .from_select(
            [
                "campaign_id",
                "user_id",
                "recipient",
                "subject",
                "text_body",
                "html_body",
                "headers",
                "template",
                "message_id",
                "status",
                "attempts",
                "next_attempt_at",
                "created_at",
            ],
            select(
                literal(campaign.id),
                audience.c.user_id,
                audience.c.email,
                literal(rendered.subject),
                literal(rendered.text),
                literal(rendered.html),
                literal({}, JSON),
                literal(TEMPLATE),
                message_id,
                literal(OutboxStatus.QUEUED.value),
                literal(0),
                literal(now, UTCDateTime),
                literal(now, UTCDateTime),
            ),
        )
        # Without it psycopg reports -1 rows for an INSERT ... SELECT.
        .execution_options(preserve_rowcount=True)
    )
    count = result.rowcount
    if count == 0:
        db.session.rollback()
        return 0
    db.session.execute(
        update(Campaign).where(Campaign.id == campaign.id).values(recipient_count=count)
    )
    db.session.commit()
    db.session.refresh(campaign)
    return count


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int

    @property
    def remaining(self) -> int:
        return max(self.total - self.sent - self.failed, 0)

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def finished(self) -> bool:
        return self.remaining == 0

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "sent": self.sent,
            "failed": self.failed,
            "remaining": self.remaining,
            "percent": self.percent,
            "finished": self.finished,
        }


def progress_of(campaign_ids: list[int]) -> dict[int, Progress]:
    """Sent / failed / remaining for several campaigns in one grouped query."""
    counts: dict[int, dict] = {cid: {} for cid in campaign_ids}
    if campaign_ids:
        rows = db.session.execute(
            select(OutboxMessage.campaign_id, OutboxMessage.status, func.count())
            .where(OutboxMessage.campaign_id.in_(campaign_ids))
            .group_by(OutboxMessage.campaign_id, OutboxMessage.status)
        )
        for campaign_id, status, count in rows:
            counts[campaign_id][status] = count
    return {
        cid: Progress(
            total=sum(c.values()),
            sent=c.get(OutboxStatus.SENT, 0),
            failed=c.get(OutboxStatus.FAILED, 0),
        )
        for cid, c in counts.items()
    }


def progress(campaign: Campaign) -> Progress:
    return progress_of([campaign.id])[campaign.id]


def history(limit: int = 50) -> list[tuple[Campaign, Progress]]:
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id.desc()).limit(limit)).all()
    progresses = progress_of([c.id for c in campaigns])
    return [(c, progresses[c.id]) for c in campaigns]


def campaign_by_public_id(public_id: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.public_id == public_id))
