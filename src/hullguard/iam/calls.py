"""What code analysis finds: AWS API calls with symbolic parameter values.

A parameter value is a ``Sym``: a sequence of literal text, environment-variable reads and
``Wild`` parts (something only known at run time). Resolution against the template's environment
and ARN building happen later (``hullguard.iam.resolve``), so the code analysers stay independent
of the template format.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class EnvVar:
    """A read of an environment variable; ``default`` when the code supplies one."""

    name: str
    default: Sym | None = None


@dataclass(frozen=True, slots=True)
class Wild:
    """A part only known at run time; ``what`` is the code that produced it (for the report)."""

    what: str = ""


Part = str | EnvVar | Wild


@dataclass(frozen=True, slots=True)
class Sym:
    parts: tuple[Part, ...] = ()

    @classmethod
    def text(cls, value: str) -> Sym:
        return cls((value,))

    @classmethod
    def wild(cls, what: str = "") -> Sym:
        return cls((Wild(what),))

    @classmethod
    def env(cls, name: str, default: Sym | None = None) -> Sym:
        return cls((EnvVar(name, default),))

    def __add__(self, other: Sym) -> Sym:
        parts: list[Part] = list(self.parts)
        for part in other.parts:
            if parts and isinstance(part, str) and isinstance(parts[-1], str):
                parts[-1] = parts[-1] + part
            else:
                parts.append(part)
        return Sym(tuple(parts))

    @property
    def literal(self) -> str | None:
        """The whole value when it is plain text."""
        if all(isinstance(p, str) for p in self.parts):
            return "".join(p for p in self.parts if isinstance(p, str))
        return None

    @property
    def is_wild(self) -> bool:
        return any(isinstance(p, Wild) for p in self.parts)

    def describe(self) -> str:
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, EnvVar):
                out.append(f"${{env:{part.name}}}")
            else:
                out.append(f"<{part.what or 'runtime value'}>")
        return "".join(out)


@dataclass(slots=True)
class ApiCall:
    """One AWS API call site (or SDK helper that performs calls)."""

    service: str  # botocore service name: "s3", "dynamodb", "stepfunctions"
    operation: str  # API operation name: "PutObject"
    params: dict[str, Sym] = field(default_factory=dict)
    file: str = ""
    line: int = 0
    actions: tuple[str, ...] | None = None  # explicit IAM actions (PartiQL verb, transaction items)
    extra_actions: tuple[str, ...] = ()  # added by helpers (multipart abort)
    via: str = ""  # how it was called, for reports: "paginator", "waiter", "upload_file"...
    # set when the operation or service was chosen at run time and inferred from its candidates:
    # what the code does, so the statement it produces is marked for review
    dynamic: str = ""

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Note:
    """Something code analysis could not determine or had to skip, with where it happened."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(slots=True)
class CodeReport:
    calls: list[ApiCall] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # files analysed, relative to the code root

    def extend(self, other: CodeReport) -> None:
        self.calls.extend(other.calls)
        self.notes.extend(other.notes)
        self.files.extend(f for f in other.files if f not in self.files)


# Limits both code analysers share: a project's handler code, not a vendored dependency tree.
MAX_FILES = 200
MAX_FILE_BYTES = 2_000_000


def display_path(path: Path, display_root: Path) -> str:
    """``path`` as notes show it: relative to the project root, or as given when it lies outside."""
    try:
        return path.resolve().relative_to(display_root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def stat_if_small(path: Path, rel: str, report: CodeReport) -> os.stat_result | None:
    """The file's stat, or None with a note when it is too large to analyse (OSError propagates)."""
    stat = path.stat()
    if stat.st_size > MAX_FILE_BYTES:
        report.notes.append(Note(rel, 1, "file too large to analyse; skipped"))
        return None
    return stat
