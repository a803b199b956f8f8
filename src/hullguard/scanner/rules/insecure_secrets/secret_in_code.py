"""Secrets hard-coded in function code and configuration files."""

from collections.abc import Iterator
from pathlib import Path

from hullguard.events.schema import Severity
from hullguard.model.app import Application, SourceRef
from hullguard.model.finding import Finding
from hullguard.scanner.code.secrets import scan_text
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule

CODE_SUFFIXES = {
    ".py",
    ".js",
    ".mjs",
    ".cjs",
    ".ts",
    ".json",
    ".yml",
    ".yaml",
    ".env",
    ".ini",
    ".cfg",
    ".toml",
    ".properties",
    ".conf",
}
SKIP_NAMES = {"package-lock.json", "yarn.lock", "poetry.lock", "Pipfile.lock", "uv.lock"}
MAX_FILES = 2000
MAX_BYTES = 512 * 1024


class SecretInCode(Rule):
    id = "HG-SEC-002"
    severity = Severity.HIGH
    risk = "insecure-secrets"
    title = "Secret hard-coded in code or configuration files"
    description = (
        "A credential (AWS key, API token, private key, password) is written in a file deployed with the "
        "function. Anyone with read access to the repository or the deployment package has it."
    )
    remediation = "Remove the secret, rotate it, and read it at runtime from Secrets Manager or SSM Parameter Store."
    references = ("https://docs.aws.amazon.com/secretsmanager/latest/userguide/intro.html",)
    needs_code = True
    # Code shared by several apps (serverless.yml and a SAM template of one service) is reported once,
    # for the first app in scan order; the engine drops the later apps' copies (see engine.finish).
    one_app_per_file = True

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        if ctx.root is None:
            return
        base = ctx.root if ctx.root.is_dir() else ctx.root.parent
        seen: set[str] = set()
        directories = sorted({fn.code_path for fn in app.functions if fn.code_path is not None})
        for directory in directories:
            for path in _files(base / directory):
                rel = path.relative_to(base).as_posix()
                if rel in seen or _is_template(path):
                    continue  # templates: environment values are HG-SEC-001's job
                seen.add(rel)
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                owners = [
                    fn.logical_id
                    for fn in app.functions
                    if (code := ctx.function_code(fn)) is not None and code.file == rel
                ]
                kinds_by_line: dict[int, list[str]] = {}
                for hit in scan_text(text, path.name):
                    kinds_by_line.setdefault(hit.line, []).append(hit.kind)
                for line, kinds in sorted(kinds_by_line.items()):
                    yield self.finding(
                        app,
                        f"hard-coded secret: {', '.join(sorted(set(kinds)))}",
                        SourceRef(rel, line, None),
                        function=owners[0] if len(owners) == 1 else None,
                        detail={"kinds": sorted(set(kinds)), "functions": owners},
                    )


def _is_template(path: Path) -> bool:
    from hullguard.scanner.loaders import SERVERLESS_NAMES, discover

    return path.name in SERVERLESS_NAMES or any(True for _ in discover(path))


def _files(directory: Path) -> Iterator[Path]:
    from hullguard.scanner.loaders import SERVERLESS_NAMES, SKIP_DIRS

    count = 0
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*")):
        if any(part in SKIP_DIRS or part.startswith(".") for part in path.relative_to(directory).parts[:-1]):
            continue
        if not path.is_file() or path.name in SKIP_NAMES or path.name in SERVERLESS_NAMES:
            continue
        if path.suffix not in CODE_SUFFIXES and not path.name.startswith(".env"):
            continue
        try:
            if path.stat().st_size > MAX_BYTES:
                continue
        except OSError:
            continue
        count += 1
        if count > MAX_FILES:
            return
        yield path
