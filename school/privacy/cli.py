"""The ``flask privacy`` command group; each privacy concern attaches its own commands."""

from __future__ import annotations

from flask.cli import AppGroup

privacy_cli = AppGroup("privacy", help="Privacy requests and their intake by email.")
