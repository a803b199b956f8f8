"""Python code analysis (``ast``): every boto3 call a Lambda handler can reach.

Starting from the handler function, the analyser follows calls to functions, classes and modules
of the same code tree (local imports), and tracks the values that matter for IAM: boto3 clients,
resources and sessions (however imported or aliased, stored on objects, passed to helpers,
returned by wrappers), paginators, waiters, resource collections, and the strings that name AWS
resources (literals, module constants, f-strings, concatenations, ``os.environ``). A value it
cannot know becomes a ``Wild`` part that the report names with file and line.

The tracking is flow-insensitive within a function (the last assignment to a name wins) and does
not execute anything.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullguard.iam import boto3_resources as r3
from hullguard.iam.calls import MAX_FILES, ApiCall, CodeReport, EnvVar, Note, Sym, display_path, stat_if_small
from hullguard.iam.operations import ServiceCatalog, catalog

MAX_CALL_DEPTH = 12
REVIEW_SID = "ReviewInferred*"


# -- values the analyser tracks ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Boto3Module:
    pass


@dataclass(frozen=True, slots=True)
class Session:
    pass


@dataclass(frozen=True, slots=True)
class Factory:
    """``boto3.client`` / ``boto3.resource`` / ``session.client`` referenced as a value."""

    kind: str  # "client" or "resource"


@dataclass(frozen=True, slots=True)
class Client:
    service: str


@dataclass(frozen=True, slots=True)
class ServiceResource:
    service: str


@dataclass(frozen=True, slots=True)
class Res:
    service: str
    type: str
    ids: tuple[tuple[str, Sym], ...] = ()

    def id(self, name: str) -> Sym:
        return dict(self.ids).get(name, Sym.wild(f"{self.type}.{name}"))


@dataclass(frozen=True, slots=True)
class Collection:
    service: str
    parent: Res | None
    request: r3.Request | None
    item_type: str | None
    item_ids: tuple[tuple[str, str], ...] = ()  # (item identifier, parent identifier or "response")


@dataclass(frozen=True, slots=True)
class Paginator:
    service: str
    operation: str


@dataclass(frozen=True, slots=True)
class Waiter:
    service: str
    operation: str


@dataclass(frozen=True, slots=True)
class BatchWriter:
    table: Res


@dataclass(frozen=True, slots=True)
class EnvironMap:
    """``os.environ``."""


@dataclass(frozen=True, slots=True)
class GetEnv:
    """``os.getenv`` / ``os.environ.get``."""


@dataclass(frozen=True, slots=True)
class OsModule:
    pass


@dataclass(frozen=True, slots=True)
class ModuleRef:
    module: _Module


@dataclass(frozen=True, slots=True)
class FuncRef:
    module: _Module
    node: ast.FunctionDef | ast.AsyncFunctionDef
    owner: ClassRef | None = None


@dataclass(frozen=True, slots=True)
class ClassRef:
    module: _Module
    node: ast.ClassDef


@dataclass(frozen=True, slots=True)
class Instance:
    cls: ClassRef


@dataclass(frozen=True, slots=True)
class Literal:
    """A dict/list literal kept as source, evaluated when a call uses it."""

    node: ast.expr
    scope: _Scope


@dataclass(frozen=True, slots=True)
class Choice:
    """A name that takes one of several literal strings (``for name in ("a", "b")``)."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DynamicMethod:
    """``getattr(client, name)`` with ``name`` chosen at run time: ``methods`` are its candidates
    (``None`` when they cannot be known, which grants the service's actions on the named resources)."""

    client: Client
    methods: tuple[str, ...] | None
    what: str


AWS_VALUES = (Client, ServiceResource, Res, Collection, Paginator, Waiter, BatchWriter, Session)


# -- modules and scopes -------------------------------------------------------------------
@dataclass(eq=False, slots=True)
class _Module:
    path: Path
    rel: str
    tree: ast.Module
    names: dict[str, Any] = field(default_factory=dict)
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    class_attrs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __hash__(self) -> int:
        return id(self)


@dataclass(eq=False, slots=True)
class _Scope:
    module: _Module
    names: dict[str, Any] = field(default_factory=dict)
    cls: ClassRef | None = None

    def get(self, name: str) -> Any:
        if name in self.names:
            return self.names[name]
        return self.module.names.get(name)


_NODE_TEXT_LIMIT = 60


def _src(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # unparse of odd nodes must not stop analysis
        text = type(node).__name__
    return text if len(text) <= _NODE_TEXT_LIMIT else text[: _NODE_TEXT_LIMIT - 1] + "…"


class PythonAnalyzer:
    """Analyses one handler (and what it reaches) under ``code_root``."""

    def __init__(self, code_root: Path, services: ServiceCatalog | None = None, display_root: Path | None = None,
                 environment: dict[str, str] | None = None):
        self.root = code_root
        self.environment = environment or {}
        self.display_root = display_root or code_root
        self.catalog = services or catalog()
        self.modules: dict[Path, _Module | None] = {}
        self.report = CodeReport()
        self._done: set[tuple[int, str]] = set()
        self._queue: list[tuple[FuncRef, dict[str, Any]]] = []
        self._dynamic = ""  # set while recording the candidates of a call chosen at run time

    # -- entry ---------------------------------------------------------------------------
    def analyze(self, handler_file: Path, function_name: str | None) -> CodeReport:
        module = self._load(handler_file)
        if module is None:
            return self.report
        node = module.functions.get(function_name or "")
        if function_name and node is None:
            self._note(module, 1, f"handler function {function_name!r} not found; analysing the whole module")
        if node is None:
            for fn in module.functions.values():
                self._enqueue(FuncRef(module, fn), {})
            for cls in module.classes.values():
                self._enqueue_class(ClassRef(module, cls))
        else:
            self._enqueue(FuncRef(module, node), {})
        self._drain()
        self.report.calls = _unique(self.report.calls)
        return self.report

    def _drain(self) -> None:
        steps = 0
        while self._queue and steps < 5000:
            steps += 1
            ref, bindings = self._queue.pop()
            self._run_function(ref, bindings)

    # -- loading -------------------------------------------------------------------------
    def _load(self, path: Path) -> _Module | None:
        path = path.resolve()
        if path in self.modules:
            return self.modules[path]
        self.modules[path] = None
        if len(self.modules) > MAX_FILES:
            return None
        rel = display_path(path, self.display_root)
        try:
            stat = stat_if_small(path, rel, self.report)
            if stat is None:
                return None
            tree = _parse(str(path), stat.st_mtime_ns, stat.st_size, rel)
        except SyntaxError as exc:
            self.report.notes.append(Note(rel, exc.lineno or 1, f"does not parse: {exc.msg}"))
            return None
        except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
            self.report.notes.append(Note(rel, 1, f"does not parse: {type(exc).__name__}"))
            return None
        except OSError as exc:
            self.report.notes.append(Note(rel, 1, f"cannot be read: {exc.strerror}"))
            return None
        module = _Module(path, rel, tree)
        self.modules[path] = module
        self.report.files.append(rel)
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                module.functions[stmt.name] = stmt
            elif isinstance(stmt, ast.ClassDef):
                module.classes[stmt.name] = stmt
        self._module_body(module)
        return module

    def _module_body(self, module: _Module) -> None:
        scope = _Scope(module, module.names)
        for name, fn in module.functions.items():
            module.names[name] = FuncRef(module, fn)
        for name, cls in module.classes.items():
            module.names[name] = ClassRef(module, cls)
        top = [s for s in module.tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        for stmt in top:
            for node in _walk_same_scope(stmt):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    self._import(module, node, module.names)
        for _ in range(2):  # twice, so constants defined after their first use still resolve
            for stmt in top:
                self._bind_statement(stmt, scope)
        for cls in module.classes.values():
            self._class_attrs(ClassRef(module, cls))
        for stmt in top:
            self._calls_in(stmt, scope)

    def _resolve_module(self, module: _Module, dotted: str, level: int) -> Path | None:
        parts = [p for p in dotted.split(".") if p]
        bases: list[Path] = []
        if level:
            base = module.path.parent
            for _ in range(level - 1):
                base = base.parent
            bases.append(base)
        else:
            bases.extend([module.path.parent, self.root])
        for base in bases:
            target = base.joinpath(*parts) if parts else base
            for candidate in (target.with_suffix(".py"), target / "__init__.py"):
                if parts and candidate.is_file() and _inside(candidate, self.root):
                    return candidate
                if not parts and candidate.name == "__init__.py" and candidate.is_file():
                    return candidate
        return None

    def _import(self, module: _Module, node: ast.Import | ast.ImportFrom, names: dict[str, Any]) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                if alias.name == "boto3" or alias.name.startswith("boto3."):
                    names[local] = Boto3Module()
                elif alias.name == "os":
                    names[local] = OsModule()
                else:
                    path = self._resolve_module(module, alias.name, 0)
                    target = self._load(path) if path else None
                    if (target is not None and alias.asname) or (target is not None and "." not in alias.name):
                        names[local] = ModuleRef(target)
            return
        source = node.module or ""
        for alias in node.names:
            local = alias.asname or alias.name
            if source in ("boto3", "boto3.session") or source.startswith("aioboto3"):
                if alias.name in ("client", "resource"):
                    names[local] = Factory(alias.name)
                elif alias.name == "Session":
                    names[local] = _SessionClass()
                elif alias.name == "session":
                    names[local] = Boto3Module()
            elif source == "os":
                if alias.name == "environ":
                    names[local] = EnvironMap()
                elif alias.name == "getenv":
                    names[local] = GetEnv()
            else:
                path = self._resolve_module(module, source, node.level)
                if path is None:
                    continue
                # "from pkg import submodule" or "from module import name"
                sub = self._resolve_module(_Module(path, "", ast.Module(body=[], type_ignores=[])), alias.name, 1) \
                    if path.name == "__init__.py" else None
                if sub is not None:
                    target = self._load(sub)
                    if target is not None:
                        names[local] = ModuleRef(target)
                    continue
                target = self._load(path)
                if target is not None:
                    names[local] = _LazyAttr(target, alias.name)

    # -- functions and classes -----------------------------------------------------------
    def _enqueue(self, ref: FuncRef, bindings: dict[str, Any]) -> None:
        key = (id(ref.node), _binding_key(bindings))
        if key in self._done:
            return
        self._done.add(key)
        self._queue.append((ref, bindings))

    def _enqueue_class(self, cls: ClassRef, instance_bound: bool = True) -> None:
        for stmt in cls.node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                bindings = {}
                if stmt.args.args and instance_bound:
                    bindings[stmt.args.args[0].arg] = Instance(cls)
                self._enqueue(FuncRef(cls.module, stmt, cls), bindings)

    def _function_scope(self, ref: FuncRef, bindings: dict[str, Any]) -> _Scope:
        scope = _Scope(ref.module, dict(bindings), ref.owner)
        args = ref.node.args
        for arg, default in zip(args.args[len(args.args) - len(args.defaults):], args.defaults, strict=False):
            if arg.arg not in scope.names:
                value = self._value(default, scope)
                if value is not None:
                    scope.names[arg.arg] = value
        for node in _walk_same_scope(ref.node):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self._import(ref.module, node, scope.names)
        for _ in range(2):
            for stmt in ref.node.body:
                self._bind_statement(stmt, scope)
        return scope

    def _run_function(self, ref: FuncRef, bindings: dict[str, Any]) -> None:
        scope = self._function_scope(ref, bindings)
        for stmt in ref.node.body:
            self._calls_in(stmt, scope)

    def _class_attrs(self, cls: ClassRef) -> None:
        attrs = cls.module.class_attrs.setdefault(cls.node.name, {})
        for stmt in cls.node.body:
            if isinstance(stmt, ast.Assign):
                value = self._value(stmt.value, _Scope(cls.module))
                for target in stmt.targets:
                    if isinstance(target, ast.Name) and value is not None:
                        attrs[target.id] = value
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                attrs.setdefault(stmt.name, FuncRef(cls.module, stmt, cls))
        for stmt in cls.node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.args.args:
                scope = _Scope(cls.module, {stmt.args.args[0].arg: Instance(cls)}, cls)
                for node in ast.walk(stmt):
                    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                        for target in targets:
                            if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                                    and target.value.id == stmt.args.args[0].arg):
                                value = self._value(node.value, scope)
                                if value is not None:
                                    attrs[target.attr] = value

    # -- binding names -------------------------------------------------------------------
    def _bind_statement(self, stmt: ast.stmt, scope: _Scope) -> None:
        for node in _walk_same_scope(stmt):
            if isinstance(node, ast.Assign):
                value = self._value(node.value, scope)
                for target in node.targets:
                    self._bind(target, value, scope)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                self._bind(node.target, self._value(node.value, scope), scope)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._bind(item.optional_vars, self._value(item.context_expr, scope), scope)
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                self._bind(node.target, self._iteration_value(node.iter, scope), scope)
            elif isinstance(node, ast.NamedExpr):
                self._bind(node.target, self._value(node.value, scope), scope)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and scope.names is not scope.module.names:
                scope.names.setdefault(node.name, FuncRef(scope.module, node))  # a nested function

    def _bind(self, target: ast.expr, value: Any, scope: _Scope) -> None:
        if value is None:
            return
        if isinstance(target, ast.Name):
            scope.names[target.id] = value
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            owner = scope.get(target.value.id)
            if isinstance(owner, Instance):
                owner.cls.module.class_attrs.setdefault(owner.cls.node.name, {})[target.attr] = value

    def _iteration_value(self, node: ast.expr, scope: _Scope) -> Any:
        """``for obj in bucket.objects.all()``: each item is a resource whose identifiers come from the
        parent (the bucket name) or from the response (the key, only known at run time)."""
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            names = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            return Choice(tuple(names)) if names and len(names) == len(node.elts) else None
        value = self._value(node, scope)
        if not (isinstance(value, Collection) and value.item_type and value.parent is not None):
            return None
        return self._item(value)

    # -- evaluating expressions ----------------------------------------------------------
    def _value(self, node: ast.expr | None, scope: _Scope, depth: int = 0) -> Any:
        if node is None or depth > MAX_CALL_DEPTH:
            return None
        if isinstance(node, ast.Name):
            return scope.get(node.id)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope, depth)
        if isinstance(node, ast.Call):
            return self._call_value(node, scope, depth)
        if isinstance(node, ast.Await):
            return self._value(node.value, scope, depth + 1)
        if isinstance(node, (ast.Dict, ast.List, ast.Tuple)):
            return Literal(node, scope)
        if isinstance(node, ast.BoolOp):
            for value_node in node.values:
                value = self._value(value_node, scope, depth + 1)
                if value is not None:
                    return value
            return None
        if isinstance(node, ast.IfExp):
            return self._value(node.body, scope, depth + 1) or self._value(node.orelse, scope, depth + 1)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope, depth)
        sym = self._sym(node, scope, depth)
        return sym if sym is not None and not (sym.is_wild and len(sym.parts) == 1) else None

    def _subscript(self, node: ast.Subscript, scope: _Scope, depth: int) -> Any:
        container = self._value(node.value, scope, depth + 1)
        if isinstance(container, EnvironMap):
            key = self._sym(node.slice, scope, depth + 1)
            if key is not None and key.literal is not None:
                return Sym.env(key.literal)
        if isinstance(container, Literal) and isinstance(container.node, ast.Dict):
            key = self._sym(node.slice, scope, depth + 1)
            if key is not None and key.literal is not None:
                for k, v in zip(container.node.keys, container.node.values, strict=True):
                    if isinstance(k, ast.Constant) and k.value == key.literal:
                        return self._value(v, container.scope, depth + 1)
        return None

    def _attribute(self, node: ast.Attribute, scope: _Scope, depth: int) -> Any:
        base = self._value(node.value, scope, depth + 1)
        name = node.attr
        if isinstance(base, Boto3Module):
            if name in ("client", "resource"):
                return Factory(name)
            if name == "Session":
                return _SessionClass()
            if name == "session":
                return Boto3Module()
            return None
        if isinstance(base, Session) and name in ("client", "resource"):
            return Factory(name)
        if isinstance(base, OsModule):
            return EnvironMap() if name == "environ" else GetEnv() if name == "getenv" else None
        if isinstance(base, EnvironMap) and name == "get":
            return GetEnv()
        if isinstance(base, ModuleRef):
            return base.module.names.get(name)
        if isinstance(base, _LazyAttr):
            base = base.resolve()
            return base.module.names.get(name) if isinstance(base, ModuleRef) else None
        if isinstance(base, Instance):
            return base.cls.module.class_attrs.get(base.cls.node.name, {}).get(name)
        if isinstance(base, ClassRef):
            return base.module.class_attrs.get(base.node.name, {}).get(name)
        if isinstance(base, (Client, ServiceResource, Res)) and name == "meta":
            return _Meta(base)
        if isinstance(base, _Meta) and name == "client":
            return Client(base.of.service)
        if isinstance(base, (ServiceResource, Res)):
            member = r3.member(base.service, base.type if isinstance(base, Res) else None, name)
            if member is not None and member.kind == "many":
                return Collection(base.service, base if isinstance(base, Res) else None, member.request,
                                  member.resource_type, member.identifier_inputs)
        return None

    def _resource_load(self, res: Res, node: ast.AST, scope: _Scope) -> None:
        """Reading an attribute of a boto3 resource loads it (``obj.content_length`` -> HeadObject)."""
        request = r3.load_request(res.service, res.type)
        if request is not None:
            self._record_request(res.service, request, res, {}, node, scope, via="resource attribute")

    def _call_value(self, node: ast.Call, scope: _Scope, depth: int) -> Any:
        if isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) > 1:
            target = self._value(node.args[0], scope, depth + 1)
            if isinstance(target, Client):
                return DynamicMethod(target, self._name_candidates(node.args[1], scope), _src(node))
            return None
        func = self._value(node.func, scope, depth + 1)
        if isinstance(func, _LazyAttr):
            func = func.resolve()
        if isinstance(func, Factory):
            service = self._service_arg(node, scope)
            if service is None:
                return None
            return Client(service) if func.kind == "client" else ServiceResource(service)
        if isinstance(func, _SessionClass):
            return Session()
        if isinstance(func, GetEnv):
            if node.args:
                key = self._sym(node.args[0], scope, depth + 1)
                default = self._sym(node.args[1], scope, depth + 1) if len(node.args) > 1 else None
                if key is not None and key.literal is not None:
                    return Sym.env(key.literal, default)
            return None
        if isinstance(func, ClassRef):
            return Instance(func)
        if isinstance(func, FuncRef):
            return self._returns(func, node, scope, depth)
        if isinstance(node.func, ast.Attribute):
            owner = self._value(node.func.value, scope, depth + 1)
            return self._method_value(owner, node.func.attr, node, scope)
        return None

    def _method_value(self, owner: Any, name: str, node: ast.Call, scope: _Scope) -> Any:
        if isinstance(owner, Client):
            if name == "get_paginator" and node.args:
                op = self._operation_arg(owner.service, node.args[0], scope)
                return Paginator(owner.service, op) if op else None
            if name == "get_waiter" and node.args:
                waiter = self._sym(node.args[0], scope)
                if waiter is not None and waiter.literal:
                    op = self.catalog.waiter_operation(owner.service, waiter.literal)
                    return Waiter(owner.service, op) if op else None
            return None
        if isinstance(owner, (ServiceResource, Res)):
            member = r3.member(owner.service, owner.type if isinstance(owner, Res) else None, name)
            if member is None:
                if isinstance(owner, Res) and owner.service == "dynamodb" and name == "batch_writer":
                    return BatchWriter(owner)
                return None
            if member.kind == "has" and member.resource_type:
                return self._sub_resource(owner, member, node, scope)
            if member.kind == "action" and member.resource_type:
                if owner.service == "sqs" and name == "get_queue_by_name":
                    queue = self._kwargs(node, scope).get("QueueName", Sym.wild("QueueName"))
                    return Res("sqs", "Queue", (("Url", queue),))
                return Res(owner.service, member.resource_type, ())
            return None
        if isinstance(owner, Collection) and name in ("all", "filter", "limit", "page_size"):
            return owner
        return None

    def _sub_resource(self, owner: ServiceResource | Res, member: r3.Member, node: ast.Call, scope: _Scope) -> Res:
        assert member.resource_type is not None
        positional = [self._sym(a, scope) or Sym.wild(_src(a)) for a in node.args]
        keywords = {k.arg: self._sym(k.value, scope) or Sym.wild(_src(k.value)) for k in node.keywords if k.arg}
        parent_ids = dict(owner.ids) if isinstance(owner, Res) else {}
        ids: list[tuple[str, Sym]] = []
        for target, source in member.identifier_inputs:
            if source == "input":
                value = keywords.get(target) or (positional.pop(0) if positional else Sym.wild(target))
            else:
                value = parent_ids.get(source, Sym.wild(source))
            ids.append((target, value))
        return Res(owner.service, member.resource_type, tuple(ids))

    def _returns(self, ref: FuncRef, call: ast.Call, scope: _Scope, depth: int) -> Any:
        if depth > MAX_CALL_DEPTH:
            return None
        bindings = self._call_bindings(ref, call, scope)
        inner = _Scope(ref.module, dict(bindings), ref.owner)
        for stmt in ref.node.body:
            self._bind_statement(stmt, inner)
        for node in _walk_same_scope(ref.node):
            if isinstance(node, ast.Return) and node.value is not None:
                value = self._value(node.value, inner, depth + 1)
                if value is not None:
                    return value
        return None

    def _call_bindings(self, ref: FuncRef, call: ast.Call, scope: _Scope) -> dict[str, Any]:
        params = [a.arg for a in ref.node.args.args]
        if ref.owner is not None and params:
            params = params[1:]
        bindings: dict[str, Any] = {}
        for name, arg in zip(params, call.args, strict=False):
            value = self._value(arg, scope) or self._sym(arg, scope) or Sym.wild(_src(arg))
            bindings[name] = value
        for keyword in call.keywords:
            if keyword.arg:
                bindings[keyword.arg] = self._value(keyword.value, scope) or self._sym(keyword.value, scope) \
                    or Sym.wild(_src(keyword.value))
        return bindings

    # -- strings -------------------------------------------------------------------------
    def _sym(self, node: ast.expr | None, scope: _Scope, depth: int = 0) -> Sym | None:
        """The string a node evaluates to, as far as it can be known statically."""
        if node is None or depth > MAX_CALL_DEPTH:
            return None
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return Sym.text(node.value)
            if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
                return Sym.text(str(node.value))
            return None
        if isinstance(node, ast.JoinedStr):
            out = Sym()
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    out = out + Sym.text(value.value)
                elif isinstance(value, ast.FormattedValue):
                    out = out + (self._sym(value.value, scope, depth + 1) or Sym.wild(_src(value.value)))
            return out
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self._sym(node.left, scope, depth + 1)
            right = self._sym(node.right, scope, depth + 1)
            if left is None and right is None:
                return None
            return (left or Sym.wild(_src(node.left))) + (right or Sym.wild(_src(node.right)))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
                and isinstance(node.left.value, str):
            args = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
            return self._format(re.split(r"%[-#0 +]*\d*(?:\.\d+)?[sdifr]", node.left.value), args, scope, depth)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "format" and isinstance(node.func.value, ast.Constant) \
                    and isinstance(node.func.value.value, str):
                return self._format(re.split(r"\{[^{}]*\}", node.func.value.value), list(node.args), scope, depth)
            if node.func.attr in ("strip", "lower", "upper", "rstrip", "lstrip"):
                return self._sym(node.func.value, scope, depth + 1)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str" and node.args:
            return self._sym(node.args[0], scope, depth + 1)
        if isinstance(node, ast.Name):
            named = scope.get(node.id)
            return named if isinstance(named, Sym) else None
        if isinstance(node, (ast.Subscript, ast.Call, ast.Attribute)):
            computed = self._value(node, scope, depth + 1)
            return computed if isinstance(computed, Sym) else None
        return None

    def _format(self, pieces: list[str], args: list[ast.expr], scope: _Scope, depth: int) -> Sym:
        out = Sym.text(pieces[0])
        for index, piece in enumerate(pieces[1:]):
            arg = args[index] if index < len(args) else None
            out = out + ((self._sym(arg, scope, depth + 1) if arg is not None else None)
                         or Sym.wild(_src(arg) if arg is not None else "format argument")) + Sym.text(piece)
        return out

    def _service_arg(self, call: ast.Call, scope: _Scope) -> str | None:
        node = call.args[0] if call.args else next(
            (k.value for k in call.keywords if k.arg == "service_name"), None)
        sym = self._sym(node, scope) if node is not None else None
        if sym is None or sym.literal is None:
            self._note(scope.module, call.lineno, f"service name {_src(node) if node else '(none)'} "
                       "is not a constant; calls on this client are not known")
            return None
        if not self.catalog.known(sym.literal):
            self._note(scope.module, call.lineno, f"unknown AWS service {sym.literal!r}")
            return None
        return sym.literal

    def _operation_arg(self, service: str, node: ast.expr, scope: _Scope) -> str | None:
        sym = self._sym(node, scope)
        if sym is None or sym.literal is None:
            self._note(scope.module, node.lineno, f"operation name {_src(node)} is not a constant")
            return None
        op = self.catalog.operation(service, sym.literal)
        if op is None:
            self._note(scope.module, node.lineno, f"{service} has no operation {sym.literal!r}")
        return op

    def _kwargs(self, call: ast.Call, scope: _Scope) -> dict[str, Sym]:
        out: dict[str, Sym] = {}
        for keyword in call.keywords:
            if keyword.arg:
                out[keyword.arg] = self._sym(keyword.value, scope) or Sym.wild(_src(keyword.value))
                out.update(self._nested(keyword.arg, keyword.value, scope))
            else:  # **params
                value = self._value(keyword.value, scope)
                if isinstance(value, Literal) and isinstance(value.node, ast.Dict):
                    out.update(self._dict_syms(value.node, value.scope))
        return out

    def _nested(self, prefix: str, node: ast.expr, scope: _Scope) -> dict[str, Sym]:
        """``Entries=[{"EventBusName": X}]`` -> ``{"Entries.EventBusName": X}`` (first element of a list)."""
        value = self._value(node, scope)
        if not isinstance(value, Literal):
            return {}
        inner = value.node
        if isinstance(inner, (ast.List, ast.Tuple)) and inner.elts:
            element = self._value(inner.elts[0], value.scope)
            if not isinstance(element, Literal):
                return {}
            inner, value = element.node, element
        if not isinstance(inner, ast.Dict):
            return {}
        return {f"{prefix}.{k}": v for k, v in self._dict_syms(inner, value.scope).items()}

    def _dict_syms(self, node: ast.Dict, scope: _Scope) -> dict[str, Sym]:
        out: dict[str, Sym] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                out[key.value] = self._sym(value, scope) or Sym.wild(_src(value))
            elif key is None:
                inner = self._value(value, scope)
                if isinstance(inner, Literal) and isinstance(inner.node, ast.Dict):
                    out.update(self._dict_syms(inner.node, inner.scope))
        return out

    def _kwarg_node(self, call: ast.Call, name: str, scope: _Scope) -> tuple[ast.expr, _Scope] | None:
        for keyword in call.keywords:
            if keyword.arg == name:
                value = self._value(keyword.value, scope)
                if isinstance(value, Literal):
                    return value.node, value.scope
                return keyword.value, scope
            if keyword.arg is None:
                value = self._value(keyword.value, scope)
                if isinstance(value, Literal) and isinstance(value.node, ast.Dict):
                    for k, v in zip(value.node.keys, value.node.values, strict=True):
                        if isinstance(k, ast.Constant) and k.value == name:
                            inner = self._value(v, value.scope)
                            return (inner.node, inner.scope) if isinstance(inner, Literal) else (v, value.scope)
        return None

    # -- finding calls -------------------------------------------------------------------
    def _calls_in(self, stmt: ast.stmt, scope: _Scope) -> None:
        nodes = _walk_same_scope(stmt)
        # a function called here is followed with the values of its arguments (in _call_effect);
        # a function only referenced (a callback, a dispatch table entry) is followed without them
        called = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
        for node in nodes:
            if isinstance(node, ast.Call):
                self._call_effect(node, scope)
            elif id(node) in called:
                continue
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                value = scope.get(node.id)
                if isinstance(value, FuncRef):
                    self._enqueue(value, {})
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                if not isinstance(node.value, ast.Call):
                    value = self._attribute(node, scope, 0)
                    if isinstance(value, FuncRef):
                        self._enqueue(value, {} if value.owner is None else self._self_binding(node, value, scope))
                owner = self._value(node.value, scope)
                if isinstance(owner, Res) and node.attr in r3.shape_attributes(owner.service, owner.type):
                    self._resource_load(owner, node, scope)

    def _self_binding(self, node: ast.Attribute, ref: FuncRef, scope: _Scope) -> dict[str, Any]:
        owner = self._value(node.value, scope)
        if isinstance(owner, Instance) and ref.node.args.args:
            return {ref.node.args.args[0].arg: owner}
        return {}

    def _call_effect(self, node: ast.Call, scope: _Scope) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) > 1:
            self._note_dynamic_method(node, scope)
            return
        func = self._value(node.func, scope)
        if isinstance(func, DynamicMethod):
            self._dynamic_call(func, node, scope)
            return
        if isinstance(func, _LazyAttr):
            func = func.resolve()
        if isinstance(func, FuncRef):
            bindings = self._call_bindings(func, node, scope)
            if func.owner is not None and func.node.args.args:
                owner = self._value(node.func.value, scope) if isinstance(node.func, ast.Attribute) else None
                if isinstance(owner, Instance):
                    bindings[func.node.args.args[0].arg] = owner
            self._enqueue(func, bindings)
            return
        if isinstance(func, ClassRef):
            self._enqueue_class(func)
            return
        if not isinstance(node.func, ast.Attribute):
            return
        owner = self._value(node.func.value, scope)
        name = node.func.attr
        if isinstance(owner, Client):
            self._client_call(owner, name, node, scope)
        elif isinstance(owner, Paginator) and name == "paginate":
            self._record(owner.service, owner.operation, self._kwargs(node, scope), node, scope, via="paginator")
        elif isinstance(owner, Waiter) and name == "wait":
            self._record(owner.service, owner.operation, self._kwargs(node, scope), node, scope, via="waiter")
        elif isinstance(owner, (ServiceResource, Res)):
            self._resource_call(owner, name, node, scope)
        elif isinstance(owner, Collection):
            self._collection_call(owner, name, node, scope)
        elif isinstance(owner, BatchWriter) and name in ("put_item", "delete_item"):
            pass  # recorded when the batch writer was created

    # -- operations chosen at run time ----------------------------------------------------
    def _name_candidates(self, node: ast.expr, scope: _Scope, depth: int = 0) -> tuple[str, ...] | None:
        """The method names an expression can take: a literal, one of the literal values of the
        dict/list/tuple it indexes, a loop over literals, either branch of a conditional, or every
        operation whose name starts with a literal prefix (``"put_" + kind``). ``None``: unknown."""
        if depth > MAX_CALL_DEPTH:
            return None
        if isinstance(node, ast.Name) and isinstance(scope.get(node.id), Choice):
            return tuple(scope.get(node.id).names)
        if isinstance(node, ast.IfExp):
            body = self._name_candidates(node.body, scope, depth + 1)
            orelse = self._name_candidates(node.orelse, scope, depth + 1)
            return tuple(dict.fromkeys(body + orelse)) if body is not None and orelse is not None else None
        sym = self._sym(node, scope)
        if sym is not None and sym.literal:
            return (sym.literal,)
        if sym is not None and len(sym.parts) == 1 and isinstance(sym.parts[0], EnvVar):
            var = sym.parts[0]  # os.environ["OP"]: the template's value, else the code's default
            value = self.environment.get(var.name) or (var.default.literal if var.default else None)
            return (value,) if value else None
        if isinstance(node, ast.Subscript):
            container = self._value(node.value, scope)
            if isinstance(container, Literal):
                values = container.node.values if isinstance(container.node, ast.Dict) else getattr(
                    container.node, "elts", [])
                syms = [self._sym(v, container.scope) for v in values]
                names = [s.literal for s in syms if s is not None and s.literal]
                return tuple(dict.fromkeys(names)) if names and len(names) == len(values) else None
        if sym is not None and sym.parts and isinstance(sym.parts[0], str) and sym.parts[0]:
            return (sym.parts[0] + "*",)  # a prefix: expanded against the service's methods
        return None

    def _note_dynamic_method(self, node: ast.Call, scope: _Scope) -> None:
        method = self._value(node, scope)
        if method is None and isinstance(self._value(node.args[0], scope), (ServiceResource, Res)):
            attr = self._sym(node.args[1], scope)
            if attr is None or not attr.literal:
                self._note(scope.module, node.lineno, f"method of a boto3 resource chosen at run time "
                           f"({_src(node)}); its permissions are not generated")
            return
        if not isinstance(method, DynamicMethod) or (method.methods is not None and len(method.methods) == 1
                                                     and not method.methods[0].endswith("*")):
            return
        service = method.client.service
        if method.methods is None:
            granted = f"granting {self.catalog.iam_prefix(service)}:* on the resources its parameters name"
        else:
            granted = "granting the methods it can name: " + ", ".join(self._expand(service, method.methods))
        self._note(scope.module, node.lineno, f"method of the {service} client chosen at run time "
                   f"({method.what}); {granted} (statements marked {REVIEW_SID})")

    def _expand(self, service: str, methods: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for name in methods:
            out.extend(self.catalog.methods_with_prefix(service, name[:-1]) if name.endswith("*") else [name])
        return list(dict.fromkeys(out))

    def _dynamic_call(self, method: DynamicMethod, node: ast.Call, scope: _Scope) -> None:
        service = method.client.service
        if method.methods is not None and len(method.methods) == 1 and not method.methods[0].endswith("*"):
            self._client_call(method.client, method.methods[0], node, scope)  # getattr(s3, "put_object")(...)
            return
        self._dynamic = method.what
        try:
            if method.methods is None:
                prefix = self.catalog.iam_prefix(service)
                self._record(service, "*", self._kwargs(node, scope), node, scope, actions=(f"{prefix}:*",))
            else:
                for name in self._expand(service, method.methods):
                    self._client_call(method.client, name, node, scope)
        finally:
            self._dynamic = ""

    def _client_call(self, client: Client, name: str, node: ast.Call, scope: _Scope) -> None:
        service = client.service
        if name in ("get_paginator", "get_waiter", "can_paginate", "close", "exceptions"):
            return
        if name == "generate_presigned_url":
            method = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "ClientMethod"),
                                                         None)
            if method is None:
                return
            op = self._operation_arg(service, method, scope)
            params: dict[str, Sym] = {}
            found = next((k.value for k in node.keywords if k.arg == "Params"), node.args[1] if len(node.args) > 1
                         else None)
            value = self._value(found, scope) if found is not None else None
            if isinstance(value, Literal) and isinstance(value.node, ast.Dict):
                params = self._dict_syms(value.node, value.scope)
            if op:
                self._record(service, op, params, node, scope, via="presigned URL")
            return
        helper = self.catalog.helper(service, name)
        if helper is not None:
            params = dict(zip(helper.args, [self._sym(a, scope) or Sym.wild(_src(a)) for a in node.args], strict=False))
            params.update(self._kwargs(node, scope))
            self._helper_calls(service, helper, params, node, scope, name)
            return
        op = self.catalog.operation(service, name)
        if op is None:
            if not name.startswith("_") and name not in ("meta",):
                self._note(scope.module, node.lineno, f"{service} client has no operation {name!r}")
            return
        self._operation_call(service, op, node, scope)

    def _helper_calls(self, service: str, helper: Any, params: dict[str, Sym], node: ast.Call, scope: _Scope,
                      name: str) -> None:
        if "CopySource" in params or name == "copy":
            params.setdefault("CopySource", self._copy_source(node, scope))
        for op in helper.operations:
            self._record(service, op, params, node, scope, via=name, extra=helper.extra)

    def _copy_source(self, node: ast.Call, scope: _Scope) -> Sym:
        found = self._kwarg_node(node, "CopySource", scope)
        if found is None and node.args:
            value = self._value(node.args[0], scope)
            found = (value.node, value.scope) if isinstance(value, Literal) else (node.args[0], scope)
        if found is None:
            return Sym.wild("CopySource")
        source, source_scope = found
        if isinstance(source, ast.Dict):
            parts = self._dict_syms(source, source_scope)
            return parts.get("Bucket", Sym.wild("CopySource.Bucket")) + Sym.text("/") + \
                parts.get("Key", Sym.wild("CopySource.Key"))
        return self._sym(source, source_scope) or Sym.wild(_src(source))

    def _operation_call(self, service: str, op: str, node: ast.Call, scope: _Scope,
                        base: dict[str, Sym] | None = None) -> None:
        params = dict(base or {})
        params.update(self._kwargs(node, scope))
        if service == "s3" and op in ("CopyObject", "UploadPartCopy"):
            params["CopySource"] = self._copy_source(node, scope)
        if service == "dynamodb" and op in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"):
            self._partiql(op, node, scope)
            return
        if service == "dynamodb" and op in ("TransactWriteItems", "TransactGetItems") \
                and self._transaction(op, node, scope):
            return
        if service == "dynamodb" and op in ("BatchWriteItem", "BatchGetItem") and "TableName" not in params:
            tables = self._request_item_tables(node, scope)
            if tables:
                for table in tables:
                    self._record(service, op, {"TableName": table}, node, scope)
                return
        self._record(service, op, params, node, scope)

    def _request_item_tables(self, node: ast.Call, scope: _Scope) -> list[Sym]:
        found = self._kwarg_node(node, "RequestItems", scope)
        if found is None or not isinstance(found[0], ast.Dict):
            return []
        return [self._sym(k, found[1]) or Sym.wild("RequestItems key") for k in found[0].keys if k is not None]

    def _transaction(self, op: str, node: ast.Call, scope: _Scope) -> bool:
        found = self._kwarg_node(node, "TransactItems", scope)
        if found is None or not isinstance(found[0], (ast.List, ast.Tuple)):
            return False
        items, item_scope = found
        assert isinstance(items, (ast.List, ast.Tuple))
        kinds = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem",
                 "ConditionCheck": "dynamodb:ConditionCheckItem", "Get": "dynamodb:GetItem"}
        recorded = False
        for element in items.elts:
            value = self._value(element, item_scope)
            if not (isinstance(value, Literal) and isinstance(value.node, ast.Dict)):
                return recorded
            for key, inner in zip(value.node.keys, value.node.values, strict=True):
                if not (isinstance(key, ast.Constant) and key.value in kinds):
                    continue
                inner_value = self._value(inner, value.scope)
                table = Sym.wild("TransactItems TableName")
                if isinstance(inner_value, Literal) and isinstance(inner_value.node, ast.Dict):
                    table = self._dict_syms(inner_value.node, inner_value.scope).get("TableName", table)
                self._record("dynamodb", op, {"TableName": table}, node, scope, actions=(kinds[key.value],))
                recorded = True
        return recorded

    def _partiql(self, op: str, node: ast.Call, scope: _Scope) -> None:
        statements: list[Sym] = []
        if op == "ExecuteStatement":
            found = self._kwarg_node(node, "Statement", scope)
            statements.append(self._sym(found[0], found[1]) or Sym.wild("Statement") if found else Sym.wild(
                "Statement"))
        else:
            key = "Statements" if op == "BatchExecuteStatement" else "TransactStatements"
            found = self._kwarg_node(node, key, scope)
            if found and isinstance(found[0], (ast.List, ast.Tuple)):
                for element in found[0].elts:
                    value = self._value(element, found[1])
                    if isinstance(value, Literal) and isinstance(value.node, ast.Dict):
                        statements.append(self._dict_syms(value.node, value.scope).get("Statement",
                                                                                       Sym.wild("Statement")))
            if not statements:
                statements.append(Sym.wild(key))
        for statement in statements:
            actions, table = partiql_actions(statement)
            self._record("dynamodb", op, {"TableName": table}, node, scope, actions=actions)

    def _resource_call(self, owner: ServiceResource | Res, name: str, node: ast.Call, scope: _Scope) -> None:
        rtype = owner.type if isinstance(owner, Res) else None
        if isinstance(owner, Res) and owner.service == "s3":
            helper = self.catalog.helper("s3", name)
            if helper is not None:
                self._s3_resource_helper(owner, name, helper, node, scope)
                return
        if isinstance(owner, Res) and owner.service == "dynamodb" and name == "batch_writer":
            self._record("dynamodb", "BatchWriteItem", {"TableName": owner.id("Name")}, node, scope,
                         via="batch_writer")
            return
        member = r3.member(owner.service, rtype, name)
        if member is None or member.request is None:
            if member is None and isinstance(owner, ServiceResource):
                op = self.catalog.operation(owner.service, name)
                if op:
                    self._operation_call(owner.service, op, node, scope)
            return
        if owner.service == "sqs" and name == "get_queue_by_name":
            queue = self._kwargs(node, scope).get("QueueName", Sym.wild("QueueName"))
            self._record("sqs", "GetQueueUrl", {"QueueName": queue}, node, scope)
            return
        self._record_request(owner.service, member.request, owner if isinstance(owner, Res) else None,
                             self._kwargs(node, scope), node, scope, via=f"resource {name}",
                             waiter=member.kind == "waiter")

    def _s3_resource_helper(self, owner: Res, name: str, helper: Any, node: ast.Call, scope: _Scope) -> None:
        ids = dict(owner.ids)
        params: dict[str, Sym] = {"Bucket": ids.get("Name", ids.get("BucketName", Sym.wild("Bucket")))}
        if "Key" in ids:
            params["Key"] = ids["Key"]
        free = [a for a in helper.args if a not in params]
        params.update(dict(zip(free, [self._sym(a, scope) or Sym.wild(_src(a)) for a in node.args], strict=False)))
        params.update(self._kwargs(node, scope))
        self._helper_calls("s3", helper, params, node, scope, name)

    def _record_request(self, service: str, request: r3.Request, res: Res | None, kwargs: dict[str, Sym],
                        node: ast.AST, scope: _Scope, via: str = "", waiter: bool = False) -> None:
        op: str | None = request.operation
        if waiter:
            op = self.catalog.waiter_operation(service, request.operation)
        if not op:
            return
        params = {target: (res.id(name) if res else Sym.wild(name)) for target, name in request.params}
        params.update({target: Sym.text(value) for target, value in request.literal_params})
        params.update(kwargs)
        if service == "s3" and op == "CopyObject" and isinstance(node, ast.Call):
            params["CopySource"] = self._copy_source(node, scope)
        self._record(service, op, params, node, scope, via=via)

    def _collection_call(self, owner: Collection, name: str, node: ast.Call, scope: _Scope) -> None:
        if owner.request is not None and name in ("all", "filter", "limit", "page_size", "pages"):
            self._record_request(owner.service, owner.request, owner.parent, self._kwargs(node, scope), node, scope,
                                 via="collection")
            return
        if owner.item_type is None:
            return
        member = r3.batch_member(owner.service, owner.item_type, name)
        if member is not None and member.request is not None:
            if owner.request is not None:
                self._record_request(owner.service, owner.request, owner.parent, {}, node, scope, via="collection")
            item = self._item(owner)
            params = {target: item.id(source) for target, source in member.request.params}
            self._record(owner.service, member.request.operation, params, node, scope, via=f"batch {name}")

    def _item(self, collection: Collection) -> Res:
        """One item of a collection: identifiers from the parent, or from the response (run time)."""
        parent = dict(collection.parent.ids) if collection.parent is not None else {}
        item_type = collection.item_type or "item"
        ids = tuple((target, parent.get(source, Sym.wild(f"{item_type}.{target}")) if source != "response"
                     else Sym.wild(f"{item_type}.{target}")) for target, source in collection.item_ids)
        return Res(collection.service, item_type, ids)

    def _record(self, service: str, operation: str, params: dict[str, Sym], node: ast.AST, scope: _Scope,
                via: str = "", extra: tuple[str, ...] = (), actions: tuple[str, ...] | None = None) -> None:
        self.report.calls.append(ApiCall(
            service=service, operation=operation, params=params, file=scope.module.rel,
            line=getattr(node, "lineno", 0), actions=actions, extra_actions=tuple(extra), via=via,
            dynamic=self._dynamic))

    def _note(self, module: _Module, line: int, message: str) -> None:
        note = Note(module.rel, line, message)
        if note not in self.report.notes:
            self.report.notes.append(note)


@dataclass(frozen=True, slots=True)
class _SessionClass:
    pass


@dataclass(frozen=True, slots=True)
class _Meta:
    of: Client | ServiceResource | Res


@dataclass(frozen=True, slots=True)
class _LazyAttr:
    """``from local_module import name``: resolved when used, after the module is loaded."""

    module: _Module
    name: str

    def resolve(self) -> Any:
        return self.module.names.get(self.name)


_PARTIQL_VERBS = {"SELECT": "dynamodb:PartiQLSelect", "INSERT": "dynamodb:PartiQLInsert",
                  "UPDATE": "dynamodb:PartiQLUpdate", "DELETE": "dynamodb:PartiQLDelete",
                  "EXISTS": "dynamodb:PartiQLSelect"}
_PARTIQL_TABLE = re.compile(
    r"""^\s*(?:SELECT\s.+?\sFROM|INSERT\s+INTO|UPDATE|DELETE\s+FROM|EXISTS\s*\(\s*SELECT\s.+?\sFROM)\s+"?([^\s".]+)""",
    re.IGNORECASE | re.DOTALL)


def partiql_actions(statement: Sym) -> tuple[tuple[str, ...], Sym]:
    """The PartiQL action a statement needs (by its verb) and the table it names."""
    text = "".join(p if isinstance(p, str) else "\0" for p in statement.parts)
    verb = text.lstrip().split(" ", 1)[0].upper() if text.strip() else ""
    if verb in _PARTIQL_VERBS and "\0" not in text.lstrip()[: len(verb)]:
        actions: tuple[str, ...] = (_PARTIQL_VERBS[verb],)
    else:
        actions = tuple(sorted(set(_PARTIQL_VERBS.values())))
    match = _PARTIQL_TABLE.match(text)
    if match and "\0" not in match.group(1):
        return actions, Sym.text(match.group(1))
    # the table name is (partly) dynamic: keep the symbolic piece after FROM/INTO/UPDATE when there is one
    dynamic = re.match(r"^\s*(?:SELECT\s.+?\sFROM|INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?", text,
                       re.IGNORECASE | re.DOTALL)
    if dynamic:
        start = dynamic.end()
        return actions, _slice_sym(statement, start)
    return actions, Sym.wild("PartiQL table")


def _slice_sym(sym: Sym, start: int) -> Sym:
    """The part of ``sym`` from character ``start`` up to the next space or quote (a table name)."""
    out = Sym()
    position = 0
    for part in sym.parts:
        width = len(part) if isinstance(part, str) else 1
        if position + width <= start:
            position += width
            continue
        if isinstance(part, str):
            piece = part[max(0, start - position):]
            stop = re.search(r"[\s\"]", piece)
            out = out + Sym.text(piece[: stop.start()] if stop else piece)
            if stop:
                return out
        else:
            out = out + Sym((part,))
        position += width
    return out


@functools.lru_cache(maxsize=512)
def _parse(path: str, mtime_ns: int, size: int, rel: str) -> ast.Module:
    """Parse once per file version: functions of one project often share their modules.
    The analyser never mutates the tree, so sharing it between analyses is safe."""
    source = Path(path).read_text(encoding="utf-8", errors="replace")
    return ast.parse(source, filename=rel)


def _unique(calls: list[ApiCall]) -> list[ApiCall]:
    seen: set[str] = set()
    out: list[ApiCall] = []
    for call in calls:
        key = repr((call.file, call.line, call.service, call.operation, sorted(call.params.items()), call.actions))
        if key not in seen:
            seen.add(key)
            out.append(call)
    return out


def _binding_key(bindings: dict[str, Any]) -> str:
    def describe(value: Any) -> str:
        if isinstance(value, Sym):
            return value.describe()
        return f"{type(value).__name__}:{getattr(value, 'service', '')}:{getattr(value, 'ids', '')}"

    return ";".join(f"{k}={describe(v)}" for k, v in sorted(bindings.items()))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _walk_same_scope(node: ast.AST) -> list[ast.AST]:
    """Nodes of ``node`` in source order, not descending into nested function or class bodies
    (lambdas and comprehensions are part of the enclosing scope)."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        children = list(ast.iter_child_nodes(current))
        if current is not node and isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        stack.extend(reversed(children))
    return out


def analyze_python(code_root: Path, handler_file: Path, function_name: str | None,
                   display_root: Path | None = None, environment: dict[str, str] | None = None) -> CodeReport:
    """Every AWS API call reachable from ``function_name`` in ``handler_file``."""
    return PythonAnalyzer(code_root, display_root=display_root, environment=environment).analyze(
        handler_file, function_name)
