"""Privacy rights that reach other parts of the school: the newsletter audience, and
requests that arrive by email and are carried out from the same staff queue."""

import html

from sqlalchemy import select

from school.accounts.models import User
from school.extensions import db
from school.newsletter.services import Audience, audience_select
from school.privacy.consent.ledger import standing_consent
from school.privacy.consent.models import ConsentPurpose
from school.privacy.requests.models import RequestStatus
from school.profile.models import Profile
from tests.conftest import AuthActions, link_in, path_of
from tests.intake.conftest import build
from tests.privacy.helpers import ask, decide, latest


def audience_emails():
    return [row.email for row in db.session.execute(audience_select(Audience("en")))]


def test_blocking_removes_from_the_newsletter_audience_and_unblocking_restores(
    app, make_user, staff_client
):
    person = make_user("reader@example.com", marketing=True)
    client = app.test_client()
    AuthActions(client).login(person.email)
    assert audience_emails() == ["reader@example.com"]
    ask(client, "blocking")
    decide(staff_client, latest())
    assert audience_emails() == []
    ask(client, "unblocking")
    decide(staff_client, latest())
    assert audience_emails() == ["reader@example.com"]


def ingest(raw: bytes):
    from school.intake import services
    from school.mail.services import send_committed

    result = services.ingest(raw, source="test")
    send_committed()
    return result


def test_emailed_unsubscribe_takes_effect_when_the_link_is_clicked(app, client, make_user, smtp):
    person = make_user("reader@example.com", full_name="Rita Reader", marketing=True)
    ingest(build("Unsubscribe", sender="Rita Reader <reader@example.com>", body="stop please"))
    db.session.expire_all()
    assert standing_consent(db.session.get(User, person.id), ConsentPurpose.MARKETING) is not None
    link = link_in(smtp.last_to("reader@example.com"), "/privacy/requests/confirm/")
    client.get(path_of(link))
    db.session.expire_all()
    assert standing_consent(db.session.get(User, person.id), ConsentPurpose.MARKETING) is None
    assert latest().status is RequestStatus.COMPLETED


def test_emailed_personal_data_update_is_applied_from_the_staff_queue(
    app, client, student, staff_client, smtp
):
    ingest(build("Personal Data Update", sender="Sam Student <student@example.com>",
                 body="Phone: +375 29 111 22 33\nFavourite colour: green\n"))  # fmt: skip
    client.get(path_of(link_in(smtp.last_to(student.email), "/privacy/requests/confirm/")))
    request = latest()
    assert request.status is RequestStatus.AWAITING_REVIEW
    page = html.unescape(staff_client.get(f"/admin/privacy/{request.public_id}").text)
    assert 'value="+375 29 111 22 33"' in page
    assert "Favourite colour: green" in page
    decide(staff_client, request, **{"fix-phone": "+375 29 111 22 33"})
    db.session.expire_all()
    assert db.session.scalar(select(Profile.phone).where(Profile.user_id == student.id)) == (
        "+375 29 111 22 33"
    )
