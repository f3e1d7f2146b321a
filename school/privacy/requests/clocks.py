"""Legal deadlines for privacy requests, per jurisdiction.

Belarus Law 99-Z counts some answers in working days (weekends and public holidays skipped)
and others in calendar days; the GDPR gives one month, extendable by two more with notice.
Deadlines count from the day the request is confirmed. The day arithmetic is
``school.clocks``, shared with the compliance registers.
"""

from __future__ import annotations

from datetime import date, timedelta

from school.clocks import add_months, add_working_days, jurisdiction
from school.privacy.requests.models import RequestType

# (amount, unit) per jurisdiction; unit is "working_days", "days", "months" or "now".
DEADLINES: dict[str, dict[RequestType, tuple[int, str]]] = {
    "BY": {
        RequestType.ACCESS: (5, "working_days"),
        RequestType.THIRD_PARTIES: (15, "days"),
        RequestType.EXPORT: (15, "days"),
        RequestType.CORRECTION: (15, "days"),
        RequestType.BLOCKING: (15, "days"),
        RequestType.UNBLOCKING: (15, "days"),
        RequestType.ERASURE: (15, "days"),
        RequestType.WITHDRAW_CONSENT: (15, "days"),
        RequestType.WITHDRAW_MARKETING: (0, "now"),
        RequestType.INQUIRY: (15, "days"),
    },
    "EU": {
        **{kind: (1, "months") for kind in RequestType},
        RequestType.WITHDRAW_MARKETING: (0, "now"),
    },
}
# How much longer an extension may make a deadline; only the GDPR allows one.
EXTENSION_MONTHS = {"BY": 0, "EU": 2}


def due_date(kind: RequestType, confirmed_on: date) -> date:
    amount, unit = DEADLINES[jurisdiction()][kind]
    if unit == "working_days":
        return add_working_days(confirmed_on, amount)
    if unit == "days":
        return confirmed_on + timedelta(days=amount)
    if unit == "months":
        return add_months(confirmed_on, amount)
    return confirmed_on


def latest_extension(due_on: date) -> date | None:
    """The furthest an extension may move ``due_on``, or None where the law allows none."""
    months = EXTENSION_MONTHS[jurisdiction()]
    return add_months(due_on, months) if months else None
