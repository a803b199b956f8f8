"""Read YAML/JSON templates keeping the line of every mapping key, and CloudFormation short tags.

Rules report ``file:line``, so the loader remembers where each key was written: every mapping is a
``LineDict`` whose ``lines`` maps key -> 1-based line, and whose ``line`` is where the mapping starts.
Short-form intrinsics (``!Ref x``, ``!GetAtt a.b``, ``!Sub ...``) become their long form
(``{"Ref": "x"}``, ``{"Fn::GetAtt": ["a", "b"]}``) so resolution only knows one shape.
Comments are read separately (``comment_lines``) for inline suppressions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

MAX_TEMPLATE_BYTES = 20 * 1024 * 1024  # larger files are reported, not parsed


class LineDict(dict[str, Any]):
    """A mapping that knows where it and each of its keys were written."""

    __slots__ = ("file", "line", "lines")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line: int | None = None
        self.lines: dict[str, int] = {}
        self.file: str | None = None  # absolute path when the mapping came from an included file

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key, self.line)


class TemplateError(Exception):
    """A file that cannot be read; ``line`` when the parser knows it."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    pass


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _intrinsic(loader: Any, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = _construct_mapping(loader, node)  # type: ignore[arg-type]
    name = tag_suffix
    if name in ("Ref", "Condition"):
        return {name: value}
    if name == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    out = LineDict({f"Fn::{name}": value})
    out.line = node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_multi_constructor("!", _intrinsic)
# Dates stay strings: "2012-10-17" is a policy version, not a datetime.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def parse_text(text: str, name: str) -> Any:
    """Parse YAML or JSON text; raise ``TemplateError`` with the line of the problem."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - safe loader subclass, only known tags
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        if name.endswith(".json"):
            return _parse_json(text)
        raise TemplateError(f"invalid YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise TemplateError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise TemplateError("nesting too deep to read") from None


def _parse_json(text: str) -> Any:
    # JSON that YAML cannot read (tabs): plain JSON without line numbers.
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(f"invalid JSON: {exc.msg}", exc.lineno) from None


def read_template(path: Path) -> Any:
    """Read a template file with the checks every loader needs (size, encoding, syntax)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TemplateError(f"cannot read: {exc.strerror}") from None
    if size > MAX_TEMPLATE_BYTES:
        raise TemplateError(f"file is {size} bytes, larger than the {MAX_TEMPLATE_BYTES}-byte limit; skipped")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateError(f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise TemplateError(f"cannot read: {exc.strerror}") from None
    return parse_text(text, path.name)


def tag_file(data: Any, path: Path) -> None:
    """Mark every mapping of an included file with that file, so findings point into it."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, LineDict):
            item.file = str(path)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def comment_lines(path: Path) -> dict[int, str]:
    """Line number -> comment text (after ``#``) for YAML files; empty for JSON."""
    if path.suffix == ".json":
        return {}
    out: dict[int, str] = {}
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return out
    for number, line in enumerate(text.splitlines(), start=1):
        if "#" in line:
            # Good enough for suppression markers: a '#' inside a quoted string rarely holds one.
            out[number] = line.split("#", 1)[1].strip()
    return out
