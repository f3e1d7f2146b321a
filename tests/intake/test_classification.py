"""Subjects in English and Russian, with reply prefixes, in any message shape, are recognised."""

from __future__ import annotations

import pytest

from school.intake import parsing
from school.intake.models import IntakeOutcome
from school.intake.services import ingest
from school.privacy.requests.models import RequestType
from tests.intake.conftest import build, privacy_requests

T = RequestType
SUBJECTS = [
    ("Personal Data Update", T.CORRECTION),
    ("Обновление персональных данных", T.CORRECTION),
    ("Withdrawal of Consent to Personal Data Processing", T.WITHDRAW_CONSENT),
    ("Отзыв согласия на обработку персональных данных", T.WITHDRAW_CONSENT),
    ("Access to Personal Data", T.ACCESS),
    ("Доступ к персональным данным", T.ACCESS),
    ("Personal Data Export", T.EXPORT),
    ("Выгрузка персональных данных", T.EXPORT),
    ("Deletion of Personal Data", T.ERASURE),
    ("Удаление персональных данных", T.ERASURE),
    ("Blocking of Personal Data", T.BLOCKING),
    ("Блокирование персональных данных", T.BLOCKING),
    ("Unblocking of Personal Data", T.UNBLOCKING),
    ("Разблокирование персональных данных", T.UNBLOCKING),
    ("Unsubscribe", T.WITHDRAW_MARKETING),
    ("Отписаться от рассылки", T.WITHDRAW_MARKETING),
    ("When does the B2 course start?", T.INQUIRY),
    ("Вопрос о курсе", T.INQUIRY),
]
PREFIXES = ["", "Re: ", "RE: Fwd: ", "Fw: re:  ", "Отв: ", "Пересл: Отв: Re: ", "Re[2]: "]
SHAPES = ["plain", "multipart", "html-only"]


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize(("subject", "kind"), SUBJECTS)
def test_subject_with_reply_prefixes_is_classified(subject, kind, prefix):
    assert parsing.classify(prefix + subject) is kind


@pytest.mark.parametrize(
    "subject",
    [
        "  personal   DATA update ",
        "PERSONAL DATA UPDATE.",
        "«Обновление   персональных данных»",
        "ОБНОВЛЕНИЕ ПЕРСОНАЛЬНЫХ ДАННЫХ",
        "re:re:RE: Personal Data Update",
        "Personal\u00a0Data Update",
    ],
)
def test_case_spacing_and_quotes_do_not_matter(subject):
    assert parsing.classify(subject) is T.CORRECTION


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("subject", "kind"), SUBJECTS)
def test_every_message_shape_makes_the_right_request(app, subject, kind, shape):
    raw = build(
        "Re: " + subject,
        sender="someone@example.org",
        body="Hello, I am writing about my data.",
        html="<p>Hello, I am <b>writing</b> about my data.</p>" if shape == "multipart" else None,
        html_only=shape == "html-only",
    )
    result = ingest(raw, source="pipe")
    assert result.outcome is IntakeOutcome.REQUEST
    (request,) = privacy_requests()
    assert request.type is kind
    assert request.subject_email == "someone@example.org"
    assert "writing about my data" in request.details
    assert "<b>" not in request.details


def test_html_is_reduced_to_its_text_without_scripts():
    text = parsing.html_to_text(
        "<html><head><style>p{}</style><script>alert(1)</script></head>"
        "<body><p>Hello&nbsp;there</p><div>Phone: +375 29 000</div></body></html>"
    )
    assert "alert" not in text and "p{}" not in text
    assert "Hello\u00a0there" in text or "Hello there" in text
    assert "Phone: +375 29 000" in text


def test_field_lines_of_a_correction_become_requested_changes():
    text = (
        "Hello,\n\nPhone: +375 29 123 45 67\nФамилия: Иванова\nAddress = 1 Main St\n"
        "I moved last month.\n\n-- \nSam\nPhone: not this one\n"
    )
    assert parsing.requested_changes(text) == {
        "Phone": "+375 29 123 45 67",
        "Фамилия": "Иванова",
        "Address": "1 Main St",
    }


def test_quoted_reply_lines_are_not_changes():
    text = "Name: Sam Smith\n\nOn Monday school wrote:\n> Name: Old\n"
    assert parsing.requested_changes(text) == {"Name": "Sam Smith"}
