"""Turn every deployable app found under a directory into the one application model.

``load_applications(root)`` finds serverless.yml files, SAM / CloudFormation templates (CDK output
included) and Terraform modules, and returns every ``Application`` it could build plus the
``Problem``s it met. A bad file never stops the scan of the others and never raises.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hullguard.model.app import Application
from hullguard.scanner.loaders.common import Problem

__all__ = [
    "Candidate",
    "LoadResult",
    "Problem",
    "discover",
    "included_files",
    "load_applications",
    "load_candidate",
    "plan",
    "sort_applications",
]

SKIP_DIRS = {
    "node_modules",
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "env",
    "__pycache__",
    ".serverless",
    ".aws-sam",
    ".terraform",
    ".peers",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".tox",
    "site-packages",
    "dist-packages",
}
SERVERLESS_NAMES = {"serverless.yml", "serverless.yaml", "serverless.json"}
NOT_TEMPLATES = {
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "composer.json",
    "cdk.json",
    "manifest.json",
    "tree.json",
    "Pipfile.lock",
    "poetry.lock",
    "yarn.lock",
    ".pre-commit-config.yaml",
}
TEMPLATE_SUFFIXES = {".yaml", ".yml", ".json", ".template"}
SNIFF_BYTES = 256 * 1024


@dataclass(slots=True)
class LoadResult:
    applications: list[Application] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_seen: int = 0


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: str  # "serverless", "cloudformation", "terraform"
    path: Path  # file, or directory for a Terraform module


def discover(root: Path) -> Iterator[Candidate]:
    """Every input under ``root`` that may be an application, in a stable order."""
    if root.is_file():
        yield from _classify_file(root)
        if root.suffix == ".tf":
            yield Candidate("terraform", root.parent)
        return
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        here = Path(directory)
        tf_seen = False
        for name in sorted(filenames):
            path = here / name
            if name.endswith(".tf"):
                tf_seen = True
                continue
            yield from _classify_file(path)
        if tf_seen:
            yield Candidate("terraform", here)


def _classify_file(path: Path) -> Iterator[Candidate]:
    name = path.name
    if name in SERVERLESS_NAMES:
        yield Candidate("serverless", path)
        return
    if name in NOT_TEMPLATES or path.suffix not in TEMPLATE_SUFFIXES:
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return
    if b"AWSTemplateFormatVersion" in head or (b"AWS::" in head and b"Resources" in head):
        yield Candidate("cloudformation", path)


def load_applications(root: Path, progress: Callable[[int, int], None] | None = None) -> LoadResult:
    """Load every application under ``root`` (a directory or a single template file)."""
    root = Path(root)
    result = LoadResult()
    base = root if root.is_dir() else root.parent
    found, candidates = plan(root)
    included: set[Path] = set()
    for index, candidate in enumerate(candidates, start=1):
        if candidate.path.resolve() in included:
            continue
        result.files_seen += 1
        app, problems = load_candidate(candidate, base)
        result.problems.extend(problems)
        if app is not None:
            result.applications.append(app)
            included.update(included_files(app, base))
        if progress:
            progress(index, len(candidates))
    sort_applications(result.applications, found, base)
    return result


def plan(root: Path) -> tuple[list[Candidate], list[Candidate]]:
    """Inputs in discovery order, and in load order: serverless.yml first, because files it includes
    with ${file(...)} are part of it, not applications of their own."""
    found = list(discover(Path(root)))
    return found, sorted(found, key=lambda c: c.kind != "serverless")


def load_candidate(candidate: Candidate, base: Path) -> tuple[Application | None, list[Problem]]:
    """One input as an application, with the problems met; never raises."""
    from hullguard.scanner.loaders.cloudformation import load_cloudformation
    from hullguard.scanner.loaders.serverless import load_serverless
    from hullguard.scanner.loaders.terraform import load_terraform

    loaders = {"serverless": load_serverless, "cloudformation": load_cloudformation, "terraform": load_terraform}
    problems: list[Problem] = []
    try:
        app = loaders[candidate.kind](candidate.path, base, problems)
    except RecursionError:
        problems.append(Problem(_rel(candidate.path, base), None, "nesting or references too deep to resolve"))
        app = None
    except Exception as exc:
        problems.append(Problem(_rel(candidate.path, base), None, f"could not be loaded: {type(exc).__name__}: {exc}"))
        app = None
    if app is not None:
        _mark_protected(app)
        app.problems.extend(str(p) for p in problems)
    return app, problems


def included_files(app: Application, base: Path) -> set[Path]:
    return {(base / f).resolve() for f in app.files}


def sort_applications(apps: list[Application], found: list[Candidate], base: Path) -> None:
    order = {str(c.path): i for i, c in enumerate(found)}
    apps.sort(key=lambda a: order.get(str(base / a.template), 0))


def _mark_protected(app: Application) -> None:
    """Functions deployed with hullguard's wrapper handler, layer or exec wrapper are protected; the
    others stay unknown (``@protect`` in code is seen later, when the code is read)."""
    for fn in app.functions:
        wrapper = str(fn.environment.get("AWS_LAMBDA_EXEC_WRAPPER", ""))
        if (
            fn.handler == "hullguard.handler.handler"
            or "hullguard" in wrapper.lower()
            or any("hullguard" in str(layer).lower() for layer in fn.layers)
        ):
            fn.protected = True


def _rel(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()
