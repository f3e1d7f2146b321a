"""What each kind and state of request is called, in the words the person and staff read."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from school.privacy.requests.models import RequestChannel, RequestStatus, RequestType

S = RequestStatus
T = RequestType

TYPE_LABELS = {
    T.ACCESS: _l("Information about how my data is processed"),
    T.THIRD_PARTIES: _l("Information about who received my data"),
    T.EXPORT: _l("A copy of my data (export)"),
    T.CORRECTION: _l("Correct my data"),
    T.BLOCKING: _l("Block (restrict) the processing of my data"),
    T.UNBLOCKING: _l("Lift the block on my data"),
    T.ERASURE: _l("Erase my data"),
    T.WITHDRAW_CONSENT: _l("Withdraw my consent to processing"),
    T.WITHDRAW_MARKETING: _l("Stop marketing emails (withdraw marketing consent)"),
    T.INQUIRY: _l("A question about my data"),
}
STATUS_LABELS = {
    S.RECEIVED: _l("received"),
    S.AWAITING_CONFIRMATION: _l("waiting for your confirmation"),
    S.AWAITING_REVIEW: _l("with our staff"),
    S.APPROVED: _l("approved, being carried out"),
    S.COMPLETED: _l("completed"),
    S.REJECTED: _l("refused"),
    S.CANCELLED: _l("cancelled"),
    S.EXPIRED: _l("expired"),
}
CHANNEL_LABELS = {
    RequestChannel.WEB: _l("on the site"),
    RequestChannel.EMAIL: _l("by email"),
    RequestChannel.STAFF: _l("recorded by staff"),
}
