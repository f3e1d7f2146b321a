"""Reading an emailed message without trusting it: headers, text, attachments, verdicts.

Everything here is pure: bytes in, plain values out. Anything the message does that we
cannot read with certainty raises :class:`Unreadable` with a reason a person can act on, and
the message is quarantined rather than guessed at.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from school.privacy.requests.models import RequestType


class Unreadable(Exception):
    """The message cannot be read safely; ``str(error)`` is the reason kept for staff."""


# --- subjects -------------------------------------------------------------------------------

# Reply and forward markers in the languages our correspondents write, possibly numbered
# ("Re[2]:", "RE (3):") and repeated.
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|tr|sv|vs|отв|ответ|пересл|переслано|fw)\s*"
    r"(?:\[\d+\]|\(\d+\))?\s*:\s*|\[[^\]]{0,40}\]\s*)+",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")

# Normalised subject -> request type. Both the policy's own wording and what people write.
SUBJECTS: dict[str, RequestType] = {}


def _add(kind: RequestType, *subjects: str) -> None:
    for subject in subjects:
        SUBJECTS[normalise_subject(subject)] = kind


def normalise_subject(subject: str) -> str:
    """Drop reply/forward prefixes, case, quotes, repeated spaces and trailing punctuation."""
    text = subject.replace("\u00a0", " ")
    text = _PREFIX.sub("", text)
    text = text.replace("ё", "е").replace("Ё", "Е")
    text = _SPACES.sub(" ", text).strip().casefold()
    return text.strip(" \"'«»“”„.!?;:-–—")


_add(
    RequestType.CORRECTION,
    "Personal Data Update",
    "Update of Personal Data",
    "Personal Data Correction",
    "Correction of Personal Data",
    "Обновление персональных данных",
    "Изменение персональных данных",
    "Исправление персональных данных",
    "Уточнение персональных данных",
)
_add(
    RequestType.WITHDRAW_CONSENT,
    "Withdrawal of Consent to Personal Data Processing",
    "Withdrawal of Consent to the Processing of Personal Data",
    "Withdrawal of Consent",
    "Consent Withdrawal",
    "Отзыв согласия на обработку персональных данных",
    "Отзыв согласия",
)
_add(
    RequestType.ACCESS,
    "Personal Data Access",
    "Access to Personal Data",
    "Personal Data Access Request",
    "Subject Access Request",
    "Information about Personal Data Processing",
    "Доступ к персональным данным",
    "Запрос информации об обработке персональных данных",
    "Получение информации об обработке персональных данных",
)
_add(
    RequestType.EXPORT,
    "Personal Data Export",
    "Export of Personal Data",
    "Data Portability",
    "Copy of My Personal Data",
    "Выгрузка персональных данных",
    "Экспорт персональных данных",
    "Копия персональных данных",
)
_add(
    RequestType.ERASURE,
    "Personal Data Erasure",
    "Erasure of Personal Data",
    "Deletion of Personal Data",
    "Personal Data Deletion",
    "Delete My Account",
    "Удаление персональных данных",
    "Уничтожение персональных данных",
    "Удалить мой аккаунт",
)
_add(
    RequestType.BLOCKING,
    "Blocking of Personal Data",
    "Personal Data Blocking",
    "Restriction of Processing",
    "Restriction of Personal Data Processing",
    "Блокирование персональных данных",
    "Блокировка персональных данных",
    "Ограничение обработки персональных данных",
)
_add(
    RequestType.UNBLOCKING,
    "Unblocking of Personal Data",
    "Personal Data Unblocking",
    "Lifting of Restriction of Processing",
    "Разблокирование персональных данных",
    "Разблокировка персональных данных",
    "Снятие ограничения обработки персональных данных",
)
_add(
    RequestType.WITHDRAW_MARKETING,
    "Unsubscribe",
    "Unsubscribe from Newsletter",
    "Withdrawal of Consent to Marketing",
    "Отписаться",
    "Отписаться от рассылки",
    "Отказ от рассылки",
    "Отзыв согласия на рассылку",
)


def classify(subject: str) -> RequestType:
    """The request a subject names; anything else is a general inquiry for staff."""
    return SUBJECTS.get(normalise_subject(subject), RequestType.INQUIRY)


# --- headers ----------------------------------------------------------------------------------


def _storable(text: str) -> str:
    """Text as every database keeps it: PostgreSQL refuses the NUL character, which no
    header or readable text needs (the raw bytes keep it)."""
    return text.replace("\x00", "")


def _raw_header(message: Message, name: str) -> str | None:
    """The header as stored: 8-bit bytes kept as surrogate escapes, not yet decoded."""
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() == wanted:
            return value if isinstance(value, str) else str(value)
    return None


def header_text(message: Message, name: str) -> str:
    """A header's value as text, decoding RFC 2047 words and raw UTF-8; else Unreadable."""
    raw = _raw_header(message, name)
    if raw is None:
        return ""
    try:
        raw.encode("ascii")
    except UnicodeEncodeError:
        # 8-bit bytes in a header: modern clients send UTF-8; anything else we cannot read.
        try:
            raw = raw.encode("ascii", "surrogateescape").decode("utf-8")
        except UnicodeError as error:
            raise Unreadable(f"the {name} header is in an unknown encoding") from error
    try:
        text = str(make_header(decode_header(raw)))
    except (LookupError, UnicodeError, ValueError) as error:
        raise Unreadable(f"the {name} header is in an unknown encoding: {error}") from error
    return _SPACES.sub(" ", _storable(text).replace("\r", "").replace("\n", "")).strip()


def sender_address(message: Message) -> str:
    """The From address, lower-cased; Unreadable when there is none or several."""
    value = header_text(message, "From")
    if not value:
        raise Unreadable("no From header")
    addresses = [a for _, a in getaddresses([value]) if a]
    if len(addresses) != 1 or not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", addresses[0]):
        raise Unreadable(f"the From header names no single address: {value[:200]}")
    return addresses[0].strip().lower()


def message_id(message: Message) -> str | None:
    raw = message.get("Message-ID")
    if raw is None:
        return None
    value = _storable(str(raw)).strip()
    match = re.search(r"<([^<>\s]+)>", value)
    value = match.group(1) if match else value
    return value[:490] or None


# --- what kind of mail this is ----------------------------------------------------------------


def automatic_reason(message: Message) -> str | None:
    """Why this is an automatic message (auto-reply, list mail), or None for a person's."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and not auto.startswith("no"):
        return f"auto-reply (Auto-Submitted: {auto[:50]})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if name == "X-Auto-Response-Suppress":
            continue
        if message.get(name) is not None:
            return f"auto-reply ({name})"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in {"bulk", "list", "junk", "auto_reply"}:
        return f"bulk mail (Precedence: {precedence})"
    if message.get("List-Id") is not None and message.get("List-Unsubscribe") is not None:
        return "mailing-list mail"
    return None


def bounce_reason(message: Message, sender: str | None) -> str | None:
    """Why this is a delivery report, or None."""
    if message.get_content_type() == "multipart/report":
        return "bounce (multipart/report)"
    return_path = message.get("Return-Path")
    if return_path is not None and str(return_path).strip() in {"<>", ""}:
        return "bounce (empty Return-Path)"
    if sender:
        local = sender.split("@", 1)[0]
        if local in {"mailer-daemon", "postmaster", "mail-daemon"}:
            return f"bounce (from {local})"
    return None


# --- authentication results -------------------------------------------------------------------

_METHOD = re.compile(r"\b(dkim|dmarc|spf)\s*=\s*([a-z]+)", re.IGNORECASE)


def authentication_verdicts(message: Message, authserv_id: str | None) -> dict[str, str]:
    """dkim/dmarc/spf verdicts from Authentication-Results added by *our* server only.

    A sender can write any Authentication-Results header it likes; only the one carrying our
    receiving server's authserv-id says something, and of those only the topmost, which our
    server added last (a sender may have forged one with our id further down). With no id
    configured, none is trusted.
    """
    if not authserv_id:
        return {}
    verdicts: dict[str, str] = {}
    for raw in message.get_all("Authentication-Results") or []:
        value = re.sub(r"\([^()]*\)", "", str(raw)).strip()
        server, _, rest = value.partition(";")
        server_id = server.strip().split()[0] if server.strip() else ""
        if server_id.lower() != authserv_id.lower():
            continue
        for method, result in _METHOD.findall(rest):
            method = method.lower()
            result = result.lower()
            # One failing signature among several counts; a pass never hides a fail.
            if verdicts.get(method) != "fail":
                verdicts[method] = result[:20]
        break
    return verdicts


# --- body -------------------------------------------------------------------------------------

_BROKEN_MIME = {
    "StartBoundaryNotFoundDefect",
    "CloseBoundaryNotFoundDefect",
    "MultipartInvariantViolationDefect",
    "NoBoundaryInMultipartDefect",
    "MissingHeaderBodySeparatorDefect",
    "InvalidMultipartContentTransferEncodingDefect",
    "FirstHeaderLineIsContinuationDefect",
}


class _TextOfHTML(HTMLParser):
    """HTML to plain text with the standard library: text only, never scripts or styles."""

    _BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "head", "title"}:
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in {"script", "style", "head", "title"}:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHTML()
    parser.feed(html)
    parser.close()
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass
class Attachment:
    filename: str
    content_type: str
    payload: bytes


@dataclass
class Parsed:
    message: Message
    sender: str
    subject: str
    message_id: str | None
    text: str
    attachments: list[Attachment] = field(default_factory=list)


def parse_bytes(raw: bytes) -> Message:
    """Parse leniently (compat32 never refuses); judging what was parsed comes next."""
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def _defects(message: Message) -> list[str]:
    names = []
    for part in message.walk():
        names.extend(type(defect).__name__ for defect in part.defects)
    return names


def _decode_part(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return _storable(payload.decode(charset))
    except LookupError as error:
        raise Unreadable(f"unknown charset {charset[:40]!r}") from error
    except UnicodeDecodeError as error:
        if part.get_content_charset() is None:
            # No charset declared: old clients; try the usual Cyrillic one before giving up.
            try:
                return _storable(payload.decode("cp1251"))
            except UnicodeDecodeError:
                pass
        raise Unreadable(f"the text is not valid {charset[:40]}") from error


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except (LookupError, UnicodeError, ValueError):
        return "attachment"
    if name is None:
        return None
    try:
        return _storable(str(make_header(decode_header(name))))[:200]
    except (LookupError, UnicodeError, ValueError):
        return "attachment"


def read_message(message: Message) -> Parsed:
    """Pull out what a request needs; Unreadable when the MIME or charsets are broken."""
    broken = sorted(set(_defects(message)) & _BROKEN_MIME)
    if broken:
        raise Unreadable("broken MIME structure: " + ", ".join(broken))
    sender = sender_address(message)
    subject = header_text(message, "Subject")
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = str(part.get("Content-Disposition", "")).split(";", 1)[0].strip().lower()
        filename = _filename(part)
        if disposition == "attachment" or filename or not content_type.startswith("text/"):
            if content_type == "message/rfc822" or part.get_content_maintype() == "multipart":
                continue
            payload = part.get_payload(decode=True) or b""
            attachments.append(Attachment(filename or "attachment", content_type, payload))
            continue
        if content_type == "text/plain":
            plain.append(_decode_part(part))
        elif content_type == "text/html":
            html.append(html_to_text(_decode_part(part)))
    text = "\n\n".join(p.strip() for p in plain) if plain else "\n\n".join(html)
    return Parsed(
        message=message,
        sender=sender,
        subject=subject,
        message_id=message_id(message),
        text=text.replace("\r\n", "\n").strip(),
        attachments=attachments,
    )


# --- "Field: value" lines of a correction -----------------------------------------------------

# What people write for each field in a "Personal Data Update" email, in both languages.
FIELD_ALIASES = {
    "full_name": ("full name", "name", "фио", "имя", "полное имя", "имя и фамилия"),
    "display_name": ("display name", "nickname", "отображаемое имя", "псевдоним"),
    "phone": ("phone", "telephone", "mobile", "phone number", "телефон", "номер телефона"),
    "address": ("address", "home address", "residential address", "адрес",
                "адрес проживания", "домашний адрес"),
    "postal_code": ("postal code", "postcode", "zip", "zip code", "индекс",
                    "почтовый индекс"),
    "date_of_birth": ("date of birth", "birth date", "birthday", "дата рождения"),
    "workplace": ("workplace", "employer", "company", "место работы", "работа"),
    "position": ("position", "job title", "role", "должность"),
    "education": ("education", "образование"),
    "interests": ("interests", "professional interests", "интересы"),
    "learning_goals": ("learning goals", "goals", "цели", "цели обучения"),
}  # fmt: skip

_FIELD_LINE = re.compile(r"^\s*([^\W\d_][\w .\-/()]{0,40}?)\s*[:=]\s*(.{1,500}?)\s*$")
_QUOTED = re.compile(r"^\s*>")
_STOP = re.compile(
    r"^\s*(--\s*$|_{5,}|-{5,}|on .{0,200} wrote:|.{0,200}\s+писал[аи]?\s*:|"
    r"-+\s*original message|-+\s*исходное сообщение)",
    re.IGNORECASE,
)
_HEADER_WORDS = {"from", "to", "sent", "date", "subject", "cc", "от", "кому", "тема", "дата"}


def requested_changes(text: str, limit: int = 30) -> dict[str, str]:
    """Simple "Field: value" lines of the person's own text (not quoted replies)."""
    changes: dict[str, str] = {}
    for line in text.splitlines():
        if _STOP.match(line):
            break
        if _QUOTED.match(line):
            continue
        match = _FIELD_LINE.match(line)
        if not match:
            continue
        name = _SPACES.sub(" ", match.group(1)).strip()
        if name.casefold() in _HEADER_WORDS or name.casefold().startswith("http"):
            continue
        changes[name] = match.group(2)
        if len(changes) >= limit:
            break
    return changes


def recipients(message: Message) -> list[str]:
    values = [str(v) for v in message.get_all("To") or []]
    return [a.lower() for _, a in getaddresses(values) if a]


def address_of(value: str) -> str:
    return parseaddr(value)[1].strip().lower()
