"""Pieces every loader shares: problems, policy documents to statements, managed policy lookup."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hullguard.model.app import Policy, SourceRef, Statement, Unknown
from hullguard.scanner.data import managed_policies

MANAGED_ARN_PREFIX = "arn:aws:iam::aws:policy/"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a loader could not read; the rest of the tree is still scanned."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (templates put anything anywhere)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def switched_on(value: Any) -> bool:
    """A boolean setting as templates write it (``true``, ``"true"``). A value that cannot be resolved counts
    as on: rules never report a setting they cannot read."""
    return value is True or isinstance(value, Unknown) or (isinstance(value, str) and value.lower() == "true")


def line_of(mapping: Any, key: str) -> int | None:
    lines = getattr(mapping, "lines", None)
    if isinstance(lines, dict) and key in lines:
        return int(lines[key])
    line = getattr(mapping, "line", None)
    return int(line) if isinstance(line, int) else None


def statements_from_document(document: Any, source: SourceRef) -> list[Statement]:
    """Statements of an IAM policy document (dict, JSON text, or a bare list of statements)."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError:
            return []
    raw = document.get("Statement") if isinstance(document, dict) else document
    out = []
    for item in as_list(raw):
        if isinstance(item, dict):
            line = line_of(item, "Effect") or getattr(item, "line", None) or source.line
            ref = SourceRef(source.file, line, source.logical_id)
            statement = Statement.from_json(_stringify_keys(item), ref)
            out.append(statement)
    return out


def _stringify_keys(item: dict[str, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in item.items()}


def managed_policy(reference: Any, source: SourceRef) -> Policy:
    """Resolve an AWS managed policy given by ARN or name; unknown names keep no statements."""
    if isinstance(reference, Unknown) or not isinstance(reference, str):
        return Policy(name=str(reference), statements=[], managed_arn=None, source=source)
    name = reference
    if reference.startswith("arn:") and ":iam::aws:policy/" in reference:
        name = reference.rsplit("/", 1)[-1]
    elif reference.startswith("arn:"):
        # A customer-managed policy outside this template: its statements are not knowable here.
        return Policy(name=reference.rsplit("/", 1)[-1], statements=[], managed_arn=reference, source=source)
    entry = managed_policies().get(name)
    if entry is None:
        return Policy(name=name, statements=[], managed_arn=None, source=source)
    statements = statements_from_document(entry["document"], source)
    return Policy(name=name, statements=statements, managed_arn=str(entry["arn"]), source=source)


def is_managed_reference(reference: Any) -> bool:
    return isinstance(reference, str) and (
        reference.startswith(MANAGED_ARN_PREFIX) or ":iam::aws:policy/" in reference or reference in managed_policies()
    )


def handler_module(handler: Any) -> str | None:
    """``src/app.lambda_handler`` -> ``src/app``; None when the handler is not a plain string."""
    if not isinstance(handler, str) or "." not in handler:
        return None
    return handler.rsplit(".", 1)[0]
