"""Keeping the compliance registers, with their legal deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from school import clocks
from school.compliance.models import AuthorityInquiry, Breach, Processor
from school.database import utcnow
from school.extensions import db

# Days the school gives itself to answer an inquiry from the data protection authority.
AUTHORITY_INQUIRY_DAYS = 10


def active_processors() -> list[Processor]:
    return list(
        db.session.scalars(
            select(Processor).where(Processor.active.is_(True)).order_by(Processor.name)
        )
    )


def save_processor(processor: Processor | None, **fields) -> Processor:
    if processor is None:
        processor = Processor()
        db.session.add(processor)
    for name, value in fields.items():
        setattr(processor, name, value)
    processor.country = processor.country.upper()
    db.session.commit()
    return processor


def inquiry_due_on(received_on: date) -> date:
    return received_on + timedelta(days=AUTHORITY_INQUIRY_DAYS)


def record_inquiry(*, authority, reference, subject, received_on, staff) -> AuthorityInquiry:
    inquiry = AuthorityInquiry(
        authority=authority,
        reference=reference,
        subject=subject,
        received_on=received_on,
        due_on=inquiry_due_on(received_on),
        handled_by_id=staff.id,
    )
    db.session.add(inquiry)
    db.session.commit()
    return inquiry


def answer_inquiry(inquiry: AuthorityInquiry, *, answered_on: date, summary: str, staff) -> None:
    inquiry.answered_on = answered_on
    inquiry.answer_summary = summary
    inquiry.handled_by_id = staff.id
    db.session.commit()


def breach_authority_deadline(discovered_at: datetime) -> datetime:
    """BY: three working days from discovery (end of that day); EU: 72 hours."""
    if clocks.jurisdiction() == "EU":
        return discovered_at + timedelta(hours=72)
    last_day = clocks.add_working_days(discovered_at.date(), 3)
    return datetime.combine(last_day, time(23, 59), tzinfo=UTC)


def record_breach(
    *,
    discovered_at,
    description,
    data_categories,
    people_affected,
    likely_consequences,
    measures,
    staff,
) -> Breach:
    breach = Breach(
        discovered_at=discovered_at,
        description=description,
        data_categories=data_categories,
        people_affected=people_affected,
        likely_consequences=likely_consequences,
        measures=measures,
        authority_due_at=breach_authority_deadline(discovered_at),
        recorded_by_id=staff.id,
    )
    db.session.add(breach)
    db.session.commit()
    return breach


def mark_breach_notified(breach: Breach, *, authority: bool, people: bool) -> None:
    now = utcnow()
    if authority and breach.authority_notified_at is None:
        breach.authority_notified_at = now
    if people and breach.people_notified_at is None:
        breach.people_notified_at = now
    db.session.commit()


@dataclass
class Deadlines:
    inquiries_open: int
    inquiries_overdue: int
    breaches_unreported: int
    breaches_overdue: int


def deadlines(today: date | None = None) -> Deadlines:
    """What is open and late in the registers, for the staff home page and cron."""
    today = today or utcnow().date()
    now = utcnow()
    open_inquiries = (
        select(func.count())
        .select_from(AuthorityInquiry)
        .where(AuthorityInquiry.answered_on.is_(None))
    )
    unreported = (
        select(func.count()).select_from(Breach).where(Breach.authority_notified_at.is_(None))
    )
    return Deadlines(
        inquiries_open=db.session.scalar(open_inquiries) or 0,
        inquiries_overdue=db.session.scalar(open_inquiries.where(AuthorityInquiry.due_on < today))
        or 0,
        breaches_unreported=db.session.scalar(unreported) or 0,
        breaches_overdue=db.session.scalar(unreported.where(Breach.authority_due_at < now)) or 0,
    )
