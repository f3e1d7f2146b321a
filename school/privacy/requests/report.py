"""The access report: what is processed, why, on what basis, for how long, and who
receives it, all read from the data registry and the register of processors."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from school.extensions import db
from school.privacy.data.holdings import CategorySection, what_we_hold


@dataclass
class ProcessingReport:
    sections: list[CategorySection]
    processors: list


def processing_report() -> ProcessingReport:
    from school.compliance.models import Processor

    processors = list(
        db.session.scalars(
            select(Processor).where(Processor.active.is_(True)).order_by(Processor.name)
        )
    )
    return ProcessingReport(sections=what_we_hold(), processors=processors)
