"""Newsletter helpers: visitor subscribers, campaigns, and a server that refuses some mailboxes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from school.database import utcnow
from school.extensions import db
from school.newsletter import services
from school.newsletter.models import Subscriber
from school.privacy.consent.ledger import record_consent
from school.privacy.consent.models import ConsentAction, ConsentPurpose
from tests.conftest import Mailbox, free_port


@pytest.fixture
def make_subscriber(app):
    """A visitor subscription, confirmed (with its ledger row) unless told otherwise."""

    def create(email, *, locale="en", confirmed=True, unsubscribed=False, age_days=0):
        created = utcnow() - timedelta(days=age_days)
        subscriber = Subscriber(email=email, locale=locale, created_at=created)
        if confirmed:
            subscriber.confirmed_at = created
            record_consent(
                email=email,
                purpose=ConsentPurpose.MARKETING,
                action=ConsentAction.GIVEN,
                method="test factory",
                language=locale,
            )
        if unsubscribed:
            subscriber.unsubscribed_at = utcnow()
        db.session.add(subscriber)
        db.session.commit()
        return subscriber

    return create


@pytest.fixture
def make_campaign(app, staff):
    def create(subject="News from the school", body="Hello **everyone**.", language="en"):
        return services.save_campaign(
            None, subject=subject, body=body, language=language, author=staff
        )

    return create


class RefusingMailbox(Mailbox):
    """Like a real MX: mailboxes starting with ``bounce`` do not exist (550 at RCPT, naming
    the address as Postfix does), and ``big`` ones refuse the message itself (552 at DATA)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower().startswith("bounce"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if any(address.lower().startswith("big") for address in envelope.rcpt_tos):
            return "552 5.3.4 Message size exceeds fixed maximum message size"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def refusing_smtp():
    mailbox = RefusingMailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


class SlowMailbox(Mailbox):
    """Stores each message, then takes its time to say 250, like a busy relay."""

    delay = 0.15

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)
        return answer


@pytest.fixture
def slow_smtp():
    mailbox = SlowMailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


@pytest.fixture(autouse=True)
def _every_file_is_declared(instance_audit):
    """Every newsletter test leaves only files a declared store accounts for."""
