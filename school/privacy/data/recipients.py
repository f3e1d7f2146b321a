"""Who receives personal data besides the school: the active processors, and the country the
school keeps data in (a processor elsewhere is a cross-border transfer).

The register of processors is kept by ``compliance``, a domain above privacy; it hands its
reader in at start-up (``register_processor_source``), so the policy page and the access
report list processors without the privacy core importing compliance.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

ProcessorSource = Callable[[], list]
_processor_sources: list[ProcessorSource] = []


def register_processor_source(source: ProcessorSource) -> None:
    if source not in _processor_sources:
        _processor_sources.append(source)


def active_processors() -> list:
    """The processors currently receiving personal data, from every registered source."""
    return [processor for source in _processor_sources for processor in source()]


def home_country() -> str:
    return current_app.config["SCHOOL_COUNTRY"]
