"""The layering written down in pyproject.toml ([tool.importlinter]) holds, and the checker
would see it broken: a new import that climbs a layer, or joins two domains that must not
know each other, fails this test as it fails `make lint`."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_import_contract_is_kept():
    result = lint_imports(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_only_three_imports_climb_a_layer_and_the_checker_sees_them(tmp_path):
    """Without its three declared exceptions the layers contract breaks on exactly those."""
    text = (ROOT / "pyproject.toml").read_text()
    contracts = tomllib.loads(text)["tool"]["importlinter"]["contracts"]
    (layers,) = [contract for contract in contracts if contract["id"] == "layers"]
    kept = layers["ignore_imports"]
    assert len(kept) <= 3
    config = tmp_path / "pyproject.toml"
    config.write_text(re.sub(r"\nignore_imports = \[[^\]]*\]\n", "\n", text))

    result = lint_imports(config)

    assert result.returncode != 0
    for line in kept:
        importer, imported = (part.strip() for part in line.split("->"))
        assert f"{importer} -> {imported}" in result.stdout
    assert result.stdout.count(" -> ") == len(kept)
