"""An address unsubscribed longer ago than the registry's period keeps only a keyed
fingerprint: nothing readable stays, yet the address is recognised if it is given again."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from school.database import utcnow
from school.extensions import db
from school.newsletter.models import Subscriber
from school.newsletter.services import (
    Audience,
    audience_count,
    subscription_of,
    withdraw_address,
)
from school.privacy.data.personal_data import fingerprint
from tests.conftest import link_in, path_of


@pytest.fixture
def long_unsubscribed(app, make_subscriber, runner):
    subscriber = make_subscriber("leaver@example.com", locale="ru", unsubscribed=True)
    subscriber.unsubscribed_at = utcnow() - timedelta(days=31)
    db.session.commit()
    result = runner.invoke(args=["privacy", "retention"])
    assert "addresses unsubscribed from the newsletter, reduced to a fingerprint: 1" in (
        result.output
    )
    return subscriber


def test_the_row_keeps_only_a_fingerprint_of_the_address(long_unsubscribed):
    rows = db.session.execute(text("SELECT * FROM newsletter_subscriber")).all()
    assert len(rows) == 1
    assert not any("leaver" in str(value) for value in rows[0])
    stored = db.session.execute(text("SELECT email FROM newsletter_subscriber")).scalar()
    assert stored == fingerprint("leaver@example.com")


def test_a_lately_unsubscribed_address_is_kept_for_the_period(app, make_subscriber, runner):
    make_subscriber("lately@example.com", unsubscribed=True)
    runner.invoke(args=["privacy", "retention"])
    assert db.session.scalar(select(Subscriber.email)) == "lately@example.com"


def test_the_fingerprint_still_matches_the_address(long_unsubscribed):
    """The unsubscription is still found by the address, and still stops the newsletter."""
    assert subscription_of("leaver@example.com").id == long_unsubscribed.id
    assert not withdraw_address("Leaver@Example.com", method="email to the unsubscribe address")
    assert audience_count(Audience("ru")) == 0


def test_the_same_address_can_subscribe_again(long_unsubscribed, client, smtp):
    response = client.submit("/newsletter", {"email": "Leaver@Example.com", "language": "ru"})
    assert response.status_code == 302
    link = link_in(smtp.last_to("leaver@example.com"), "/newsletter/confirm/")
    assert client.submit(path_of(link)).status_code == 200

    rows = db.session.scalars(select(Subscriber)).all()
    assert [row.id for row in rows] == [long_unsubscribed.id]  # the same row, not a second
    db.session.refresh(rows[0])
    assert rows[0].email == "leaver@example.com" and rows[0].is_active
    assert audience_count(Audience("ru")) == 1
