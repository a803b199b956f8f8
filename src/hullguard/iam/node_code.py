"""Node.js code analysis (tree-sitter): AWS SDK for JavaScript v2 and v3 calls a handler can reach.

- v2: ``require('aws-sdk')`` / ``import AWS from 'aws-sdk'`` / ``require('aws-sdk/clients/s3')``;
  ``new AWS.S3()``, ``new AWS.DynamoDB.DocumentClient()``; ``s3.getObject(params).promise()``,
  managed ``s3.upload``, ``getSignedUrl``.
- v3: ``@aws-sdk/client-*`` commands (``new PutObjectCommand(params)``, wherever it is sent or
  presigned), aggregated clients (``new S3().putObject``), paginators (``paginateListObjectsV2``),
  ``@aws-sdk/lib-dynamodb`` document commands, ``@aws-sdk/lib-storage`` ``Upload``.

Names are tracked per file, flow-insensitively. Reachability: from the exported handler, the
top-level functions it references (transitively), plus every top-level statement; locally
required files (``require('./lib/db')``) are analysed the same way for the names taken from them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullguard.iam.calls import MAX_FILES, ApiCall, CodeReport, EnvVar, Note, Sym, display_path, stat_if_small
from hullguard.iam.operations import ServiceCatalog, catalog

JS_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")

# @aws-sdk/lib-dynamodb document commands -> DynamoDB operations
DOC_COMMANDS = {
    "Get": "GetItem", "Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "Query": "Query",
    "Scan": "Scan", "BatchGet": "BatchGetItem", "BatchWrite": "BatchWriteItem", "TransactGet": "TransactGetItems",
    "TransactWrite": "TransactWriteItems", "ExecuteStatement": "ExecuteStatement",
    "BatchExecuteStatement": "BatchExecuteStatement", "ExecuteTransaction": "ExecuteTransaction",
}
# aws-sdk v2 DocumentClient / v3 DynamoDBDocument methods
DOC_METHODS = {
    "get": "GetItem", "put": "PutItem", "update": "UpdateItem", "delete": "DeleteItem", "query": "Query",
    "scan": "Scan", "batchGet": "BatchGetItem", "batchWrite": "BatchWriteItem", "transactGet": "TransactGetItems",
    "transactWrite": "TransactWriteItems", "executeStatement": "ExecuteStatement",
    "batchExecuteStatement": "BatchExecuteStatement", "executeTransaction": "ExecuteTransaction",
}


@functools.cache
def _parser() -> Any:
    import tree_sitter_javascript
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_javascript.language()))


@functools.lru_cache(maxsize=512)
def _parse(source: bytes) -> Any:
    """One tree per file content: functions of one project often share their modules."""
    return _parser().parse(source)


# -- values --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SdkV2:
    """The ``aws-sdk`` module object."""


@dataclass(frozen=True, slots=True)
class ClassOf:
    """A client class: v2 ``AWS.S3``, v3 ``S3Client`` / aggregated ``S3``; ``document`` for DynamoDB docs."""

    service: str
    style: str  # "v2", "v3", "v3agg"
    document: bool = False


@dataclass(frozen=True, slots=True)
class ClientOf:
    service: str
    style: str
    document: bool = False


@dataclass(frozen=True, slots=True)
class V3Symbol:
    """Something imported from an @aws-sdk package: a Command, a paginator, a helper."""

    package: str  # "client-s3", "lib-dynamodb", "lib-storage", "s3-request-presigner"
    name: str


@dataclass(frozen=True, slots=True)
class DynamicClient:
    """``new AWS[name]()`` with ``name`` chosen at run time: a client of each candidate service."""

    clients: tuple[ClientOf, ...]
    what: str


@dataclass(frozen=True, slots=True)
class EnvObject:
    """``process.env``."""


@dataclass(frozen=True, slots=True)
class ObjectNode:
    node: Any
    file: _File


@dataclass(eq=False, slots=True)
class _File:
    path: Path
    rel: str
    tree: Any
    source: bytes
    names: dict[str, Any] = field(default_factory=dict)
    definitions: dict[str, list[Any]] = field(default_factory=dict)  # top-level function-ish name -> nodes
    exports: dict[str, str] = field(default_factory=dict)  # exported name -> local name
    reachable: list[Any] = field(default_factory=list)
    seen_defs: set[tuple[int, int, str]] = field(default_factory=set)
    analysed_all: bool = False


def _text(node: Any) -> str:
    return str(node.text.decode("utf-8", errors="replace"))


def _string_value(node: Any) -> str | None:
    if node is not None and node.type == "string":
        return "".join(_text(c) for c in node.named_children if c.type in ("string_fragment", "escape_sequence"))
    return None


def _short(node: Any) -> str:
    text = " ".join(_text(node).split())
    return text if len(text) <= 60 else text[:59] + "…"


REVIEW_SID = "ReviewInferred*"


class NodeAnalyzer:
    def __init__(self, code_root: Path, services: ServiceCatalog | None = None, display_root: Path | None = None,
                 environment: dict[str, str] | None = None):
        self.root = code_root
        self.environment = environment or {}  # the template's literal values, to narrow dynamic names
        self._dynamic = ""  # set while recording the calls of a client whose service was chosen at run time
        self.display_root = display_root or code_root
        self.catalog = services or catalog()
        self.files: dict[Path, _File | None] = {}
        self.report = CodeReport()
        self._recorded: set[tuple[str, int, int]] = set()

    # -- entry -----------------------------------------------------------------------------
    def analyze(self, handler_file: Path, export_name: str | None) -> CodeReport:
        file = self._load(handler_file)
        if file is None:
            return self.report
        entry = file.exports.get(export_name or "", export_name or "")
        if export_name and entry not in file.definitions:
            self._note(file, 1, f"handler export {export_name!r} not found; analysing the whole file")
            self._reach_all(file)
        elif export_name:
            self._reach(file, [entry])
        else:
            self._reach_all(file)
        return self.report

    # -- loading ---------------------------------------------------------------------------
    def _load(self, path: Path) -> _File | None:
        path = path.resolve()
        if path in self.files:
            return self.files[path]
        self.files[path] = None
        if len(self.files) > MAX_FILES:
            return None
        rel = display_path(path, self.display_root)
        try:
            if stat_if_small(path, rel, self.report) is None:
                return None
            source = path.read_bytes()
        except OSError as exc:
            self.report.notes.append(Note(rel, 1, f"cannot be read: {exc.strerror}"))
            return None
        tree = _parse(source)
        file = _File(path, rel, tree, source)
        self.files[path] = file
        self.report.files.append(rel)
        error = _first_error(tree.root_node)
        if error is not None:
            self.report.notes.append(Note(rel, error.start_point[0] + 1,
                                          "does not parse cleanly; the rest of the file is still analysed"))
        self._collect(file)
        return file

    def _collect(self, file: _File) -> None:
        root = file.tree.root_node
        for stmt in root.named_children:
            self._definitions(file, stmt)
        for _ in range(2):  # twice: a constant may be declared after the code that uses it
            for node in _walk(root):
                self._bind(file, node)

    def _definitions(self, file: _File, stmt: Any) -> None:
        node = stmt.named_children[0] if stmt.type == "export_statement" and stmt.named_children else stmt
        if stmt.type == "export_statement" and node is not None and node.type in (
                "function_declaration", "generator_function_declaration", "class_declaration"):
            name = node.child_by_field_name("name")
            if name is not None:
                file.exports[_text(name)] = _text(name)
        if node.type in ("function_declaration", "generator_function_declaration", "class_declaration"):
            name = node.child_by_field_name("name")
            if name is not None:
                file.definitions.setdefault(_text(name), []).append(node)
        elif node.type in ("lexical_declaration", "variable_declaration"):
            for declarator in node.named_children:
                name = declarator.child_by_field_name("name")
                value = declarator.child_by_field_name("value")
                if name is not None and name.type == "identifier" and value is not None and value.type in (
                        "arrow_function", "function_expression", "function", "class", "call_expression"):
                    file.definitions.setdefault(_text(name), []).append(value)
                    if stmt.type == "export_statement":
                        file.exports[_text(name)] = _text(name)
        elif node.type == "expression_statement" and node.named_children:
            expr = node.named_children[0]
            if expr.type == "assignment_expression":
                left = expr.child_by_field_name("left")
                right = expr.child_by_field_name("right")
                exported = _export_name(left)
                if exported and right is not None:
                    if right.type == "identifier":
                        file.exports[exported] = _text(right)
                    else:
                        local = f"<export {exported}>"
                        file.definitions.setdefault(local, []).append(right)
                        file.exports[exported] = local
                elif left is not None and _text(left) == "module.exports" and right is not None \
                        and right.type == "object":
                    for prop in right.named_children:
                        self._export_property(file, prop)

    def _export_property(self, file: _File, prop: Any) -> None:
        if prop.type == "shorthand_property_identifier":
            file.exports[_text(prop)] = _text(prop)
        elif prop.type == "pair":
            key = prop.child_by_field_name("key")
            value = prop.child_by_field_name("value")
            if key is None or value is None:
                return
            key_text = _string_value(key) or _text(key)
            if value.type == "identifier":
                file.exports[key_text] = _text(value)
            else:
                local = f"<export {key_text}>"
                file.definitions.setdefault(local, []).append(value)
                file.exports[key_text] = local
        elif prop.type == "method_definition":
            name = prop.child_by_field_name("name")
            if name is not None:
                file.definitions.setdefault(_text(name), []).append(prop)
                file.exports[_text(name)] = _text(name)

    # -- reachability ------------------------------------------------------------------------
    def _reach_all(self, file: _File) -> None:
        if file.analysed_all:
            return
        file.analysed_all = True
        self._record_calls_in(file, file.tree.root_node)

    def _reach(self, file: _File, names: list[str]) -> None:
        if file.analysed_all:
            return
        work: list[Any] = []
        if not file.reachable:  # top-level statements run on import
            defined = {_key(n) for nodes in file.definitions.values() for n in nodes}
            for stmt in file.tree.root_node.named_children:
                if not _is_definition(stmt, defined):
                    file.reachable.append(stmt)
                    work.append(stmt)
        for name in names:
            for node in file.definitions.get(name, []):
                if _key(node) not in file.seen_defs:
                    file.seen_defs.add(_key(node))
                    work.append(node)
        while work:
            node = work.pop()
            self._record_calls_in(file, node)
            for ident in _walk(node):
                if ident.type in ("identifier", "shorthand_property_identifier"):
                    for target in file.definitions.get(_text(ident), []):
                        if _key(target) not in file.seen_defs:
                            file.seen_defs.add(_key(target))
                            work.append(target)

    # -- binding -------------------------------------------------------------------------
    def _bind(self, file: _File, node: Any) -> None:
        if node.type == "variable_declarator":
            name = node.child_by_field_name("name")
            value = node.child_by_field_name("value")
            if name is None or value is None:
                return
            if name.type == "identifier":
                self._set(file, _text(name), self._value(file, value))
            elif name.type == "object_pattern":
                self._destructure(file, name, value)
        elif node.type == "assignment_expression":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is not None and right is not None and left.type in ("identifier", "member_expression"):
                self._set(file, _text(left), self._value(file, right))
        elif node.type == "import_statement":
            self._import(file, node)
        elif node.type == "public_field_definition":
            name = node.child_by_field_name("property")
            value = node.child_by_field_name("value")
            if name is not None and value is not None:
                self._set(file, f"this.{_text(name)}", self._value(file, value))

    def _set(self, file: _File, name: str, value: Any) -> None:
        if value is not None:
            file.names[name] = value

    def _import(self, file: _File, node: Any) -> None:
        source = _string_value(node.child_by_field_name("source"))
        if source is None:
            return
        clause = next((c for c in node.named_children if c.type == "import_clause"), None)
        if clause is None:
            return
        for part in clause.named_children:
            if part.type == "identifier":  # default import
                self._set(file, _text(part), self._module_value(file, source, None, node.start_point[0] + 1))
            elif part.type == "namespace_import":
                ident = next((c for c in part.named_children if c.type == "identifier"), None)
                if ident is not None:
                    self._set(file, _text(ident), self._module_value(file, source, None, node.start_point[0] + 1))
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    original = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or original
                    if original is not None and alias is not None:
                        self._set(file, _text(alias), self._module_value(file, source, _text(original),
                                                                         node.start_point[0] + 1))

    def _destructure(self, file: _File, pattern: Any, value: Any) -> None:
        source = _require_source(value)
        for prop in pattern.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                original = local = _text(prop)
            elif prop.type == "pair_pattern":
                key = prop.child_by_field_name("key")
                val = prop.child_by_field_name("value")
                if key is None or val is None or val.type != "identifier":
                    continue
                original, local = _text(key), _text(val)
            else:
                continue
            if source is not None:
                self._set(file, local, self._module_value(file, source, original, value.start_point[0] + 1))
            else:
                base = self._value(file, value)
                self._set(file, local, self._member(file, base, original, value))

    def _module_value(self, file: _File, source: str, name: str | None, line: int = 1) -> Any:
        if source == "aws-sdk" or source == "aws-sdk/global":
            return SdkV2() if name is None or name == "default" else self._v2_class(name)
        if source.startswith("aws-sdk/clients/"):
            service = self.catalog.service_for_sdk_name(source.rsplit("/", 1)[1])
            if service is None:
                return None
            if name == "DocumentClient":
                return ClassOf(service, "v2", document=True)
            return ClassOf(service, "v2")
        if source.startswith("@aws-sdk/"):
            package = source.split("/", 1)[1]
            if package.startswith("client-") and self.catalog.service_for_sdk_name(package[len("client-"):]) is None:
                self._note(file, line, f"unknown AWS service package {source!r}; its calls are not known")
                return None
            if name is None:
                return V3Namespace(package)
            return self._v3_symbol(package, name)
        if source.startswith("."):
            target = self._resolve_local(file, source)
            if target is None:
                return None
            loaded = self._load(target)
            if loaded is None:
                return None
            if name is None:
                self._reach(loaded, list(loaded.exports.values()) or list(loaded.definitions))
                return LocalModule(loaded)
            local = loaded.exports.get(name, name)
            self._reach(loaded, [local])
            return loaded.names.get(local) or LocalFunction(loaded, local)
        return None

    def _v2_class(self, name: str) -> ClassOf | None:
        service = self.catalog.service_for_sdk_name(name)
        return ClassOf(service, "v2") if service else None  # AWS.config, AWS.Endpoint...: not services

    def _v3_symbol(self, package: str, name: str) -> Any:
        if package.startswith("client-"):
            service = self.catalog.service_for_sdk_name(package[len("client-"):])
            if service is None:
                return None
            if name.endswith("Client"):
                return ClassOf(service, "v3")
            if name.endswith("Command") or name.startswith("paginate"):
                return V3Symbol(package, name)
            if self.catalog.service_for_sdk_name(name) == service:
                return ClassOf(service, "v3agg")
            return None
        if package == "lib-dynamodb":
            if name == "DynamoDBDocumentClient":
                return ClassOf("dynamodb", "v3", document=True)
            if name == "DynamoDBDocument":
                return ClassOf("dynamodb", "v3agg", document=True)
            return V3Symbol(package, name)
        if package in ("lib-storage", "s3-request-presigner"):
            return V3Symbol(package, name)
        return None

    def _resolve_local(self, file: _File, source: str) -> Path | None:
        base = (file.path.parent / source).resolve()
        candidates = [base, *(base.with_name(base.name + s) for s in JS_SUFFIXES),
                      *(base / f"index{s}" for s in JS_SUFFIXES)]
        for candidate in candidates:
            if candidate.is_file():
                try:
                    candidate.relative_to(self.root.resolve())
                except ValueError:
                    return None
                return candidate
        return None

    # -- evaluation --------------------------------------------------------------------------
    def _value(self, file: _File, node: Any, depth: int = 0) -> Any:
        if node is None or depth > 12:
            return None
        kind = node.type
        if kind == "identifier":
            return file.names.get(_text(node))
        if kind in ("parenthesized_expression", "await_expression"):
            return self._value(file, node.named_children[-1] if node.named_children else None, depth + 1)
        if kind == "call_expression":
            callee = node.child_by_field_name("function")
            if callee is not None and callee.type == "identifier" and _text(callee) == "require":
                source = _string_value(_first_arg(node))
                return self._module_value(file, source, None, node.start_point[0] + 1) if source else None
            if callee is not None and callee.type == "member_expression":
                prop = callee.child_by_field_name("property")
                obj = self._value(file, callee.child_by_field_name("object"), depth + 1)
                if prop is not None and _text(prop) == "from" and isinstance(obj, ClassOf) and obj.document:
                    return ClientOf(obj.service, obj.style, True)
                if prop is not None and _text(prop) == "promise":
                    return None
                req = callee.child_by_field_name("object")
                if req is not None and req.type == "call_expression":  # require('aws-sdk').S3
                    return None
            return None
        if kind == "new_expression":
            ctor_node = node.child_by_field_name("constructor")
            if ctor_node is not None and ctor_node.type == "subscript_expression" and isinstance(
                    self._value(file, ctor_node.child_by_field_name("object"), depth + 1), SdkV2):
                return self._dynamic_client(file, node, ctor_node.child_by_field_name("index"))
            ctor = self._value(file, ctor_node, depth + 1)
            if isinstance(ctor, ClassOf):
                return ClientOf(ctor.service, ctor.style, ctor.document)
            return None
        if kind == "member_expression":
            text = _text(node)
            if text in file.names:
                return file.names[text]
            obj_node = node.child_by_field_name("object")
            prop = node.child_by_field_name("property")
            obj = self._value(file, obj_node, depth + 1)
            if obj is None and obj_node is not None and obj_node.type == "call_expression":
                callee = obj_node.child_by_field_name("function")
                if callee is not None and _text(callee) == "require":
                    source = _string_value(_first_arg(obj_node))
                    if source and prop is not None:
                        return self._module_value(file, source, _text(prop))
            return self._member(file, obj, _text(prop) if prop is not None else "", node)
        if kind == "subscript_expression":
            obj = self._value(file, node.child_by_field_name("object"), depth + 1)
            index = self._sym(file, node.child_by_field_name("index"), depth + 1)
            if isinstance(obj, EnvObject) and index is not None and index.literal:
                return Sym.env(index.literal)
            return None
        if kind in ("object", "array"):
            return ObjectNode(node, file)
        sym = self._sym(file, node, depth + 1)
        return sym if sym is not None and not (sym.is_wild and len(sym.parts) == 1) else None

    def _dynamic_client(self, file: _File, node: Any, index: Any) -> DynamicClient | None:
        names = self._name_candidates(file, index)
        classes = [c for c in (self._v2_class(n) for n in names or ()) if c is not None]
        line = node.start_point[0] + 1
        if not classes:
            self._note(file, line, f"AWS service chosen at run time ({_short(node)}) from values that cannot be "
                       "known; nothing is granted for calls on this client: add them by hand")
            return None
        listed = ", ".join(dict.fromkeys(c.service for c in classes))
        self._note(file, line, f"AWS service chosen at run time ({_short(node)}); granting its calls on the "
                   f"candidate services: {listed} (statements marked {REVIEW_SID})")
        return DynamicClient(tuple(ClientOf(c.service, c.style, c.document) for c in classes), _short(node))

    def _name_candidates(self, file: _File, node: Any, depth: int = 0) -> list[str] | None:
        """The strings an expression can take: a literal, an environment variable's template value
        (else the code's default), either branch of a conditional, or any literal value of the
        object/array it indexes. ``None`` when they cannot be known."""
        if node is None or depth > 12:
            return None
        if node.type == "parenthesized_expression" and node.named_children:
            return self._name_candidates(file, node.named_children[0], depth + 1)
        if node.type == "ternary_expression":
            both = [self._name_candidates(file, node.child_by_field_name(f), depth + 1)
                    for f in ("consequence", "alternative")]
            return None if None in both else list(dict.fromkeys(n for names in both for n in names or ()))
        sym = self._sym(file, node, depth + 1)
        if sym is not None and sym.literal:
            return [sym.literal]
        if sym is not None and len(sym.parts) == 1 and isinstance(sym.parts[0], EnvVar):
            var = sym.parts[0]
            value = self.environment.get(var.name) or (var.default.literal if var.default else None)
            return [value] if value else None
        if node.type == "subscript_expression":
            container = self._value(file, node.child_by_field_name("object"), depth + 1)
            if isinstance(container, ObjectNode) and container.node.type in ("object", "array"):
                values = [c.child_by_field_name("value") if c.type == "pair" else c
                          for c in container.node.named_children if c.type != "comment"]
                names = [self._sym(container.file, v, depth + 1) for v in values]
                literal = [s.literal for s in names if s is not None and s.literal]
                return literal if literal and len(literal) == len(values) else None
        return None

    def _member(self, file: _File, obj: Any, name: str, node: Any) -> Any:
        if _text(node).startswith("process.env") and name == "env":
            return EnvObject()
        if isinstance(obj, EnvObject):
            return Sym.env(name)
        if isinstance(obj, SdkV2):
            return self._v2_class(name)
        if isinstance(obj, ClassOf) and obj.style == "v2" and name == "DocumentClient":
            return ClassOf(obj.service, "v2", document=True)
        if isinstance(obj, V3Namespace):
            return self._v3_symbol(obj.package, name)
        if isinstance(obj, LocalModule):
            local = obj.file.exports.get(name, name)
            self._reach(obj.file, [local])
            return obj.file.names.get(local)
        if isinstance(obj, ObjectNode):
            value = _object_get(obj.node, name)
            return self._value(obj.file, value) if value is not None else None
        return None

    def _sym(self, file: _File, node: Any, depth: int = 0) -> Sym | None:
        if node is None or depth > 12:
            return None
        kind = node.type
        if kind == "string":
            return Sym.text(_string_value(node) or "")
        if kind == "number":
            return Sym.text(_text(node))
        if kind == "template_string":
            out = Sym()
            for child in node.named_children:
                if child.type == "string_fragment":
                    out = out + Sym.text(_text(child))
                elif child.type == "template_substitution":
                    inner = child.named_children[0] if child.named_children else None
                    out = out + (self._sym(file, inner, depth + 1) or Sym.wild(_short(inner) if inner else "${}"))
                elif child.type == "escape_sequence":
                    out = out + Sym.text(_text(child))
            return out
        if kind == "binary_expression":
            op = node.child_by_field_name("operator")
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            operator = _text(op) if op is not None else ""
            if operator == "+":
                lsym = self._sym(file, left, depth + 1)
                rsym = self._sym(file, right, depth + 1)
                if lsym is None and rsym is None:
                    return None
                return (lsym or Sym.wild(_short(left))) + (rsym or Sym.wild(_short(right)))
            if operator in ("||", "??"):
                lsym = self._sym(file, left, depth + 1)
                rsym = self._sym(file, right, depth + 1)
                if lsym is not None and len(lsym.parts) == 1 and lsym.parts[0].__class__.__name__ == "EnvVar":
                    return Sym.env(lsym.parts[0].name, rsym)  # type: ignore[union-attr]
                return lsym or rsym
            return None
        if kind in ("parenthesized_expression",):
            return self._sym(file, node.named_children[0] if node.named_children else None, depth + 1)
        if kind in ("identifier", "member_expression", "subscript_expression"):
            value = self._value(file, node, depth + 1)
            return value if isinstance(value, Sym) else None
        if kind == "call_expression":
            callee = node.child_by_field_name("function")
            if callee is not None and callee.type == "member_expression":
                prop = callee.child_by_field_name("property")
                if prop is not None and _text(prop) in ("toLowerCase", "toUpperCase", "trim", "toString"):
                    return self._sym(file, callee.child_by_field_name("object"), depth + 1)
        return None

    def _params(self, file: _File, node: Any, depth: int = 0) -> dict[str, Sym]:
        """A params object literal (or a name bound to one) as request params."""
        value = self._value(file, node) if node is not None else None
        if not isinstance(value, ObjectNode):
            return {}
        out: dict[str, Sym] = {}
        for prop in value.node.named_children:
            if prop.type == "pair":
                key = prop.child_by_field_name("key")
                val = prop.child_by_field_name("value")
                if key is None or val is None:
                    continue
                key_text = _string_value(key) or _text(key)
                out[key_text] = self._sym(value.file, val) or Sym.wild(_short(val))
                nested = val.named_children[0] if val.type == "array" and val.named_children else val
                if nested.type in ("object", "identifier") and depth < 1:
                    inner = self._params(value.file, nested, depth + 1)
                    out.update({f"{key_text}.{k}": v for k, v in inner.items()})
            elif prop.type == "shorthand_property_identifier":
                out[_text(prop)] = self._sym(value.file, prop) or Sym.wild(_text(prop))
            elif prop.type == "spread_element" and prop.named_children:
                out.update(self._params(value.file, prop.named_children[0]))
        return out

    def _object_child(self, file: _File, node: Any, key: str) -> tuple[Any, _File] | None:
        value = self._value(file, node) if node is not None else None
        if not isinstance(value, ObjectNode):
            return None
        child = _object_get(value.node, key)
        if child is None:
            return None
        inner = self._value(value.file, child)
        if isinstance(inner, ObjectNode):
            return inner.node, inner.file
        return child, value.file

    # -- calls ---------------------------------------------------------------------------
    def _record_calls_in(self, file: _File, root: Any) -> None:
        for node in _walk(root):
            if node.type == "new_expression":
                self._new_call(file, node)
            elif node.type == "call_expression":
                self._call(file, node)

    def _new_call(self, file: _File, node: Any) -> None:
        ctor = self._value(file, node.child_by_field_name("constructor"))
        if not isinstance(ctor, V3Symbol):
            return
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        if ctor.package == "lib-storage" and ctor.name == "Upload":
            found = self._object_child(file, first, "params")
            params = self._params(found[1], found[0]) if found else {}
            self._record(file, node, "s3", "PutObject", params, via="lib-storage Upload",
                         extra=("s3:AbortMultipartUpload",))
            return
        if not ctor.name.endswith("Command"):
            return
        base = ctor.name[: -len("Command")]
        if ctor.package == "lib-dynamodb":
            op = DOC_COMMANDS.get(base)
            service = "dynamodb"
        else:
            service = self.catalog.service_for_sdk_name(ctor.package[len("client-"):]) or ""
            op = self.catalog.operation(service, base) if service else None
        if not op:
            self._note(file, node.start_point[0] + 1, f"unknown command {ctor.name} from @aws-sdk/{ctor.package}")
            return
        self._operation(file, node, service, op, first)

    def _call(self, file: _File, node: Any) -> None:
        callee = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        arguments = list(args.named_children) if args is not None else []
        if callee is None:
            return
        if callee.type == "identifier":
            symbol = file.names.get(_text(callee))
            if isinstance(symbol, V3Symbol) and symbol.name.startswith("paginate"):
                op_name = symbol.name[len("paginate"):]
                if symbol.package == "lib-dynamodb":
                    service, op = "dynamodb", DOC_COMMANDS.get(op_name)
                else:
                    service = self.catalog.service_for_sdk_name(symbol.package[len("client-"):]) or ""
                    op = self.catalog.operation(service, op_name) if service else None
                if op:
                    self._operation(file, node, service, op, arguments[1] if len(arguments) > 1 else None,
                                    via="paginator")
            elif isinstance(symbol, LocalFunction):
                self._reach(symbol.file, [symbol.name])
            return
        if callee.type != "member_expression":
            return
        prop = callee.child_by_field_name("property")
        method = _text(prop) if prop is not None else ""
        client = self._value(file, callee.child_by_field_name("object"))
        if isinstance(client, DynamicClient):
            self._dynamic = client.what
            try:
                for candidate in client.clients:
                    self._client_method(file, node, candidate, method, arguments)
            finally:
                self._dynamic = ""
            return
        if not isinstance(client, ClientOf) or client.style == "v3":
            return
        self._client_method(file, node, client, method, arguments)

    def _client_method(self, file: _File, node: Any, client: ClientOf, method: str, arguments: list[Any]) -> None:
        first = arguments[0] if arguments else None
        if client.document:
            doc_op = DOC_METHODS.get(method)
            if doc_op:
                self._operation(file, node, "dynamodb", doc_op, first)
            return
        service = client.service
        if method in ("getSignedUrl", "getSignedUrlPromise") and arguments:
            signed = _string_value(arguments[0])
            op = self.catalog.operation(service, signed) if signed else None
            if op:
                self._operation(file, node, service, op, arguments[1] if len(arguments) > 1 else None,
                                via="presigned URL")
            return
        if service == "s3" and method == "createPresignedPost":
            self._operation(file, node, service, "PutObject", first, via="presigned POST")
            return
        if service == "s3" and method == "upload" and client.style == "v2":
            self._operation(file, node, service, "PutObject", first, via="managed upload",
                            extra=("s3:AbortMultipartUpload",))
            return
        if method in ("send", "promise", "then", "destroy", "on", "config", "middlewareStack"):
            return
        op = self.catalog.operation(service, method)
        if op is None:
            if not self._dynamic:  # a candidate service without this method is simply not the one used
                self._note(file, node.start_point[0] + 1, f"{service} client has no operation {method!r}")
            return
        self._operation(file, node, service, op, first)

    def _operation(self, file: _File, node: Any, service: str, op: str, params_node: Any, via: str = "",
                   extra: tuple[str, ...] = ()) -> None:
        params = self._params(file, params_node)
        if service == "s3" and op in ("CopyObject", "UploadPartCopy"):
            params["CopySource"] = params.get("CopySource", Sym.wild("CopySource"))
        if service == "dynamodb" and op in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"):
            from hullguard.iam.python_code import partiql_actions

            statements = self._statements(file, params_node, op)
            for statement in statements:
                actions, table = partiql_actions(statement)
                self._record(file, node, service, op, {"TableName": table}, via=via, actions=actions)
            return
        if service == "dynamodb" and op in ("TransactWriteItems", "TransactGetItems") and self._transaction(
                file, node, op, params_node):
            return
        if service == "dynamodb" and op in ("BatchWriteItem", "BatchGetItem"):
            found = self._object_child(file, params_node, "RequestItems")
            if found is not None and found[0].type == "object":
                for prop in found[0].named_children:
                    key = prop.child_by_field_name("key") if prop.type == "pair" else None
                    if key is None:
                        continue
                    if key.type == "computed_property_name" and key.named_children:
                        table = self._sym(found[1], key.named_children[0]) or Sym.wild(_short(key))
                    else:
                        table = Sym.text(_string_value(key) or _text(key))
                    self._record(file, node, service, op, {"TableName": table}, via=via)
                return
        self._record(file, node, service, op, params, via=via, extra=extra)

    def _statements(self, file: _File, params_node: Any, op: str) -> list[Sym]:
        if op == "ExecuteStatement":
            params = self._params(file, params_node)
            return [params.get("Statement", Sym.wild("Statement"))]
        key = "Statements" if op == "BatchExecuteStatement" else "TransactStatements"
        found = self._object_child(file, params_node, key)
        out: list[Sym] = []
        if found is not None and found[0].type == "array":
            for element in found[0].named_children:
                out.append(self._params(found[1], element).get("Statement", Sym.wild("Statement")))
        return out or [Sym.wild(key)]

    def _transaction(self, file: _File, node: Any, op: str, params_node: Any) -> bool:
        found = self._object_child(file, params_node, "TransactItems")
        if found is None or found[0].type != "array":
            return False
        kinds = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem",
                 "ConditionCheck": "dynamodb:ConditionCheckItem", "Get": "dynamodb:GetItem"}
        recorded = False
        for element in found[0].named_children:
            value = self._value(found[1], element)
            if not isinstance(value, ObjectNode):
                continue
            for kind, action in kinds.items():
                inner = _object_get(value.node, kind)
                if inner is not None:
                    table = self._params(value.file, inner).get("TableName", Sym.wild("TableName"))
                    self._record(file, node, "dynamodb", op, {"TableName": table}, actions=(action,))
                    recorded = True
        return recorded

    def _record(self, file: _File, node: Any, service: str, op: str, params: dict[str, Sym], via: str = "",
                extra: tuple[str, ...] = (), actions: tuple[str, ...] | None = None) -> None:
        key = (file.rel, node.start_byte, hash((op, actions, tuple(sorted((k, v.describe()) for k, v in
                                                                         params.items())))))
        if key in self._recorded:
            return
        self._recorded.add(key)
        self.report.calls.append(ApiCall(service, op, params, file.rel, node.start_point[0] + 1, actions=actions,
                                         extra_actions=extra, via=via, dynamic=self._dynamic))

    def _note(self, file: _File, line: int, message: str) -> None:
        note = Note(file.rel, line, message)
        if note not in self.report.notes:
            self.report.notes.append(note)


@dataclass(frozen=True, slots=True)
class V3Namespace:
    package: str


@dataclass(frozen=True, slots=True)
class LocalModule:
    file: _File


@dataclass(frozen=True, slots=True)
class LocalFunction:
    file: _File
    name: str


def _key(node: Any) -> tuple[int, int, str]:
    """tree-sitter makes a new Python object per access: identify nodes by their span and type."""
    return (node.start_byte, node.end_byte, node.type)


def _walk(node: Any) -> list[Any]:
    out: list[Any] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(current.named_children))
    return out


def _first_error(node: Any) -> Any:
    if not node.has_error:
        return None
    for current in _walk(node):
        if current.type == "ERROR" or current.is_missing:
            return current
    return node


def _first_arg(call: Any) -> Any:
    args = call.child_by_field_name("arguments")
    return args.named_children[0] if args is not None and args.named_children else None


def _require_source(node: Any) -> str | None:
    if node is not None and node.type == "call_expression":
        callee = node.child_by_field_name("function")
        if callee is not None and _text(callee) == "require":
            return _string_value(_first_arg(node))
    if node is not None and node.type == "await_expression" and node.named_children:
        inner = node.named_children[0]
        if inner.type == "call_expression" and _text(inner.child_by_field_name("function") or inner) == "import":
            return _string_value(_first_arg(inner))
    return None


def _export_name(left: Any) -> str | None:
    if left is None or left.type != "member_expression":
        return None
    text = _text(left)
    match = re.fullmatch(r"(?:module\.)?exports\.([A-Za-z_$][\w$]*)", text)
    return match.group(1) if match else None


def _object_get(node: Any, key: str) -> Any:
    for prop in node.named_children:
        if prop.type == "pair":
            k = prop.child_by_field_name("key")
            if k is not None and (_string_value(k) or _text(k)) == key:
                return prop.child_by_field_name("value")
        elif prop.type == "shorthand_property_identifier" and _text(prop) == key:
            return prop
    return None


def _is_definition(stmt: Any, defined: set[tuple[int, int, str]]) -> bool:
    node = stmt.named_children[0] if stmt.type == "export_statement" and stmt.named_children else stmt
    if node.type in ("function_declaration", "generator_function_declaration", "class_declaration"):
        return True
    if node.type in ("lexical_declaration", "variable_declaration"):
        values = [d.child_by_field_name("value") for d in node.named_children]
        return bool(values) and all(v is not None and _key(v) in defined and v.type != "call_expression"
                                    for v in values)
    if node.type == "expression_statement" and node.named_children:
        expr = node.named_children[0]
        if expr.type == "assignment_expression":
            right = expr.child_by_field_name("right")
            return (right is not None and (_key(right) in defined or right.type in ("identifier", "object")) \
                and _export_name(expr.child_by_field_name("left")) is not None) \
                or _text(expr.child_by_field_name("left") or expr) == "module.exports"
    return False


def analyze_node(code_root: Path, handler_file: Path, export_name: str | None,
                 display_root: Path | None = None, environment: dict[str, str] | None = None) -> CodeReport:
    """Every AWS API call reachable from the exported handler in ``handler_file``."""
    return NodeAnalyzer(code_root, display_root=display_root, environment=environment).analyze(
        handler_file, export_name)
