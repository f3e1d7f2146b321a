"""The access report: what is processed, why, on what basis, for how long, and who
receives it, all read from the data registry and the register of processors."""

from __future__ import annotations

from dataclasses import dataclass

from school.privacy.data.holdings import CategorySection, what_we_hold
from school.privacy.data.recipients import active_processors


@dataclass
class ProcessingReport:
    sections: list[CategorySection]
    processors: list


def processing_report() -> ProcessingReport:
    return ProcessingReport(sections=what_we_hold(), processors=active_processors())
