"""Legal deadlines for privacy requests, per jurisdiction.

Belarus Law 99-Z counts some answers in working days (weekends and public holidays skipped)
and others in calendar days; the GDPR gives one month, extendable by two more with notice.
Deadlines count from the day the request is confirmed.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from flask import current_app

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
# Breach notification to the authority: BY 3 working days from discovery, EU 72 hours.
AUTHORITY_INQUIRY_DAYS = 10

# Fixed-date public holidays of Belarus, "MM-DD"; Radunitsa moves with Orthodox Easter and is
# added per year through PUBLIC_HOLIDAYS ("YYYY-MM-DD").
BELARUS_FIXED_HOLIDAYS = ("01-01", "01-02", "01-07", "03-08", "05-01", "05-09", "07-03",
                          "11-07", "12-25")  # fmt: skip


def jurisdiction() -> str:
    value = str(current_app.config.get("PRIVACY_JURISDICTION", "BY")).upper()
    return value if value in DEADLINES else "BY"


def holidays() -> tuple[set[str], set[date]]:
    """Recurring ("MM-DD") and one-off dates that are not working days."""
    recurring: set[str] = set(BELARUS_FIXED_HOLIDAYS) if jurisdiction() == "BY" else set()
    specific: set[date] = set()
    for entry in current_app.config.get("PUBLIC_HOLIDAYS", ()):
        entry = str(entry).strip()
        if len(entry) == 5:
            recurring.add(entry)
        else:
            specific.add(date.fromisoformat(entry))
    return recurring, specific


def is_working_day(day: date, recurring: set[str], specific: set[date]) -> bool:
    return day.weekday() < 5 and day.strftime("%m-%d") not in recurring and day not in specific


def add_working_days(start: date, count: int) -> date:
    recurring, specific = holidays()
    day = start
    added = 0
    while added < count:
        day += timedelta(days=1)
        if is_working_day(day, recurring, specific):
            added += 1
    return day


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month if it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


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
