"""Node.js handler analysis over a tree-sitter JavaScript syntax tree.

Same model as the Python analysis: taint starts at the handler's first parameter (destructured
names included), follows declarations and assignments in source order, and a sink call with a
tainted argument is a flow. Pattern checks cover the whole file.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from hullguard.scanner.code.index import CodeFlow, FunctionCode
from hullguard.scanner.code.patterns import manual_jwt_decodes

COMMAND = {"exec", "execSync", "spawn", "spawnSync", "execFile", "execFileSync"}
CODE = {"eval", "Function", "runInNewContext", "runInThisContext", "runInContext", "compileFunction"}
# Template engines compiling a template source built from the event (server-side template injection).
TEMPLATES = {
    ("_", "template"),
    ("lodash", "template"),
    ("ejs", "render"),
    ("ejs", "compile"),
    ("pug", "compile"),
    ("pug", "render"),
    ("Handlebars", "compile"),
    ("handlebars", "compile"),
    ("nunjucks", "renderString"),
}
NOSQL = {"find", "findOne", "deleteMany", "updateMany", "aggregate", "$where"}
TIMERS = {"setTimeout", "setInterval"}
SQL = {"query", "execute", "raw", "$queryRawUnsafe", "$executeRawUnsafe"}
DESER = {"unserialize", "deserialize"}
FS = {
    "readFile",
    "readFileSync",
    "writeFile",
    "writeFileSync",
    "appendFile",
    "appendFileSync",
    "createReadStream",
    "createWriteStream",
    "unlink",
    "unlinkSync",
    "readdir",
    "readdirSync",
    "sendFile",
    "rm",
    "rmSync",
    "open",
    "openSync",
}
HTTP = {"fetch", "axios", "got", "request", "needle", "superagent"}
HTTP_OBJECTS = {"axios", "http", "https", "got", "needle", "superagent", "request"}
HTTP_METHODS = {"get", "post", "put", "delete", "patch", "head", "request"}
TMP_WRITE = {"writeFile", "writeFileSync", "appendFile", "appendFileSync", "createWriteStream"}
TMP_CLEANUP = {"unlink", "unlinkSync", "rm", "rmSync", "rmdir", "rmdirSync"}
TMP = "/tmp"  # noqa: S108 - the path we look for, not one we use
LOGGERS = {"console", "logger", "log"}
FUNCTION_TYPES = {
    "arrow_function",
    "function_expression",
    "function",
    "function_declaration",
    "generator_function_declaration",
    "async_function",
}


@lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter_javascript
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_javascript.language()))


def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def _walk(node: Any) -> Iterator[Any]:
    """Pre-order, source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _find_handler(root: Any, name: str) -> Any | None:
    for node in _walk(root):
        if node.type == "assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if right is not None and right.type in FUNCTION_TYPES and _text(left).split(".")[-1] == name:
                return right
        elif node.type == "variable_declarator":
            ident, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            if value is not None and value.type in FUNCTION_TYPES and _text(ident) == name:
                return value
        elif (
            node.type in ("function_declaration", "generator_function_declaration")
            and _text(node.child_by_field_name("name")) == name
        ):
            return node
    return None


class _Taint:
    def __init__(self, function: Any) -> None:
        self.tainted: set[str] = set()
        params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
        if params is not None:
            first = (
                params
                if params.type == "identifier"
                else next((c for c in params.named_children if c.type != "comment"), None)
            )
            if first is not None:
                self.bind(first)

    def bind(self, pattern: Any) -> None:
        if pattern.type == "identifier" or pattern.type == "shorthand_property_identifier_pattern":
            self.tainted.add(_text(pattern))
            return
        if pattern.type == "assignment_pattern":
            left = pattern.child_by_field_name("left")
            if left is not None:
                self.bind(left)
            return
        for child in pattern.named_children:
            if child.type == "pair_pattern":
                value = child.child_by_field_name("value")
                if value is not None:
                    self.bind(value)
            else:
                self.bind(child)

    def is_tainted(self, node: Any) -> bool:
        if node is None:
            return False
        for child in _walk(node):
            if child.type == "identifier" and _text(child) in self.tainted:
                return True
            if child.type == "call_expression" and _text(child.child_by_field_name("function")) in (
                "parseInt",
                "Number",
                "parseFloat",
                "encodeURIComponent",
                "path.basename",
            ):
                return False
        return False

    def propagate(self, body: Any) -> None:
        for _ in range(2):
            for node in _walk(body):
                if node.type == "variable_declarator":
                    value = node.child_by_field_name("value")
                    if self.is_tainted(value):
                        self.bind(node.child_by_field_name("name"))
                elif node.type in ("assignment_expression", "augmented_assignment_expression"):
                    left = node.child_by_field_name("left")
                    if (
                        left is not None
                        and left.type == "identifier"
                        and self.is_tainted(node.child_by_field_name("right"))
                    ):
                        self.tainted.add(_text(left))
                elif node.type == "for_in_statement" and self.is_tainted(node.child_by_field_name("right")):
                    left = node.child_by_field_name("left")
                    if left is not None:
                        self.bind(left)

    def sinks(self, body: Any) -> Iterator[CodeFlow]:
        for node in _walk(body):
            if node.type in ("call_expression", "new_expression"):
                flow = self._sink(node)
                if flow is not None:
                    yield flow

    def _sink(self, call: Any) -> CodeFlow | None:
        callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
        arguments = call.child_by_field_name("arguments")
        args = [a for a in arguments.named_children if a.type != "comment"] if arguments is not None else []
        callee_text = _text(callee)
        method = callee_text.rsplit(".", 1)[-1]
        obj = callee_text.rsplit(".", 1)[0] if "." in callee_text else ""
        first = args[0] if args else None
        line = call.start_point[0] + 1
        if not args or not any(self.is_tainted(a) for a in args):
            return None
        if method in COMMAND and self.is_tainted(first):
            return CodeFlow("command", line, f"event data reaches the shell command of {callee_text}()")
        if method in CODE or (
            method in TIMERS and first is not None and first.type not in FUNCTION_TYPES and self.is_tainted(first)
        ):
            return CodeFlow("code", line, f"event data is evaluated as code by {callee_text}()")
        if (obj, method) in TEMPLATES and self.is_tainted(first):
            return CodeFlow("code", line, f"a template built from event data is compiled by {callee_text}() (SSTI)")
        if method in NOSQL and obj and first is not None and first.type != "object" and self.is_tainted(first):
            return CodeFlow(
                "sql", line, f"a document query built from event data is run by {callee_text}() (NoSQL injection)"
            )
        if (
            method in SQL
            and self.is_tainted(first)
            and first is not None
            and first.type in ("template_string", "binary_expression", "identifier")
        ):
            return CodeFlow("sql", line, f"SQL text built from event data is run by {callee_text}()")
        if method in DESER and self.is_tainted(first):
            return CodeFlow("deserialization", line, f"event data is deserialised by {callee_text}()")
        if method == "load" and obj in ("yaml", "jsyaml") and self.is_tainted(first):
            return CodeFlow("deserialization", line, f"event data is parsed by {callee_text}() (unsafe YAML load)")
        if (
            method in FS
            and (obj.endswith("fs") or obj.endswith("promises") or obj in ("res", "response", ""))
            and self.is_tainted(first)
        ):
            return CodeFlow("path", line, f"a file path built from event data is used by {callee_text}()")
        if (callee_text in HTTP or (obj in HTTP_OBJECTS and method in HTTP_METHODS)) and self.is_tainted(first):
            return CodeFlow("url", line, f"an outbound request to a URL from event data ({callee_text}())")
        return None


def analyse_node(text: str, handler_name: str, out: FunctionCode) -> None:
    try:
        tree = _parser().parse(text.encode("utf-8"))
    except Exception as exc:
        out.problems.append(f"{out.file}: JavaScript could not be parsed ({type(exc).__name__})")
        return
    root = tree.root_node
    handler = _find_handler(root, handler_name)
    out.protected = "hullguard" in text and ("protect(" in text or "wrapHandler" in text)
    if handler is not None:
        out.handler_found = True
        body = handler.child_by_field_name("body")
        taint = _Taint(handler)
        if body is not None:
            taint.propagate(body)
            out.flows.extend(taint.sinks(body))
    start = handler.start_point[0] + 1 if handler is not None else 0
    end = handler.end_point[0] + 1 if handler is not None else 0
    for flow in _patterns(root, text):
        out.flows.append(CodeFlow(flow.kind, flow.line, flow.message, start <= flow.line <= end))


def _patterns(root: Any, text: str) -> Iterator[CodeFlow]:
    cleans_tmp = any(f".{name}(" in text for name in TMP_CLEANUP)
    verifies_jwt = "jwt.verify(" in text or "jwtVerify(" in text or "createVerify(" in text
    yield from manual_jwt_decodes(text, verifies_jwt)
    for node in _walk(root):
        line = node.start_point[0] + 1
        if node.type == "call_expression":
            callee = _text(node.child_by_field_name("function"))
            method = callee.rsplit(".", 1)[-1]
            arguments = node.child_by_field_name("arguments")
            args = [a for a in arguments.named_children if a.type != "comment"] if arguments is not None else []
            if callee.endswith("jwt.decode") and not verifies_jwt:
                yield CodeFlow("jwt-unverified", line, "jwt.decode() reads the token without verifying its signature")
            if method in TMP_WRITE and args and not cleans_tmp and _text(args[0]).strip("'\"`").startswith(TMP):
                yield CodeFlow(
                    "tmp-write",
                    line,
                    f"writes {_text(args[0])} and never removes it: the file survives "
                    "into later invocations of this execution environment",
                )
            if callee.split(".")[0] in LOGGERS and any(_whole_env(a) for a in args):
                yield CodeFlow("env-leak", line, f"{callee}() writes the process environment (credentials) to the logs")
        elif node.type == "return_statement" and _whole_env(node):
            yield CodeFlow("env-leak", line, "the process environment (credentials) is returned to the caller")
        elif node.type == "catch_clause":
            yield from _verbose_catch(node)


def _whole_env(node: Any) -> bool:
    for child in _walk(node):
        if child.type == "member_expression" and _text(child) == "process.env":
            parent = child.parent
            if parent is None or not (
                parent.type in ("member_expression", "subscript_expression")
                and parent.child_by_field_name("object") == child
            ):
                return True
        if child.type == "string" and _text(child).strip("'\"") in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            return True
    return False


def _verbose_catch(clause: Any) -> Iterator[CodeFlow]:
    param = clause.child_by_field_name("parameter")
    name = _text(param) if param is not None else ""
    body = clause.child_by_field_name("body")
    if not name or body is None:
        return
    for node in _walk(body):
        if node.type == "return_statement":
            for child in _walk(node):
                if (
                    child.type == "member_expression"
                    and _text(child.child_by_field_name("object")) == name
                    and _text(child.child_by_field_name("property")) in ("stack", "message")
                ):
                    yield CodeFlow(
                        "verbose-error",
                        node.start_point[0] + 1,
                        f"the error's {_text(child.child_by_field_name('property'))} is returned to the caller",
                    )
                    break
