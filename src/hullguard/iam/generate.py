"""Least-privilege policies for every function of a project: code analysis + platform needs.

``generate_project(root)`` loads the applications with the posture scanner's loaders, finds each
function's handler code, analyses it (Python or Node.js), resolves the calls against the template
and adds what the platform needs. Each function gets a ``FunctionPolicy``; problems (code that does
not parse, a handler that cannot be found, values that could not be resolved) are kept as notes
with file and line, and never stop the other functions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullguard.iam.calls import ApiCall, CodeReport, Note
from hullguard.iam.operations import ServiceCatalog, catalog
from hullguard.iam.platform import kms_needs, platform_needs
from hullguard.iam.resolve import Need, Resolver
from hullguard.model.app import Application, Function, Unknown

PY_SUFFIX = ".py"
JS_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")


@dataclass(slots=True)
class FunctionPolicy:
    app: Application | None
    function: Function
    needs: list[Need] = field(default_factory=list)
    calls: list[ApiCall] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    code_files: list[str] = field(default_factory=list)

    @property
    def logical_id(self) -> str:
        return self.function.logical_id

    def statements(self) -> list[dict[str, Any]]:
        return statements_from_needs(self.needs)

    def document(self) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": self.statements()}


REVIEW_SID_PREFIX = "ReviewInferred"


def statements_from_needs(needs: list[Need]) -> list[dict[str, Any]]:
    """Group needs into statements: one per set of actions that share the same resources.

    Needs inferred from calls chosen at run time (``Need.review``) get statements of their own
    with a ``Sid`` starting with ``ReviewInferred`` so a reviewer sees which grants are guesses;
    a grant the code also needs through a plain call stays in the plain statements only.
    """
    certain = [n for n in needs if not n.review]
    covered = {(n.action, n.resource) for n in certain}
    inferred = [n for n in needs if n.review and (n.action, n.resource) not in covered]
    statements = _grouped(certain)
    for index, statement in enumerate(_grouped(inferred), start=1):
        statements.append({"Sid": f"{REVIEW_SID_PREFIX}{index}", **statement})
    return statements


def _grouped(needs: list[Need]) -> list[dict[str, Any]]:
    by_action: dict[str, set[str]] = defaultdict(set)
    for need in needs:
        by_action[need.action].add(need.resource)
    for resources in by_action.values():
        if "*" in resources:
            resources.intersection_update({"*"})
    by_resources: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for action, resources in by_action.items():
        by_resources[tuple(sorted(resources))].add(action)
    statements = [
        {"Effect": "Allow", "Action": sorted(actions), "Resource": list(resources)}
        for resources, actions in by_resources.items()
    ]
    statements.sort(key=lambda s: (s["Resource"] == ["*"], s["Action"][0], s["Resource"][0]))
    return statements


@dataclass(slots=True)
class ProjectPolicies:
    policies: list[FunctionPolicy] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)

    def documents(self) -> dict[str, dict[str, Any]]:
        """What ``--format json`` prints: logical id (``template#id`` when ids repeat) -> policy document."""
        from hullguard.iam.formats import output_keys

        return {key: p.document() for key, p in zip(output_keys(self.policies), self.policies, strict=True)}


def _text(value: Any) -> str | None:
    return None if value is None or isinstance(value, (Unknown, dict, list)) else str(value)


def locate_handler(root: Path, function: Function) -> tuple[Path | None, str | None, str, str | None]:
    """(code file, function/export name, language, problem)."""
    handler = _text(function.handler)
    runtime = (_text(function.runtime) or "").lower()
    code_dir = root / function.code_path if function.code_path is not None else None
    if code_dir is None:
        return None, None, "", "no code on disk (inline code, an image or an S3 artifact)"
    if handler is None:
        return None, None, "", "no handler in the template"
    module, _, name = handler.rpartition(".")
    if not module:
        return None, None, "", f"handler {handler!r} is not 'file.function'"
    language = "python" if runtime.startswith("python") else "node" if runtime.startswith("nodejs") else ""
    candidates: list[tuple[Path, str]] = []
    if language in ("python", ""):
        candidates.append((code_dir / (module.replace(".", "/") + PY_SUFFIX), "python"))
        candidates.append((code_dir / (module + PY_SUFFIX), "python"))
    if language in ("node", ""):
        candidates += [(code_dir / (module + suffix), "node") for suffix in JS_SUFFIXES]
    for path, lang in candidates:
        if path.is_file():
            return path, name, lang, None
    found = _search(root, [p.relative_to(code_dir) for p, _ in candidates])
    if found is not None:
        path, lang = found, next(lang for p, lang in candidates if p.name == found.name)
        return path, name, lang, None
    if runtime and not language:
        return None, None, "", f"runtime {runtime} is not analysed (Python and Node.js are)"
    return None, None, language, f"handler file for {handler!r} not found under {function.code_path or '.'}"


_SKIP = {"node_modules", ".venv", "venv", ".git", ".serverless", ".aws-sam", ".terraform", "__pycache__", "cdk.out",
         "dist", ".peers"}


def _search(root: Path, relatives: list[Path]) -> Path | None:
    """The handler file elsewhere in the project when the code path points at a build artifact
    (a Terraform ``filename = "build/fn.zip"``): used only when exactly one file matches."""
    matches: list[Path] = []
    for relative in dict.fromkeys(relatives):
        pattern = relative.as_posix()
        for path in root.rglob(pattern):
            if not _SKIP.intersection(path.relative_to(root).parts) and path.is_file() and path not in matches:
                matches.append(path)
        if len(matches) > 1:
            return None
    return matches[0] if len(matches) == 1 else None


def _find_by_name(root: Path, function: Function) -> tuple[Path | None, str | None, str]:
    """A handler file located by name alone (a packaged template's ``Code: src/``, CDK assets)."""
    handler = _text(function.handler)
    if handler is None or "." not in handler:
        return None, None, ""
    module, _, name = handler.rpartition(".")
    runtime = (_text(function.runtime) or "").lower()
    if runtime.startswith("python"):
        relatives, language = [Path(module.replace(".", "/") + PY_SUFFIX)], "python"
    elif runtime.startswith("nodejs"):
        relatives, language = [Path(module + suffix) for suffix in JS_SUFFIXES], "node"
    else:
        return None, None, ""
    found = _search(root, relatives)
    return (found, name, language) if found is not None else (None, None, "")


def analyse_code(root: Path, code_dir: Path, path: Path, name: str | None, language: str,
                 environment: dict[str, str] | None = None) -> CodeReport:
    """``environment``: the template's literal environment values, used only to narrow a service or
    operation name the code reads from an environment variable (``new AWS[process.env.X]()``)."""
    if language == "python":
        from hullguard.iam.python_code import analyze_python

        return analyze_python(code_dir, path, name, display_root=root, environment=environment)
    from hullguard.iam.node_code import analyze_node

    return analyze_node(code_dir, path, name, display_root=root, environment=environment)


def literal_environment(function: Function) -> dict[str, str]:
    return {k: v for k, v in function.environment.items() if isinstance(v, str)}


def generate_function(app: Application | None, function: Function, root: Path,
                      services: ServiceCatalog | None = None) -> FunctionPolicy:
    services = services or catalog()
    result = FunctionPolicy(app, function)
    resolver = Resolver(app, function, services)
    path, name, language, problem = locate_handler(root, function)
    if path is None and function.code_path is None:
        path, name, language = _find_by_name(root, function)
        if path is not None:
            result.notes.append(Note(function.source.file, function.source.line or 0,
                                     f"{function.logical_id}: the template gives no local code path; analysing "
                                     f"{path.relative_to(root).as_posix()}, the only file matching the handler"))
            problem = None
    if problem is not None or path is None:
        result.notes.append(Note(function.source.file, function.source.line or 0,
                                 f"{function.logical_id}: {problem}; only platform permissions generated"))
    else:
        code_dir = root / (function.code_path or ".")
        if not path.resolve().is_relative_to(code_dir.resolve()):
            code_dir = path.parent  # found by search: its own directory holds its local modules
        try:
            report = analyse_code(root, code_dir, path, name, language, literal_environment(function))
        except (RecursionError, MemoryError) as exc:  # pathological code must not stop the other functions
            report = CodeReport(notes=[Note(path.relative_to(root).as_posix() if path.is_relative_to(root)
                                            else path.name, 1, f"code analysis gave up: {type(exc).__name__}")])
        result.calls = report.calls
        result.code_files = report.files
        result.notes.extend(report.notes)
        resolver.prepare(report.calls)
        for call in report.calls:
            result.needs.extend(resolver.needs(call))
    result.needs.extend(platform_needs(app, function, resolver))
    result.needs.extend(kms_needs(resolver, result.needs))
    result.notes.extend(resolver.notes)
    return result


def generate_applications(applications: list[Application], root: Path) -> list[FunctionPolicy]:
    services = catalog()
    return [generate_function(app, fn, root, services) for app in applications for fn in app.functions]


def generate_project(root: Path) -> ProjectPolicies:
    """Load every application under ``root`` and generate each function's policy."""
    from hullguard.scanner.loaders import load_applications

    loaded = load_applications(root)
    base = root if root.is_dir() else root.parent
    result = ProjectPolicies(applications=loaded.applications)
    result.problems.extend(str(p) for p in loaded.problems)
    for app in loaded.applications:
        app_root = Path(app.root) if app.root and Path(app.root).is_dir() else base
        if not app.functions:
            result.problems.append(f"{app.template or app.name}: no Lambda functions found")
        result.policies.extend(generate_applications([app], app_root))
    return result
