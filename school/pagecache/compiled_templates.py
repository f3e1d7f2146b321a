"""Compiled templates kept on disk, so a fresh worker answers its first requests fast.

What Jinja compiles depends on more than a template's source: whether a filter or a test
takes the render's context is decided when the template is compiled, not when it runs, and so
are the extensions in force. Bytecode compiled by an older release of the site would call a
filter that now takes the context without it. Each file therefore carries a signature of those
things, and files of another signature are removed the first time this release compiles.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2
from jinja2 import FileSystemBytecodeCache


def compile_signature(environment: jinja2.Environment) -> str:
    """A short hash of what compiled code depends on besides the template's source."""
    described = [
        jinja2.__version__,
        sorted(environment.extensions),
        sorted((name, _passes(f)) for name, f in environment.filters.items()),
        sorted((name, _passes(f)) for name, f in environment.tests.items()),
        environment.autoescape if isinstance(environment.autoescape, bool) else "by name",
    ]
    return hashlib.blake2b(repr(described).encode(), digest_size=6).hexdigest()


def _passes(function) -> str:
    return str(getattr(function, "jinja_pass_arg", ""))


class CompiledTemplates(FileSystemBytecodeCache):
    """Bytecode files in ``directory`` for ``environment`` as it is once the app is set up."""

    def __init__(self, directory: Path, environment: jinja2.Environment):
        super().__init__(str(directory))
        self._environment = environment
        self._signature: str | None = None

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        if self._signature is None:
            # Asked at the first compile, once every filter and test is registered.
            self._signature = compile_signature(self._environment)
            self.pattern = f"__jinja2_%s.{self._signature}.cache"
            self._remove_other_releases()
        return super().get_cache_key(name, filename)

    def _remove_other_releases(self) -> None:
        for path in Path(self.directory).glob("__jinja2_*.cache"):
            if not path.name.endswith(f".{self._signature}.cache"):
                path.unlink(missing_ok=True)
