"""Serverless Framework variables: ``${self:...}``, ``${opt:stage, 'dev'}``, ``${env:X}``, ``${file(...)}``.

Resolved innermost first, with a depth limit so a circular reference stops with a problem instead
of recursing forever. A source the scanner cannot read (``${ssm:...}``, ``${cf:...}``, ``${s3:...}``,
``${aws:...}`` beyond region) makes the whole value ``Unknown``, keeping the original text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from hullguard.model.app import Unknown
from hullguard.scanner.loaders.common import mapping
from hullguard.scanner.loaders.yamlfile import LineDict, TemplateError, read_template, tag_file

_VAR = re.compile(r"\$\{([^${}]+)\}")
MAX_PASSES = 10
MAX_DEPTH = 30
DEFAULT_OPTIONS = {"stage": "dev", "region": "us-east-1"}


class _Unresolvable(Exception):
    pass


class CircularReference(Exception):
    pass


class Variables:
    def __init__(
        self,
        document: dict[str, Any],
        base: Path,
        options: dict[str, str] | None = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.document = document
        self.base = base
        self.options = {**DEFAULT_OPTIONS, **(options or {})}
        provider = mapping(document.get("provider"))
        for key in ("stage", "region"):
            if isinstance(provider.get(key), str) and "${" not in provider[key]:
                self.options.setdefault(key, provider[key])
        self.environ = dict(os.environ if environ is None else environ)
        self.files: dict[Path, Any] = {}
        self.problems: list[str] = []
        self._active: set[str] = set()

    def resolve(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise CircularReference("variables nest too deep (circular reference?)")
        if isinstance(value, str):
            return self._string(value, depth)
        if isinstance(value, list):
            return [self.resolve(v, depth + 1) for v in value]
        if isinstance(value, dict):
            out = LineDict()
            for k, v in value.items():
                out[k] = self.resolve(v, depth + 1)
            if isinstance(value, LineDict):
                out.line, out.lines, out.file = value.line, value.lines, value.file
            return out
        return value

    def _string(self, text: str, depth: int) -> Any:
        if "${" not in text:
            return text
        original = text
        for _ in range(MAX_PASSES):
            match = _VAR.search(text)
            if match is None:
                return text
            try:
                value = self._lookup(match.group(1).strip(), depth)
            except _Unresolvable:
                return Unknown(original)
            if isinstance(value, Unknown):
                return Unknown(original)
            if match.group(0) == text:
                if isinstance(value, str) and "${" in value:
                    text = value
                    continue
                return value
            if isinstance(value, (dict, list)):
                return Unknown(original)
            text = text[: match.start()] + str(value) + text[match.end() :]
        raise CircularReference(f"variable {original!r} does not settle (circular reference?)")

    def _lookup(self, expr: str, depth: int) -> Any:
        source, fallback = _split_fallback(expr)
        try:
            value = self._source(source, depth)
        except _Unresolvable:
            value = None
            if fallback is None:
                raise
        if value is None and fallback is not None:
            return self._literal(fallback, depth)
        if value is None:
            raise _Unresolvable(expr)
        return value

    def _literal(self, text: str, depth: int) -> Any:
        text = text.strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return text[1:-1]
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        if text in ("true", "false"):
            return text == "true"
        return self._lookup(text, depth + 1)

    def _source(self, source: str, depth: int) -> Any:
        if source.startswith("self:"):
            return self._path(self.document, source[5:], depth, f"self:{source[5:]}")
        if source.startswith("opt:"):
            return self.options.get(source[4:])
        if source.startswith("sls:"):
            return {"stage": self.options["stage"], "instanceId": "instance"}.get(source[4:])
        if source.startswith("env:"):
            return self.environ.get(source[4:])
        if source == "aws:region":
            return self.options["region"]
        if source.startswith("file("):
            return self._file(source, depth)
        if ":" not in source:
            return self._path(self.document, source, depth, source)  # ${provider.stage} shorthand (v3)
        raise _Unresolvable(source)  # ssm, cf, s3, aws:accountId, custom resolvers: deploy-time only

    def _path(self, document: Any, dotted: str, depth: int, key: str) -> Any:
        if key in self._active:
            raise CircularReference(f"circular reference: ${{{key}}} refers to itself")
        self._active.add(key)
        try:
            current = document
            for part in [p for p in dotted.split(".") if p]:
                if isinstance(current, str) and "${" in current:
                    current = self.resolve(current, depth + 1)  # ${self:a.b} where a is itself a variable
                if isinstance(current, dict) and part in current:
                    current = current[part]
                else:
                    return None
            return self.resolve(current, depth + 1)
        finally:
            self._active.discard(key)

    def _file(self, source: str, depth: int) -> Any:
        match = re.fullmatch(r"file\(([^)]+)\)(?::(.*))?", source)
        if not match:
            raise _Unresolvable(source)
        path = (self.base / match.group(1).strip().strip("'\"")).resolve()
        if path.suffix in (".js", ".ts", ".mjs", ".cjs"):
            raise _Unresolvable(source)  # code that runs at deploy time
        if path not in self.files:
            try:
                self.files[path] = read_template(path)
                tag_file(self.files[path], path)
            except TemplateError as exc:
                self.problems.append(f"{path.name}: {exc}")
                raise _Unresolvable(source) from None
        data = self.files[path]
        if match.group(2):
            return self._path(data, match.group(2), depth, f"file({path}):{match.group(2)}")
        return self.resolve(data, depth + 1)


def _split_fallback(expr: str) -> tuple[str, str | None]:
    """``opt:stage, 'dev'`` -> (``opt:stage``, ``'dev'``); commas inside quotes do not split."""
    quote = ""
    for index, char in enumerate(expr):
        if char in "'\"":
            quote = "" if quote == char else (quote or char)
        elif char == "," and not quote:
            return expr[:index].strip(), expr[index + 1 :].strip()
    return expr.strip(), None
