"""Whatever arrives, the intake never raises and never loses the message."""

from __future__ import annotations

import os
import random
import threading

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from school.extensions import db
from school.intake.models import IntakeOutcome
from school.intake.services import ingest, read_raw
from tests.intake.conftest import MALFORMED_SAMPLE, build, intake_rows, privacy_requests

SEEDS = [
    build("Personal Data Update", sender="a@example.org", body="Phone: 1\nName: A"),
    build("Отзыв согласия на обработку персональных данных", sender="b@example.ru"),
    build("Unsubscribe", sender="c@example.org", html="<p>bye</p>"),
    build("Re: hi", html_only=True, html="<div>a<br>b</div>", sender="d@example.org"),
    build(
        "Export",
        sender="e@example.org",
        attachments=[("a.bin", "application/octet-stream", b"\x00\x01")],
    ),
    MALFORMED_SAMPLE,
]


@st.composite
def mutated(draw):
    """A real message with bytes flipped, cut, inserted or headers duplicated."""
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "dup-line"]))
        if not raw:
            break
        at = draw(st.integers(0, len(raw) - 1))
        if action == "flip":
            raw[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del raw[at : at + draw(st.integers(1, 200))]
        elif action == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=40))
        else:
            end = raw.find(b"\n", at)
            line = raw[at : end + 1] if end != -1 else raw[at:]
            raw[at:at] = line
    return bytes(raw)


messages = st.one_of(
    mutated(),
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(
        lambda subject, body, sender, uid: build(
            subject, sender=sender, body=body, message_id=f"<{uid}@example.org>"
        ),
        st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=60),
        st.text(max_size=200),
        st.emails(),
        st.uuids(),
    ),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=messages)
def test_any_message_ends_recorded_with_its_bytes(app, raw):
    # Hypothesis seeds ``random`` alike for every example, and outgoing Message-IDs come
    # from it: reseed so two confirmation emails in one second do not share an id.
    random.seed(os.urandom(16))
    before = len(intake_rows())
    result = ingest(raw, source="pipe")
    event(result.outcome.value)
    assert result.outcome in set(IntakeOutcome)
    if not result.duplicate:
        assert len(intake_rows()) == before + 1
        assert read_raw(result.message) == raw
    if result.outcome is IntakeOutcome.REQUEST:
        assert result.message.request_id is not None
    db.session.rollback()


def test_the_same_message_taken_twice_at_once_is_one_request(app):
    raw = build("Personal Data Update", sender="racer@example.org", message_id="<race@x>")
    results, errors = [], []

    def take():
        with app.app_context():
            try:
                results.append(ingest(raw, source="imap").duplicate)
            except Exception as error:  # noqa: BLE001 (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [False, True, True, True]
    assert len(intake_rows()) == 1 and len(privacy_requests()) == 1
