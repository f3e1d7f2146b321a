"""Run every benchmark module in this folder that exists: ``python -m bench [name ...]``."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("web", "newsletter", "intake")


def main(names: list[str]) -> int:
    failures = 0
    for name in names or BENCHMARKS:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"bench.{name}":
                print(f"[{name}] not present, skipped")
                continue
            raise
        print(f"=== {name}")
        failures += 0 if module.main() else 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
