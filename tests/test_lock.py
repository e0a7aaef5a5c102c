"""The lock files `make run` and `make test` install from: every dependency pyproject.toml
names is pinned there to one version with hashes, and the runtime lock runs what the test
lock tested (`make lock` regenerates both)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ \\]+)", re.MULTILINE)


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    found = {m[1].lower().replace("_", "-"): m[2] for m in PIN.finditer(text)}
    # Every pin carries at least one hash, so pip runs in --require-hashes mode.
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    for block in blocks:
        if PIN.match(block):
            assert "--hash=sha256:" in block, block.splitlines()[0]
    return found


def test_every_dependency_is_pinned_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, test = pins("requirements.lock"), pins("requirements-test.lock")
    for requirement in project["dependencies"]:
        assert _name(requirement) in runtime, requirement
    for requirement in project["optional-dependencies"]["test"]:
        assert _name(requirement) in test, requirement


def test_the_runtime_lock_is_the_tested_one():
    runtime, test = pins("requirements.lock"), pins("requirements-test.lock")
    differ = {n: (v, test.get(n)) for n, v in runtime.items() if test.get(n) != v}
    assert not differ, f"pinned differently from the test lock: {differ}"


def test_make_installs_from_the_locks():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements.lock" in makefile
    assert "--require-hashes -r requirements-test.lock" in makefile
    assert "--no-deps -e ." in makefile
