"""Inputs of ``hullguard iam analyze``: a policy document, several, or a whole project.

Accepted JSON shapes: an IAM policy document (``{"Version", "Statement"}``), the AWS CLI's
``get-policy-version`` / ``get-role-policy`` output (``PolicyVersion.Document`` / ``PolicyDocument``),
a ``gen-roles --format json`` mapping of names to documents, or a bare statement list. A directory
or template is loaded with the posture scanner's loaders and each role is analysed with all its
policies together (privilege escalation often combines statements of different policies).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullguard.iam.analyzer import PolicyIssue, PolicySummary, analyze_policies, summarize
from hullguard.model.app import Policy, SourceRef, Statement


class InputError(ValueError):
    """The input is not something the analyser can read (message names the file)."""


@dataclass(slots=True)
class Subject:
    """One principal to analyse: a role, or a standalone policy document."""

    name: str
    file: str
    policies: list[Policy]
    functions: list[str] = field(default_factory=list)
    issues: list[PolicyIssue] = field(default_factory=list)
    summary: PolicySummary | None = None

    def analyse(self) -> Subject:
        self.issues = analyze_policies(self.policies)
        self.summary = summarize([s for p in self.policies for s in p.statements])
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "functions": self.functions,
            "summary": self.summary.to_json() if self.summary else {},
            "issues": [i.to_json() for i in self.issues],
        }


def _document(data: Any) -> Any:
    if isinstance(data, dict):
        for key in ("PolicyDocument", "Document"):
            if isinstance(data.get(key), (dict, str)):
                return _document(data[key])
        if isinstance(data.get("PolicyVersion"), dict):
            return _document(data["PolicyVersion"])
    if isinstance(data, str):  # URL-encoded or JSON text, as the IAM API returns it
        from urllib.parse import unquote

        try:
            return json.loads(unquote(data))
        except json.JSONDecodeError:
            return data
    return data


def _statements(doc: Any, file: str) -> list[Statement]:
    raw = doc.get("Statement") if isinstance(doc, dict) else doc
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        raise InputError(f"{file}: not an IAM policy document (no Statement list)")
    return [Statement.from_json(s, SourceRef(file=file)) for s in raw]


def subjects_from_json(path: Path, text: str) -> list[Subject]:
    name = path.name
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    data = _document(data)
    if (isinstance(data, dict) and "Statement" in data) or isinstance(data, list):
        return [Subject(name, name, [Policy(name=name, statements=_statements(data, name))])]
    if isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
        out = []
        for key, value in data.items():
            doc = _document(value)
            out.append(Subject(str(key), name, [Policy(name=str(key), statements=_statements(doc, name))]))
        return out
    raise InputError(f"{name}: not an IAM policy document (no Statement list)")


def subjects_from_project(path: Path) -> tuple[list[Subject], list[str]]:
    from hullguard.scanner.loaders import load_applications

    loaded = load_applications(path)
    subjects: list[Subject] = []
    for app in loaded.applications:
        by_role: dict[int, Subject] = {}
        for fn in app.functions:
            if fn.role is None:
                continue
            subject = by_role.get(id(fn.role))
            if subject is None:
                subject = Subject(fn.role.logical_id, app.template, fn.role.policies)
                by_role[id(fn.role)] = subject
                subjects.append(subject)
            subject.functions.append(fn.logical_id)
        for role in app.roles:
            if not any(s.policies is role.policies for s in by_role.values()):
                subjects.append(Subject(role.logical_id, app.template, role.policies))
    return subjects, [str(p) for p in loaded.problems]


def load_subjects(path: Path) -> tuple[list[Subject], list[str]]:
    """Everything to analyse under ``path`` plus the problems met reading it."""
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_file() and path.suffix.lower() == ".json":
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path.name}: cannot be read: {exc}") from None
        stripped = text.lstrip()
        looks_like_template = '"AWSTemplateFormatVersion"' in text or '"Resources"' in text
        if stripped.startswith(("{", "[")) and not looks_like_template:
            return [s.analyse() for s in subjects_from_json(path, text)], []
    subjects, problems = subjects_from_project(path)
    return [s.analyse() for s in subjects], problems
