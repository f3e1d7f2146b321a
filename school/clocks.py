"""Calendar arithmetic for legal deadlines: working days and months.

Belarus Law 99-Z counts some answers in working days (weekends and public holidays skipped);
the GDPR counts in months. Privacy requests and the compliance registers both count this way,
so the arithmetic lives here, below both of them.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from flask import current_app

JURISDICTIONS = ("BY", "EU")

# Fixed-date public holidays of Belarus, "MM-DD"; Radunitsa moves with Orthodox Easter and is
# added per year through PUBLIC_HOLIDAYS ("YYYY-MM-DD").
BELARUS_FIXED_HOLIDAYS = ("01-01", "01-02", "01-07", "03-08", "05-01", "05-09", "07-03",
                          "11-07", "12-25")  # fmt: skip


def jurisdiction() -> str:
    """``PRIVACY_JURISDICTION``: ``BY`` (Law 99-Z, the default) or ``EU`` (GDPR)."""
    value = str(current_app.config.get("PRIVACY_JURISDICTION", "BY")).upper()
    return value if value in JURISDICTIONS else "BY"


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
