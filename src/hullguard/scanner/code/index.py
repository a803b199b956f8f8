"""Find each function's handler file from its template, analyse it once, share the result.

A ``CodeFlow`` is one thing a code rule may report: event data reaching a sink (taint), or a pattern
(unverified JWT, /tmp write without cleanup, environment logged, error details returned).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from hullguard.model.app import Function

MAX_CODE_BYTES = 2 * 1024 * 1024
PY_SUFFIXES = (".py",)
NODE_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")

# Stands for the file's path while an analysis is cached by content (copies of one handler in a tree).
FILE_PLACEHOLDER = "\x00file\x00"

# Sink kinds of the taint analysis; the event-injection rules each take one.
SINK_KINDS = ("command", "code", "sql", "deserialization", "path", "url")


@dataclass(frozen=True, slots=True)
class CodeFlow:
    kind: str  # one of SINK_KINDS, or "jwt-unverified", "verbose-error", "tmp-write", "env-leak"
    line: int
    message: str
    in_handler: bool = True  # False: in module code or a helper, reachable by every handler of the file


@dataclass(slots=True)
class FunctionCode:
    file: str  # relative to the scanned root
    language: str  # "python" or "node"
    handler: str
    handler_found: bool = False
    flows: list[CodeFlow] = field(default_factory=list)
    protected: bool = False  # uses hullguard (@protect, hullguard.handler wrapper)
    problems: list[str] = field(default_factory=list)


class CodeIndex:
    def __init__(self, root: Path | None) -> None:
        self.root = root.resolve() if root is not None else None
        self._cache: dict[tuple[str, str], FunctionCode | None] = {}
        self._by_spec: dict[tuple[str, str, str], FunctionCode | None] = {}
        self._by_content: dict[tuple[str, str, str], FunctionCode] = {}

    def locate(self, fn: Function) -> tuple[Path, str, str] | None:
        """(file, handler function name, language) for a function, when its code is on disk."""
        if self.root is None or fn.code_path is None or not isinstance(fn.handler, str) or "." not in fn.handler:
            return None
        base = self.root / fn.code_path if self.root.is_dir() else self.root.parent / fn.code_path
        module, name = fn.handler.rsplit(".", 1)
        runtime = str(fn.runtime or "")
        languages = ["node", "python"] if runtime.startswith("nodejs") else ["python", "node"]
        for language in languages:
            if language == "python":
                candidates = [base / (module.replace(".", "/") + ".py"), base / (module + ".py")]
            else:
                candidates = [base / (module + suffix) for suffix in NODE_SUFFIXES]
            for path in candidates:
                if path.is_file():
                    return path, name, language
        return None

    def for_function(self, fn: Function) -> FunctionCode | None:
        # Every code rule asks for every function: answer from the handler spec, not the file system.
        spec = (fn.code_path or "", str(fn.handler), str(fn.runtime))
        if spec in self._by_spec:
            return self._by_spec[spec]
        located = self.locate(fn)
        if located is None:
            self._by_spec[spec] = None
            return None
        path, name, language = located
        key = (str(path), name)
        if key not in self._cache:
            self._cache[key] = self._analyse(path, name, language)
        self._by_spec[spec] = self._cache[key]
        return self._cache[key]

    def relative(self, path: Path) -> str:
        assert self.root is not None
        base = self.root if self.root.is_dir() else self.root.parent
        try:
            return path.resolve().relative_to(base).as_posix()
        except ValueError:
            return path.as_posix()

    def _analyse(self, path: Path, handler: str, language: str) -> FunctionCode | None:
        code = FunctionCode(file=self.relative(path), language=language, handler=handler)
        try:
            if path.stat().st_size > MAX_CODE_BYTES:
                code.problems.append(f"{code.file}: larger than {MAX_CODE_BYTES} bytes; code not analysed")
                return code
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            code.problems.append(f"{code.file}: cannot read ({exc.strerror})")
            return code
        # Trees hold many copies of one handler (stages, services from one template): analyse each text once.
        key = (language, handler, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
        analysed = self._by_content.get(key)
        if analysed is None:
            analysed = FunctionCode(file=FILE_PLACEHOLDER, language=language, handler=handler)
            if language == "python":
                from hullguard.scanner.code.python_flow import analyse_python

                analyse_python(text, handler, analysed)
            else:
                from hullguard.scanner.code.node_flow import analyse_node

                analyse_node(text, handler, analysed)
            self._by_content[key] = analysed
        code.handler_found = analysed.handler_found
        code.flows = list(analysed.flows)
        code.protected = analysed.protected
        code.problems = [problem.replace(FILE_PLACEHOLDER, code.file) for problem in analysed.problems]
        return code
