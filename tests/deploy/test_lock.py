"""The lock files install on every CPython 3.11 the platform accepts, the commune's among them.

The README installs ``requirements/base.txt`` with ``pip install --require-hashes`` on a
Debian 12 server, whose ``python3`` is 3.11.2. A lock made for this machine's 3.11.7 alone
left out what a package needs only on older releases (redis needs async-timeout before
3.11.3): pip refused the whole file there. Each lock must be closed, for each of these
interpreters, under its packages' own requirements (markers read by ``packaging``, the
library pip reads them with): every package it asks for is locked, once, at a version the
asker accepts, with its hashes.

A package's requirements are read from its installed metadata: a package this interpreter
does not install (its marker excludes it here, as async-timeout on 3.11.7) is checked as
locked, pinned and hashed, not further.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]

# CPython 3.11 releases: the first, Debian 12's (the README's server), the last before
# asyncio.timeout replaced async-timeout in redis, this machine's, and a later one.
PYTHONS = ("3.11.0", "3.11.2", "3.11.3", "3.11.7", "3.11.14")
PLATFORMS = ("x86_64", "aarch64")


@dataclass
class Locked:
    requirement: Requirement
    hashes: list[str] = field(default_factory=list)

    @property
    def version(self) -> str:
        (spec,) = self.requirement.specifier
        assert spec.operator == "==", f"{self.requirement} is not pinned with =="
        return spec.version


def read_lock(path: Path) -> list[Locked]:
    """Each requirement of a lock file with its hashes (comments and line breaks dropped)."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    entries = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        requirement, *hashes = re.split(r"\s+--hash=", line)
        entries.append(Locked(Requirement(requirement), [h.strip() for h in hashes]))
    return entries


def environment(python: str, machine: str) -> dict[str, str]:
    env = default_environment()
    env.update(
        python_full_version=python,
        python_version=".".join(python.split(".")[:2]),
        implementation_name="cpython",
        implementation_version=python,
        platform_python_implementation="CPython",
        sys_platform="linux",
        platform_system="Linux",
        os_name="posix",
        platform_machine=machine,
    )
    return env


def applies(requirement: Requirement, env: dict[str, str], extras=("",)) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({**env, "extra": extra}) for extra in extras)


def installed_requirements(name: str, version: str) -> list[Requirement] | None:
    """The package's own requirements, if this interpreter installed that very version."""
    try:
        distribution = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    if distribution.version != version:
        return None
    return [Requirement(line) for line in distribution.requires or []]


def problems_of(lock: list[Locked], roots: list[Requirement], env: dict[str, str]) -> list[str]:
    """What ``pip install --require-hashes`` would refuse on ``env``, or install wrong."""
    problems = []
    chosen: dict[str, Locked] = {}
    for entry in lock:
        if not applies(entry.requirement, env):
            continue
        name = canonicalize_name(entry.requirement.name)
        if name in chosen:
            problems.append(f"{name} locked twice")
        if not entry.hashes:
            problems.append(f"{name} has no hash")
        chosen[name] = entry
    here = default_environment()
    extras: dict[str, set[str]] = {}
    pending = [(root, "pyproject.toml") for root in roots if applies(root, env)]
    while pending:
        requirement, asker = pending.pop()
        name = canonicalize_name(requirement.name)
        entry = chosen.get(name)
        if entry is None:
            problems.append(f"{asker} needs {requirement}: not locked")
            continue
        if not requirement.specifier.contains(entry.version, prereleases=True):
            problems.append(f"{asker} needs {requirement}: {entry.version} locked")
        wanted = {canonicalize_name(extra) for extra in requirement.extras}
        if name in extras and wanted <= extras[name]:
            continue
        extras[name] = extras.get(name, set()) | wanted
        own = installed_requirements(name, entry.version)
        if own is None:
            # Not installed here: only a package this interpreter is not meant to install.
            if applies(entry.requirement, here):
                problems.append(f"{name}=={entry.version} is locked but not installed")
            continue
        for needed in own:
            if applies(needed, env, ("", *sorted(extras[name]))):
                pending.append((needed, f"{name}=={entry.version}"))
    return problems


def pyproject_requirements(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def tools_requirements() -> list[Requirement]:
    lines = (ROOT / "requirements/tools.in").read_text(encoding="utf-8").splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


LOCKS = {
    "base": ("requirements/base.txt", lambda: pyproject_requirements()),
    "dev": ("requirements/dev.txt", lambda: pyproject_requirements("dev")),
    "tools": ("requirements/tools.txt", tools_requirements),
}


@pytest.mark.parametrize("machine", PLATFORMS)
@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("lock", ["base", "dev"])
def test_each_lock_holds_what_its_packages_need_on_every_python_311(lock, python, machine):
    path, roots = LOCKS[lock]
    problems = problems_of(read_lock(ROOT / path), roots(), environment(python, machine))
    assert problems == [], f"{path} on CPython {python} ({machine}): {problems}"


def test_the_installer_is_locked_with_its_hashes_for_every_python_311():
    path, roots = LOCKS["tools"]
    for python in PYTHONS:
        for machine in PLATFORMS:
            env = environment(python, machine)
            locked = [e for e in read_lock(ROOT / path) if applies(e.requirement, env)]
            names = {canonicalize_name(e.requirement.name) for e in locked}
            assert {canonicalize_name(r.name) for r in roots()} <= names
            assert all(e.hashes and e.version for e in locked)


def test_the_check_finds_what_the_lock_made_for_one_python_left_out():
    """The lock of d9397cc..559393a, made on 3.11.7 alone: refused on Debian 12's 3.11.2."""
    lock = [
        entry
        for entry in read_lock(ROOT / "requirements/base.txt")
        if canonicalize_name(entry.requirement.name) != "async-timeout"
    ]
    problems = problems_of(lock, pyproject_requirements(), environment("3.11.2", "x86_64"))
    assert any("needs async-timeout" in problem for problem in problems), problems
    assert problems_of(lock, pyproject_requirements(), environment("3.11.7", "x86_64")) == []
