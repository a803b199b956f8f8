"""Shared shape of the code rules: report the ``CodeFlow``s of one kind found in a function's code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from hullguard.model.app import Application, Function, SourceRef
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule


class CodeFlowRule(FunctionRule):
    needs_code = True
    flow_kind: ClassVar[str] = ""

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        code = ctx.function_code(fn)
        if code is None:
            return
        for problem in code.problems:
            if problem not in ctx.problems:
                ctx.problems.append(problem)
        for flow in code.flows:
            if flow.kind == self.flow_kind:
                yield self.finding(
                    app,
                    flow.message,
                    SourceRef(code.file, flow.line, None),
                    function=fn,
                    detail={"handler": code.handler, "language": code.language, "in_handler": flow.in_handler},
                )
