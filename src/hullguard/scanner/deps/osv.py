"""A local OSV (https://osv.dev) database: match resolved versions against advisories offline.

Layout of a database directory: any ``*.json`` OSV records (one per file, in any subfolder) and/or
the ecosystem exports ``<Ecosystem>/all.zip`` that ``hullguard db update`` downloads. Only the PyPI
and npm ecosystems are read.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullguard.scanner.deps.manifests import normalise

ECOSYSTEMS = ("PyPI", "npm")
EXPORT_URL = "https://osv-vulnerabilities.storage.googleapis.com/{ecosystem}/all.zip"


def default_location() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hullguard" / "osv"


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: str  # critical/high/medium/low
    fixed: str | None
    url: str


class OsvDatabase:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.count = 0

    @classmethod
    def open(cls, path: Path | None, problems: list[str]) -> OsvDatabase | None:
        location = path or default_location()
        if not location.is_dir():
            if path is not None:
                problems.append(f"OSV database {location} is not a directory")
            else:
                problems.append(
                    "no OSV database: vulnerable dependencies not checked (run `hullguard db update` "
                    "or pass --osv-db DIR)"
                )
            return None
        db = cls()
        for file in sorted(location.rglob("*.json")):
            try:
                db.add(json.loads(file.read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                problems.append(f"OSV record {file.name} unreadable: {exc}")
        for archive in sorted(location.rglob("*.zip")):
            try:
                with zipfile.ZipFile(archive) as bundle:
                    for member in bundle.namelist():
                        if member.endswith(".json"):
                            db.add(json.loads(bundle.read(member)))
            except (OSError, ValueError, zipfile.BadZipFile) as exc:
                problems.append(f"OSV export {archive} unreadable: {exc}")
        if db.count == 0:
            problems.append(f"OSV database {location} holds no records")
        return db

    def add(self, record: dict[str, Any]) -> None:
        if not isinstance(record, dict) or "id" not in record:
            return
        self.count += 1
        keys = set()
        for affected in record.get("affected") or []:
            package = affected.get("package") or {}
            ecosystem = package.get("ecosystem")
            if ecosystem in ECOSYSTEMS and package.get("name"):
                keys.add((ecosystem, normalise(ecosystem, package["name"])))
        for key in keys:  # one record may list the same package in several "affected" entries
            self.records.setdefault(key, []).append(record)

    def advisories(self, ecosystem: str, name: str, version: str) -> list[Advisory]:
        out = []
        for record in self.records.get((ecosystem, normalise(ecosystem, name)), []):
            if record.get("withdrawn"):
                continue
            for affected in record.get("affected") or []:
                package = affected.get("package") or {}
                if package.get("ecosystem") != ecosystem or normalise(ecosystem, str(package.get("name"))) != normalise(
                    ecosystem, name
                ):
                    continue
                hit, fixed = _affects(affected, ecosystem, version)
                if hit:
                    out.append(_advisory(record, fixed))
                    break
        return out


def _affects(affected: dict[str, Any], ecosystem: str, version: str) -> tuple[bool, str | None]:
    if version in (affected.get("versions") or []):
        return True, _first_fixed(affected)
    key = _version_key(ecosystem, version)
    if key is None:
        return False, None
    for entry in affected.get("ranges") or []:
        if entry.get("type") not in ("ECOSYSTEM", "SEMVER"):
            continue
        introduced: Any = None
        for event in entry.get("events") or []:
            if "introduced" in event:
                introduced = _version_key(ecosystem, event["introduced"]) if event["introduced"] != "0" else ()
            elif "fixed" in event and introduced is not None:
                fixed = _version_key(ecosystem, event["fixed"])
                if fixed is not None and introduced <= key < fixed:
                    return True, str(event["fixed"])
                introduced = None
            elif "last_affected" in event and introduced is not None:
                last = _version_key(ecosystem, event["last_affected"])
                if last is not None and introduced <= key <= last:
                    return True, None
                introduced = None
        if introduced is not None and introduced <= key:
            return True, None
    return False, None


def _first_fixed(affected: dict[str, Any]) -> str | None:
    for entry in affected.get("ranges") or []:
        for event in entry.get("events") or []:
            if "fixed" in event:
                return str(event["fixed"])
    return None


def _version_key(ecosystem: str, version: str) -> Any:
    """A comparable key; ``()`` sorts before every version (OSV's "introduced": "0")."""
    if ecosystem == "PyPI":
        from packaging.version import InvalidVersion, Version

        try:
            return (Version(version),)
        except InvalidVersion:
            return None
    match = re.match(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?", version.strip())
    if not match:
        return None
    pre = match.group(4)
    # A pre-release sorts before its release: (1,2,3,0,pre) < (1,2,3,1,"").
    pre_key = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")) if pre else ()
    return ((int(match.group(1)), int(match.group(2)), int(match.group(3)), 0 if pre else 1, pre_key),)


def _advisory(record: dict[str, Any], fixed: str | None) -> Advisory:
    specific = record.get("database_specific") or {}
    severity = str(specific.get("severity", "")).lower()
    severity = {"moderate": "medium"}.get(severity, severity)
    if severity not in ("critical", "high", "medium", "low"):
        severity = _cvss_severity(record.get("severity") or []) or "medium"
    references = record.get("references") or []
    url = (
        next((r.get("url") for r in references if r.get("type") == "ADVISORY"), None)
        or f"https://osv.dev/vulnerability/{record['id']}"
    )
    return Advisory(
        id=str(record["id"]),
        aliases=tuple(record.get("aliases") or ()),
        summary=str(record.get("summary") or record.get("details", "")[:120]),
        severity=severity,
        fixed=fixed,
        url=str(url),
    )


def _cvss_severity(scores: list[dict[str, Any]]) -> str | None:
    """Rough band from a CVSS v3 vector's impact letters when no severity label is given."""
    for score in scores:
        vector = str(score.get("score", ""))
        if not vector.startswith("CVSS:3"):
            continue
        parts = dict(p.split(":", 1) for p in vector.split("/")[1:] if ":" in p)
        high = sum(parts.get(k) == "H" for k in ("C", "I", "A"))
        network = parts.get("AV") == "N" and parts.get("PR") == "N"
        if high >= 2 and network:
            return "critical"
        if high >= 1:
            return "high"
        return "medium"
    return None
