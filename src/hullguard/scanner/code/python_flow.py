"""Python handler analysis over ``ast``.

Taint is intra-procedural: it starts at the handler's first parameter (the event, whatever it is
called), follows assignments, loops and comprehensions in source order (twice, so loops settle), and
reports a call to a sink when an argument that matters carries taint. A few calls (``int()``,
``shlex.quote()``...) sanitise. Pattern checks (unverified JWT, error details returned, /tmp writes,
environment leaks) look at the whole file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from functools import lru_cache

from hullguard.scanner.code.index import CodeFlow, FunctionCode
from hullguard.scanner.code.patterns import manual_jwt_decodes

SANITISERS = {
    "int",
    "float",
    "bool",
    "len",
    "shlex.quote",
    "quote",
    "html.escape",
    "re.escape",
    "uuid.UUID",
    "hash",
    "str.isdigit",
    "os.path.basename",
}
COMMAND_SINKS = {
    "os.system",
    "os.popen",
    "subprocess.run",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.Popen",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "commands.getoutput",
    "os.execl",
    "os.execlp",
    "os.spawnl",
    "pty.spawn",
}
ALWAYS_SHELL = {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput"}
CODE_SINKS = {"eval", "exec", "compile", "__import__", "importlib.import_module", "builtins.eval", "builtins.exec"}
# Server-side template injection runs code too: a template *source* built from the event.
TEMPLATE_SINKS = {"jinja2.Template", "Template", "from_string", "mako.template.Template", "tornado.template.Template"}
# XML parsers that resolve external entities by default (XXE).
XML_SINKS = {
    "lxml.etree.fromstring",
    "lxml.etree.XML",
    "lxml.etree.parse",
    "etree.fromstring",
    "etree.XML",
    "etree.parse",
    "xml.dom.pulldom.parseString",
}
# Document-store queries that accept operators ($where, $ne) when handed parsed event data (NoSQL injection).
NOSQL_METHODS = {"find", "find_one", "find_one_and_update", "delete_many", "update_many", "aggregate"}
DYNAMO_EXPRESSIONS = {"FilterExpression", "KeyConditionExpression", "ConditionExpression", "ProjectionExpression"}
SQL_METHODS = {"execute", "executemany", "executescript", "raw", "read_sql", "read_sql_query", "mogrify"}
DESER_SINKS = {
    "pickle.loads",
    "pickle.load",
    "cPickle.loads",
    "marshal.loads",
    "dill.loads",
    "dill.load",
    "jsonpickle.decode",
    "yaml.unsafe_load",
    "yaml.full_load",
    "shelve.open",
    "pandas.read_pickle",
    "joblib.load",
}
PATH_SINKS = {
    "open",
    "io.open",
    "os.open",
    "pathlib.Path",
    "Path",
    "os.remove",
    "os.unlink",
    "os.rmdir",
    "os.listdir",
    "shutil.copy",
    "shutil.copyfile",
    "shutil.move",
    "shutil.rmtree",
    "send_file",
    "flask.send_file",
    "tarfile.open",
    "zipfile.ZipFile",
}
URL_FIRST_ARG = {
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.delete",
    "requests.head",
    "requests.patch",
    "requests.options",
    "urllib.request.urlopen",
    "urlopen",
    "urllib.request.Request",
    "httpx.get",
    "httpx.post",
    "httpx.put",
    "httpx.delete",
    "httpx.stream",
    "urllib3.request",
    "http.client.HTTPConnection",
    "http.client.HTTPSConnection",
    "aiohttp.request",
}
URL_SECOND_ARG = {"requests.request", "httpx.request"}
TMP_CLEANUP = {
    "os.remove",
    "os.unlink",
    "shutil.rmtree",
    "unlink",
    "tempfile.TemporaryDirectory",
    "tempfile.NamedTemporaryFile",
    "tempfile.TemporaryFile",
    "rmtree",
}
AWS_CREDENTIAL_VARS = {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID"}
LOG_CALLS = {
    "print",
    "logging.info",
    "logging.debug",
    "logging.warning",
    "logging.error",
    "logging.exception",
    "logging.critical",
}
MAX_PASSES = 2
TMP = "/tmp"  # noqa: S108 - the path we look for, not one we use


def dotted(node: ast.AST) -> str:
    """``a.b.c`` for Name/Attribute chains; method calls on other objects give ``.method``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else f".{node.attr}"
    return ""


class _Taint:
    def __init__(
        self, handler: ast.FunctionDef | ast.AsyncFunctionDef, aliases: dict[str, str], sources: set[str] | None = None
    ) -> None:
        self.aliases = aliases
        params = handler.args.posonlyargs + handler.args.args
        self.source = params[0].arg if params else ""
        if sources is not None:
            self.tainted: set[str] = set(sources)
        else:
            self.tainted = {self.source} if self.source else set()
        # The names an expression reads (sanitised sub-calls excluded) never change: compute once per node.
        self._reads: dict[int, frozenset[str]] = {}
        self._nodes: list[ast.AST] = list(_in_order(handler.body))

    def name(self, call: ast.Call) -> str:
        text = dotted(call.func)
        head, _, rest = text.partition(".")
        if head in self.aliases:
            text = self.aliases[head] + (f".{rest}" if rest else "")
        return text

    def is_tainted(self, node: ast.AST | None) -> bool:
        return node is not None and not self.tainted.isdisjoint(self._names_read(node))

    def _names_read(self, node: ast.AST) -> frozenset[str]:
        key = id(node)
        cached = self._reads.get(key)
        if cached is None:
            if isinstance(node, ast.Call) and self.name(node) in SANITISERS:
                cached = frozenset()
            elif isinstance(node, ast.Name):
                cached = frozenset((node.id,))
            else:
                cached = frozenset().union(*(self._names_read(child) for child in ast.iter_child_nodes(node)))
            self._reads[key] = cached
        return cached

    def bind(self, target: ast.AST) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self.tainted.add(node.id)

    def propagate(self) -> None:
        for _ in range(MAX_PASSES):
            for node in self._nodes:
                if isinstance(node, ast.Assign) and self.is_tainted(node.value):
                    for target in node.targets:
                        self.bind(target)
                elif (
                    (isinstance(node, (ast.AnnAssign, ast.AugAssign)) and self.is_tainted(node.value))
                    or (isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)) and self.is_tainted(node.iter))
                    or (isinstance(node, ast.NamedExpr) and self.is_tainted(node.value))
                ):
                    self.bind(node.target)
                elif (
                    isinstance(node, ast.withitem)
                    and node.optional_vars is not None
                    and self.is_tainted(node.context_expr)
                ):
                    self.bind(node.optional_vars)

    def sinks(self) -> Iterator[CodeFlow]:
        for node in self._nodes:
            if isinstance(node, ast.Call):
                flow = self._sink(node)
                if flow is not None:
                    yield flow

    def _sink(self, call: ast.Call) -> CodeFlow | None:
        name = self.name(call)
        method = name.rsplit(".", 1)[-1]
        args = call.args
        first = args[0] if args else None
        line = call.lineno
        shell = any(
            k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords
        )
        if (
            name in COMMAND_SINKS
            and self.is_tainted(first)
            and (name in ALWAYS_SHELL or shell or not isinstance(first, (ast.List, ast.Tuple)))
        ):
            return CodeFlow("command", line, f"event data reaches the shell command of {name}()")
        if name in CODE_SINKS and self.is_tainted(first):
            return CodeFlow("code", line, f"event data is evaluated as code by {name}()")
        if (name in TEMPLATE_SINKS or method == "from_string") and self.is_tainted(first):
            return CodeFlow("code", line, f"a template built from event data is compiled by {name}() (SSTI)")
        if name in XML_SINKS and self.is_tainted(first):
            return CodeFlow(
                "deserialization", line, f"event data is parsed by {name}(), which resolves external entities (XXE)"
            )
        if method in NOSQL_METHODS and "." in name and self.is_tainted(first) and not isinstance(first, ast.Constant):
            return CodeFlow(
                "sql", line, f"a document query built from event data is run by {method}() (NoSQL injection)"
            )
        if method in ("scan", "query") and any(
            k.arg in DYNAMO_EXPRESSIONS and isinstance(k.value, (ast.BinOp, ast.JoinedStr)) and self.is_tainted(k.value)
            for k in call.keywords
        ):
            return CodeFlow("sql", line, f"a DynamoDB expression is concatenated from event data in {method}()")
        if (
            method in SQL_METHODS
            and name not in COMMAND_SINKS
            and self.is_tainted(first)
            and len(args) == 1
            and not any(k.arg in ("params", "parameters", "args") for k in call.keywords)
            and first is not None
            and _builds_string(first, self)
        ):
            return CodeFlow("sql", line, f"SQL text built from event data is run by {method}()")
        if name in DESER_SINKS and self.is_tainted(first):
            return CodeFlow("deserialization", line, f"event data is deserialised by {name}()")
        if name == "yaml.load" and self.is_tainted(first) and not _safe_yaml_loader(call):
            return CodeFlow("deserialization", line, "event data is parsed by yaml.load() without SafeLoader")
        if name in PATH_SINKS and self.is_tainted(first):
            return CodeFlow("path", line, f"a file path built from event data is opened by {name}()")
        if (
            (name in URL_FIRST_ARG and self.is_tainted(first))
            or (name in URL_SECOND_ARG and len(args) > 1 and self.is_tainted(args[1]))
            or (
                any(k.arg == "url" and self.is_tainted(k.value) for k in call.keywords)
                and (name in URL_FIRST_ARG or name in URL_SECOND_ARG)
            )
        ):
            return CodeFlow("url", line, f"an outbound request to a URL from event data ({name}())")
        return None


def _builds_string(node: ast.AST, taint: _Taint) -> bool:
    """The SQL argument is text assembled here (concatenation, f-string, % or .format), or a variable."""
    if isinstance(node, (ast.BinOp, ast.JoinedStr, ast.Name)):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _safe_yaml_loader(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg == "Loader":
            return "Safe" in dotted(keyword.value)
    return len(call.args) > 1 and "Safe" in dotted(call.args[1])


def _in_order(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node under ``body`` in source order (ast.walk is breadth-first)."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        children = list(ast.iter_child_nodes(node))
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            # Evaluate the value before the target so `x = f(x)` reads the old x.
            children.sort(key=lambda c: 0 if c is getattr(node, "value", None) else 1)
        stack.extend(reversed(children))


def _import_aliases(tree: ast.Module) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


@lru_cache(maxsize=64)
def _parsed(text: str) -> tuple[ast.Module, dict[str, str], tuple[CodeFlow, ...]] | str:
    """Parse a file once for all the handlers it holds: tree, import aliases, file-wide patterns; or why not."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        return f"{getattr(exc, 'lineno', '') or ''}: Python syntax error, code not analysed"
    except RecursionError:
        return ": nesting too deep, code not analysed"
    aliases = _import_aliases(tree)
    return tree, aliases, tuple(_patterns(tree, aliases, text))


def analyse_python(text: str, handler_name: str, out: FunctionCode) -> None:
    parsed = _parsed(text)
    if isinstance(parsed, str):
        out.problems.append(f"{out.file}:{parsed}")
        return
    tree, aliases, patterns = parsed
    out.protected = _uses_hullguard(tree, handler_name)
    handler = next(
        (n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == handler_name),
        None,
    )
    handler_lines: set[int] = set()
    if handler is not None:
        out.handler_found = True
        handler_lines = set(range(handler.lineno, (handler.end_lineno or handler.lineno) + 1))
        taint = _Taint(handler, aliases)
        taint.propagate()
        out.flows.extend(taint.sinks())
        out.flows.extend(_into_helpers(tree, handler, taint, aliases))
    other_defs = [
        n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name != handler_name
    ]
    foreign = {line for d in other_defs for line in range(d.lineno, (d.end_lineno or d.lineno) + 1)}
    for flow in patterns:
        in_other = flow.line in foreign and flow.line not in handler_lines
        if in_other and not _called_from_handler(handler, other_defs, flow.line):
            continue  # belongs to another handler of the same file
        out.flows.append(CodeFlow(flow.kind, flow.line, flow.message, flow.line in handler_lines))


def _into_helpers(
    tree: ast.Module, handler: ast.AST, taint: _Taint, aliases: dict[str, str], depth: int = 2
) -> list[CodeFlow]:
    """Follow event data one or two calls deep into functions of the same file (``is_admin(event)``):
    the helper's parameters that receive tainted arguments become its taint sources."""
    helpers = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    flows: list[CodeFlow] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    pending = [(handler, taint, depth)]
    while pending:
        caller, caller_taint, left = pending.pop()
        for call in (n for n in ast.walk(caller) if isinstance(n, ast.Call)):
            helper = helpers.get(call.func.id) if isinstance(call.func, ast.Name) else None
            if helper is None or helper is handler or left == 0:
                continue
            params = [a.arg for a in helper.args.posonlyargs + helper.args.args]
            sources = {params[i] for i, arg in enumerate(call.args) if i < len(params) and caller_taint.is_tainted(arg)}
            sources |= {k.arg for k in call.keywords if k.arg in params and caller_taint.is_tainted(k.value)}
            key = (helper.name, frozenset(sources))
            if not sources or key in seen:
                continue
            seen.add(key)
            inner = _Taint(helper, aliases, sources)
            inner.propagate()
            flows.extend(
                CodeFlow(f.kind, f.line, f"{f.message} (in {helper.name}(), called with event data)", False)
                for f in inner.sinks()
            )
            pending.append((helper, inner, left - 1))
    return flows


def _called_from_handler(handler: ast.AST | None, defs: Sequence[ast.stmt], line: int) -> bool:
    if handler is None:
        return False
    called = {dotted(n.func) for n in ast.walk(handler) if isinstance(n, ast.Call)}
    for d in defs:
        if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef)) and d.lineno <= line <= (d.end_lineno or d.lineno):
            return d.name in called
    return False


def _uses_hullguard(tree: ast.Module, handler_name: str) -> bool:
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name == handler_name
            and any(dotted(d.func if isinstance(d, ast.Call) else d).endswith("protect") for d in node.decorator_list)
        ):
            return True
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and dotted(node.value.func).endswith("protect")
            and any(isinstance(t, ast.Name) and t.id == handler_name for t in node.targets)
        ):
            return True
    return False


def _patterns(tree: ast.Module, aliases: dict[str, str], text: str) -> Iterator[CodeFlow]:
    def name_of(call: ast.Call) -> str:
        text = dotted(call.func)
        head, _, rest = text.partition(".")
        return aliases.get(head, head) + (f".{rest}" if rest else "") if head else text

    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    names = {name_of(c) for c in calls}
    tmp_vars = {
        target.id: path
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and (path := _tmp_literal(node.value))
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    verifies = any(name == "jwt.decode" and not _jwt_unverified(c) for c, name in ((c, name_of(c)) for c in calls))
    yield from manual_jwt_decodes(text, verifies)
    cleans_tmp = any(n in TMP_CLEANUP or n.endswith((".unlink", ".rmtree", ".remove")) for n in names)
    for call in calls:
        name = name_of(call)
        if name == "jwt.decode" and _jwt_unverified(call):
            yield CodeFlow("jwt-unverified", call.lineno, "jwt.decode() is called with signature verification off")
        elif name in ("jose.jwt.get_unverified_claims", "jwt.get_unverified_claims"):
            yield CodeFlow("jwt-unverified", call.lineno, f"{name}() reads JWT claims without verifying them")
        if not cleans_tmp:
            path = _tmp_write_target(call, name, tmp_vars) or _download_target(call, name, tmp_vars)
            if path:
                yield CodeFlow(
                    "tmp-write",
                    call.lineno,
                    f"writes {path} and never removes it: the file survives "
                    "into later invocations of this execution environment",
                )
        if (
            name in LOG_CALLS
            or (
                name.rsplit(".", 1)[-1] in ("info", "debug", "warning", "error", "exception")
                and name.split(".")[0] in ("logger", "log", "LOGGER", "logging")
            )
        ) and _leaks_env(call):
            yield CodeFlow(
                "env-leak", call.lineno, f"{name}() writes the process environment (credentials) to the logs"
            )
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and node.value is not None and _leaks_env(node.value):
            yield CodeFlow("env-leak", node.lineno, "the process environment (credentials) is returned to the caller")
        if isinstance(node, ast.ExceptHandler):
            yield from _verbose_returns(node)


def _jwt_unverified(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg == "verify" and isinstance(keyword.value, ast.Constant) and keyword.value.value is False:
            return True
        if keyword.arg == "options" and isinstance(keyword.value, ast.Dict):
            for key, value in zip(keyword.value.keys, keyword.value.values, strict=False):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "verify_signature"
                    and isinstance(value, ast.Constant)
                    and value.value is False
                ):
                    return True
        if (
            keyword.arg == "algorithms"
            and isinstance(keyword.value, (ast.List, ast.Tuple))
            and any(isinstance(e, ast.Constant) and str(e.value).lower() == "none" for e in keyword.value.elts)
        ):
            return True
    return False


def _tmp_write_target(call: ast.Call, name: str, tmp_vars: dict[str, str]) -> str | None:
    first = call.args[0] if call.args else None
    path = _tmp_path(first, tmp_vars)
    if path is None:
        return None
    if name in ("open", "io.open"):
        mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
        if isinstance(mode, ast.Constant) and isinstance(mode.value, str) and set(mode.value) & set("wax+"):
            return path
        return None
    if name in ("sqlite3.connect", "shelve.open", "dbm.open"):
        return path
    return None


def _download_target(call: ast.Call, name: str, tmp_vars: dict[str, str]) -> str | None:
    """``s3.download_file(bucket, key, "/tmp/...")`` writes a file too."""
    if not name.endswith(("download_file", "download_fileobj")):
        return None
    candidates = list(call.args[2:3]) + [k.value for k in call.keywords if k.arg in ("Filename", "filename")]
    return next((p for p in (_tmp_path(c, tmp_vars) for c in candidates) if p), None)


def _tmp_path(node: ast.AST | None, tmp_vars: dict[str, str]) -> str | None:
    """A /tmp path written here, or held by a variable assigned one (``path = "/tmp/" + name``)."""
    if isinstance(node, ast.Name):
        return tmp_vars.get(node.id)
    return _tmp_literal(node)


def _tmp_literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(TMP):
        return node.value
    if (
        isinstance(node, ast.JoinedStr)
        and node.values
        and isinstance(node.values[0], ast.Constant)
        and str(node.values[0].value).startswith(TMP)
    ):
        return str(node.values[0].value) + "…"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _tmp_literal(node.left)
        return left + "…" if left and not left.endswith("…") else left
    if isinstance(node, ast.Name):
        return None  # a variable: its value is not tracked here
    return None


def _leaks_env(node: ast.AST) -> bool:
    """The whole ``os.environ`` (or an AWS credential variable) appears in the expression."""
    for parent in ast.walk(node):
        for child in ast.iter_child_nodes(parent):
            if isinstance(child, ast.Attribute) and dotted(child) == "os.environ":
                # os.environ["X"] and os.environ.get("X") read one variable; anything else passes them all.
                one_variable = isinstance(parent, ast.Subscript) or (
                    isinstance(parent, ast.Attribute) and parent.attr in ("get", "__getitem__")
                )
                if not one_variable:
                    return True
            if isinstance(child, ast.Constant) and child.value in AWS_CREDENTIAL_VARS:
                return True
    return isinstance(node, ast.Attribute) and dotted(node) == "os.environ"


def _verbose_returns(handler: ast.ExceptHandler) -> Iterator[CodeFlow]:
    exc_name = handler.name
    for node in ast.walk(handler):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        for child in ast.walk(node.value):
            if isinstance(child, ast.Call) and dotted(child.func) in (
                "traceback.format_exc",
                "traceback.format_exception",
                "traceback.format_tb",
            ):
                yield CodeFlow("verbose-error", node.lineno, "the stack trace is returned to the caller")
                break
            if exc_name and isinstance(child, ast.Name) and child.id == exc_name:
                yield CodeFlow("verbose-error", node.lineno, "the exception's text is returned to the caller")
                break
