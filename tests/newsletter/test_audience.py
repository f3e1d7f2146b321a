"""The audience is exactly the people with standing marketing consent who may be mailed."""

from sqlalchemy import event

from school.database import utcnow
from school.extensions import db
from school.mail.models import SuppressedAddress
from school.newsletter.services import Audience, audience_count, audience_select
from school.privacy.consent.ledger import record_consent
from school.privacy.consent.models import ConsentAction, ConsentPurpose


def emails(language="en"):
    return sorted(row.email for row in db.session.execute(audience_select(Audience(language))))


def withdraw(user):
    record_consent(
        user=user,
        purpose=ConsentPurpose.MARKETING,
        action=ConsentAction.WITHDRAWN,
        method="test",
        language=user.locale,
    )
    db.session.commit()


def test_the_audience_rule_row_by_row(app, make_user, make_subscriber):
    make_user("consented@example.com", marketing=True)
    make_user("never-asked@example.com", marketing=False)
    withdrawn = make_user("withdrawn@example.com", marketing=True)
    withdraw(withdrawn)
    blocked = make_user("blocked@example.com", marketing=True)
    blocked.restricted_at = utcnow()
    erased = make_user("erased@example.com", marketing=True)
    erased.erased_at = utcnow()
    make_user("unconfirmed-account@example.com", marketing=True, confirmed=False)
    make_user("russian@example.com", marketing=True, locale="ru")
    db.session.commit()
    make_subscriber("visitor@example.com")
    make_subscriber("unconfirmed-visitor@example.com", confirmed=False)
    make_subscriber("left@example.com", unsubscribed=True)
    make_subscriber("russian-visitor@example.com", locale="ru")

    assert emails("en") == ["consented@example.com", "visitor@example.com"]
    assert emails("ru") == ["russian-visitor@example.com", "russian@example.com"]
    assert audience_count(Audience("en")) == 2


def test_consent_given_again_after_a_withdrawal_counts(app, make_user):
    user = make_user("back@example.com", marketing=True)
    withdraw(user)
    assert emails() == []
    record_consent(
        user=user,
        purpose=ConsentPurpose.MARKETING,
        action=ConsentAction.GIVEN,
        method="test",
        language="en",
    )
    db.session.commit()
    assert emails() == ["back@example.com"]


def test_a_blocked_account_is_not_reached_through_a_visitor_subscription(
    app, make_user, make_subscriber
):
    """An address that belongs to an account follows the account's own consent and blocking."""
    user = make_user("both@example.com", marketing=False)
    make_subscriber("both@example.com")
    assert emails() == []
    user.restricted_at = utcnow()
    db.session.commit()
    assert emails() == []


def test_hard_bouncing_addresses_are_left_out(app, make_user, make_subscriber):
    make_user("bouncing@example.com", marketing=True)
    make_subscriber("bouncing-visitor@example.com")
    make_user("fine@example.com", marketing=True)
    for address in ("bouncing@example.com", "bouncing-visitor@example.com"):
        db.session.add(SuppressedAddress(email=address, reason="550 no such user"))
    db.session.commit()
    assert emails() == ["fine@example.com"]


def test_the_audience_is_one_query_whatever_its_size(app, make_user):
    statements = []

    def count(*args):
        statements.append(args[2])

    for index in range(30):
        make_user(f"many{index}@example.com", marketing=True)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert audience_count(Audience("en")) == 30
        assert len(emails()) == 30
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 2  # one for the count, one for the list


def test_an_old_withdrawal_does_not_hide_a_newer_consent_of_someone_else(app, make_user):
    first = make_user("first@example.com", marketing=True)
    make_user("second@example.com", marketing=True)
    withdraw(first)
    assert emails() == ["second@example.com"]
