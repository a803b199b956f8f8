"""Dynamic code: eval/exec/compile of event data, pickle, marshal, and ctypes after start-up.

Event strings are tracked lazily: nothing happens per invocation until something is compiled from
a string, which is rare once a function is warm. Then the event's string leaves (and JSON found
inside string values such as an HTTP body) are collected once, and the source is judged "from the
event" when it equals a leaf or contains a leaf of at least ``MIN_EMBEDDED`` characters.

``pickle.find_class`` fires only for pickles that construct objects or call functions (plain data
pickles never reach it), so blocking it stops the classic ``__reduce__`` payload while lists, dicts
and strings still load. The import system's own ``marshal.loads`` (reading ``.pyc`` files) and its
``compile`` of a module's source (a module imported during an invocation without a ``.pyc``, whose
text may well contain a string the event also holds) are told apart by their frames. The pickle,
marshal and ctypes rules apply after start-up, so a model unpickled at cold start still loads.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import sys

from hullguard.events.schema import Severity
from hullguard.runtime.hooks import HANDLERS, Blocked
from hullguard.runtime.policy import ALLOW, CodePolicy
from hullguard.runtime.report import Reporter, Rule
from hullguard.runtime.state import STATE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

EVENT_EVAL = Rule("HG-RT-CODE-001", "Code compiled from event data (eval/exec/compile)", "dynamic-code",
                  "event-injection", Severity.CRITICAL, "CWE-95")
PICKLE = Rule("HG-RT-CODE-002", "Unsafe deserialization: pickle constructs an object", "dynamic-code",
              "event-injection", Severity.CRITICAL, "CWE-502")
MARSHAL = Rule("HG-RT-CODE-003", "marshal.loads outside the import system", "dynamic-code", "event-injection",
               Severity.HIGH, "CWE-502")
NATIVE = Rule("HG-RT-CODE-004", "Native library loaded with ctypes after start-up", "dynamic-code",
              "over-privileged", Severity.MEDIUM, "CWE-114")

MIN_EMBEDDED = 6
MAX_LEAVES = 5000
_IMPORT_FILES = ("<frozen importlib._bootstrap_external>", "<frozen importlib._bootstrap>", "<frozen zipimport>")


def _called_by_import_system(depth: int) -> bool:
    """True when the frame ``depth`` levels up (the caller of compile/loads) is importlib's."""
    try:
        return sys._getframe(depth).f_code.co_filename in _IMPORT_FILES
    except ValueError:
        return False


def event_strings(event: Any) -> frozenset[str]:
    """String leaves of an event (bounded), plus the leaves of JSON documents held in strings."""
    out: set[str] = set()
    stack: list[tuple[Any, int]] = [(event, 0)]
    while stack and len(out) < MAX_LEAVES:
        value, depth = stack.pop()
        if isinstance(value, str):
            if value:
                out.add(value)
                if depth < 8 and value[:1] in "{[" and len(value) < 1_000_000:
                    with contextlib.suppress(ValueError):
                        stack.append((json.loads(value), depth + 1))
        elif depth < 64:
            if isinstance(value, dict):
                stack.extend((v, depth + 1) for v in value.values())
                stack.extend((k, depth + 1) for k in value if isinstance(k, str))
            elif isinstance(value, (list, tuple)):
                stack.extend((v, depth + 1) for v in value)
    return frozenset(out)


class CodeControl:
    def __init__(self, policy: CodePolicy, reporter: Reporter) -> None:
        self.policy = policy
        self.reporter = reporter

    def install(self) -> None:
        HANDLERS["compile"] = self.on_compile
        HANDLERS["pickle.find_class"] = self.on_find_class
        HANDLERS["marshal.loads"] = self.on_marshal
        HANDLERS["marshal.load"] = self.on_marshal
        HANDLERS["ctypes.dlopen"] = self.on_dlopen
        if self.reporter.learn:
            HANDLERS["import"] = self.on_import

    def on_import(self, args: tuple[Any, ...]) -> None:
        """Learn mode only: the modules the function loads."""
        self.reporter.record({"kind": "module", "value": str(args[0]).split(".")[0]})

    def on_compile(self, args: tuple[Any, ...]) -> None:
        inv = STATE.invocation
        source = args[0]
        if inv is None or not isinstance(source, (str, bytes)):
            return
        if self.policy.event_eval == ALLOW and not self.reporter.learn:
            return
        text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
        if inv.event_strings is None:
            inv.event_strings = event_strings(inv.event)
        leaves = inv.event_strings
        stripped = text.strip()
        hit = stripped if stripped in leaves else next(
            (leaf for leaf in leaves if len(leaf) >= MIN_EMBEDDED and leaf in text), None)
        if hit is None or STATE.is_internal() or _called_by_import_system(3):
            return
        if self.reporter.decide(self.policy.event_eval, EVENT_EVAL, location=str(args[1]) if len(args) > 1 else "",
                                evidence=text[:300], policy_rule="code.event_eval",
                                observed={"kind": "dynamic-code", "value": "eval-of-event-data"}):
            raise Blocked("compiling event data as code", "code.event_eval")

    def on_find_class(self, args: tuple[Any, ...]) -> None:
        if not STATE.started:
            return
        name = f"{args[0]}.{args[1]}"
        if any(fnmatch.fnmatchcase(name, glob) for glob in self.policy.pickle_allow):
            level = ALLOW
        else:
            level = self.policy.pickle
        if self.reporter.decide(level, PICKLE, location=name, evidence=f"pickle global {name}",
                                policy_rule="code.pickle_allow" if level == ALLOW else "code.pickle",
                                observed={"kind": "pickle", "value": name}):
            raise Blocked(f"unpickling {name}", "code.pickle")

    def on_marshal(self, args: tuple[Any, ...]) -> None:
        if not STATE.started or (self.policy.marshal == ALLOW and not self.reporter.learn):
            return
        try:
            caller = sys._getframe(2).f_code.co_filename  # 0 on_marshal, 1 _audit, 2 the caller of loads
        except ValueError:
            caller = ""
        if caller in _IMPORT_FILES:
            return
        if self.reporter.decide(self.policy.marshal, MARSHAL, location=caller, evidence="marshal.loads",
                                policy_rule="code.marshal", observed={"kind": "marshal", "value": caller}):
            raise Blocked("marshal.loads", "code.marshal")

    def on_dlopen(self, args: tuple[Any, ...]) -> None:
        if not STATE.started or STATE.is_internal():
            return
        name = str(args[0])
        if self.reporter.decide(self.policy.native_libraries, NATIVE, location=name, evidence=f"ctypes load {name}",
                                policy_rule="code.native_libraries", observed={"kind": "native-library",
                                                                               "value": name}):
            raise Blocked(f"loading native library {name}", "code.native_libraries")
