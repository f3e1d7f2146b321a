"""The access report: what is processed, why, on what basis, for how long, and who
receives it, read from the data registry and the register of processors, with what is held
about the person counted by the same collector that builds "My data" and the export."""

from __future__ import annotations

from dataclasses import dataclass, field

from school.privacy.data.holdings import HeldKind, PurposeSection, held_summary, what_we_hold
from school.privacy.data.personal_data import Subject
from school.privacy.data.recipients import active_processors


@dataclass
class ProcessingReport:
    sections: list[PurposeSection]
    processors: list
    held: list[HeldKind] = field(default_factory=list)


def processing_report(subject: Subject | None = None) -> ProcessingReport:
    """The report for ``subject`` (what is held about them first), or the general one."""
    return ProcessingReport(
        sections=what_we_hold(),
        processors=active_processors(),
        held=held_summary(subject) if subject is not None else [],
    )
