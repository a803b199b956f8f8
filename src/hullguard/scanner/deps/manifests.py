"""Read resolved dependency versions from Python and Node.js manifests and lock files.

Lock files win over manifests: when a directory has package-lock.json, package.json ranges are not
read. A requirement without an exact pin is kept with ``version=None`` (unpinned).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

MANIFESTS = (
    "requirements.txt",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    "package-lock.json",
    "yarn.lock",
    "package.json",
)
MAX_MANIFEST_BYTES = 20 * 1024 * 1024
SKIP_DIRS = {"node_modules", ".git", ".venv", "venv", "__pycache__", ".serverless", ".aws-sam", ".terraform"}
_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(===?|~=|>=|<=|>|<|!=)?\s*([^;#\s,]*)")
_EXACT_NPM = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")


@dataclass(frozen=True, slots=True)
class Dependency:
    ecosystem: str  # "PyPI" or "npm"
    name: str
    version: str | None  # None: not pinned to one version
    file: str  # manifest, relative to the scanned root
    line: int | None = None


def normalise(ecosystem: str, name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower() if ecosystem == "PyPI" else name


def find_dependencies(root: Path, code_path: str, problems: list[str]) -> list[Dependency]:
    base = (root if root.is_dir() else root.parent).resolve()
    directory = (base / code_path).resolve()
    out: list[Dependency] = []
    if not directory.is_dir():
        return out
    for folder in _folders(directory):
        names = {p.name for p in folder.iterdir() if p.is_file()}
        requirement_files = sorted(n for n in names if n.startswith("requirements") and n.endswith(".txt"))
        chosen = requirement_files + [n for n in MANIFESTS[1:] if n in names]
        if "package-lock.json" in names or "yarn.lock" in names:
            chosen = [n for n in chosen if n != "package.json"]
        for name in chosen:
            path = folder / name
            rel = path.relative_to(base).as_posix()
            try:
                if path.stat().st_size > MAX_MANIFEST_BYTES:
                    problems.append(f"{rel}: larger than {MAX_MANIFEST_BYTES} bytes; not read")
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
                out.extend(_parse(name, text, rel))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                problems.append(f"{rel}: cannot read dependencies ({type(exc).__name__}: {exc})")
    return out


def _folders(directory: Path) -> list[Path]:
    found = [directory]
    for path in sorted(directory.rglob("*")):
        if path.is_dir() and not any(p in SKIP_DIRS or p.startswith(".") for p in path.relative_to(directory).parts):
            found.append(path)
        if len(found) > 500:
            break
    return found


def _parse(name: str, text: str, rel: str) -> list[Dependency]:
    if name.startswith("requirements"):
        return _requirements(text, rel)
    if name == "Pipfile.lock":
        data = json.loads(text)
        return [
            Dependency("PyPI", pkg, str(spec.get("version", "")).lstrip("=") or None, rel, _line_of(text, pkg))
            for section in ("default", "develop")
            for pkg, spec in (data.get(section) or {}).items()
            if isinstance(spec, dict)
        ]
    if name in ("poetry.lock", "uv.lock"):
        import tomllib

        data = tomllib.loads(text)
        return [
            Dependency(
                "PyPI",
                str(p["name"]),
                str(p.get("version")) if p.get("version") else None,
                rel,
                _line_of(text, f'name = "{p["name"]}"'),
            )
            for p in data.get("package", [])
            if "name" in p
        ]
    if name == "package-lock.json":
        return _package_lock(json.loads(text), text, rel)
    if name == "yarn.lock":
        return _yarn_lock(text, rel)
    if name == "package.json":
        data = json.loads(text)
        out = []
        for section in ("dependencies", "optionalDependencies"):
            for pkg, spec in (data.get(section) or {}).items():
                version = str(spec) if _EXACT_NPM.match(str(spec)) else None
                out.append(Dependency("npm", pkg, version, rel, _line_of(text, f'"{pkg}"')))
        return out
    return []


def _requirements(text: str, rel: str) -> list[Dependency]:
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", "-", "git+", "http:", "https:", "file:")):
            continue
        match = _REQ.match(line)
        if not match:
            continue
        operator, version = match.group(3), match.group(4)
        exact = version if operator in ("==", "===") and "*" not in version else None
        out.append(Dependency("PyPI", match.group(1), exact, rel, number))
    return out


def _package_lock(data: dict[str, object], text: str, rel: str) -> list[Dependency]:
    out = []
    packages = data.get("packages")
    if isinstance(packages, dict):
        for key, spec in packages.items():
            if not key or not isinstance(spec, dict) or "node_modules/" not in key:
                continue
            pkg = key.rsplit("node_modules/", 1)[1]
            out.append(
                Dependency(
                    "npm",
                    pkg,
                    str(spec.get("version")) if spec.get("version") else None,
                    rel,
                    _line_of(text, f'"{key}"'),
                )
            )
        return out

    def walk(deps: object) -> None:
        if not isinstance(deps, dict):
            return
        for pkg, spec in deps.items():
            if isinstance(spec, dict):
                out.append(
                    Dependency(
                        "npm",
                        pkg,
                        str(spec.get("version")) if spec.get("version") else None,
                        rel,
                        _line_of(text, f'"{pkg}"'),
                    )
                )
                walk(spec.get("dependencies"))

    walk(data.get("dependencies"))
    return out


def _yarn_lock(text: str, rel: str) -> list[Dependency]:
    out: list[Dependency] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line and not line.startswith((" ", "#")) and line.rstrip().endswith(":"):
            current = []
            for spec in line.rstrip(":").split(","):
                spec = spec.strip().strip('"')
                pkg = spec.rsplit("@", 1)[0] if spec.count("@") > (1 if spec.startswith("@") else 0) else spec
                if pkg and pkg not in current:
                    current.append(pkg)
            start = number
        elif line.strip().startswith("version") and current:
            version = line.strip().split(None, 1)[1].strip('"') if " " in line.strip() else ""
            version = version.lstrip(":").strip().strip('"')
            out.extend(Dependency("npm", pkg, version or None, rel, start) for pkg in current)
            current = []
    return out


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None
