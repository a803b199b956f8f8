"""Build the firewall's compiled variant: the same sources, compiled to C extensions with mypyc.

    .venv/bin/python scripts/compiled_build.py [--out build/compiled] [--force]

mypyc (part of mypy) turns type-annotated modules into C extensions that run the same code without the
interpreter's per-bytecode work; it needs a C compiler and the Python headers at build time and nothing
at run time. The firewall's in-function modules are compiled (``modules()``); each compiled module is
an extension file beside its source, so an interpreter of another version or architecture ignores it and
imports the source. ``setup.py`` compiles the same list into a platform wheel when
``HULLGUARD_COMPILE=1`` is set; this script builds a copy of ``src`` in place (``OUT/src``) so the test
suite and the benchmarks can run the compiled variant next to the pure one.

A copy is rebuilt only when a source file changed since the last build (``OUT/.sources``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Left interpreted: package __init__ files (mypyc compiles them, but a compiled package module of a
# partly compiled package crashed at import in our trial), modules that build classes differently at
# run time than type checkers see them (``TYPE_CHECKING`` with an ``else`` branch: policy.py,
# sqli_token.py), the build-time generators (catalogue, gate_translate), which Lambda never runs, and
# the generated prefilter table, which is data read once.
_INTERPRETED = {
    "__init__.py",
    "policy.py",
    "sqli_token.py",
    "catalogue.py",
    "gate_translate.py",
    "prefilters.py",
}


def modules(root: Path = ROOT) -> list[str]:
    """The compiled modules, as paths relative to ``root / "src"`` (the order mypyc gets them)."""
    src = root / "src"
    found = sorted((src / "hullguard" / "firewall").rglob("*.py"))
    return [str(path.relative_to(src)) for path in found if path.name not in _INTERPRETED]


def _sources_digest() -> str:
    """What a build depends on: the sources, the build settings, and the interpreter that compiles
    (an extension loads only in its own CPython version and architecture)."""
    digest = hashlib.sha256(f"{sys.implementation.cache_tag} {platform.machine()}".encode())
    for path in sorted((ROOT / "src" / "hullguard").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    for name in ("pyproject.toml", "scripts/compiled_build.py"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def is_current(out: Path) -> bool:
    """``out`` holds a build of the present sources by this interpreter."""
    stamp = out / ".sources"
    return stamp.is_file() and stamp.read_text() == _sources_digest()


def build(out: Path, force: bool = False) -> int:
    digest = _sources_digest()
    stamp = out / ".sources"
    if not force and stamp.is_file() and stamp.read_text() == digest:
        print(f"compiled build in {out} is up to date")
        return 0
    if out.exists():
        shutil.rmtree(out)
    src = out / "src"
    shutil.copytree(ROOT / "src" / "hullguard", src / "hullguard", ignore=shutil.ignore_patterns("__pycache__"))
    # mypyc type-checks with the project's own mypy settings (``[tool.mypy]``, as ``setup.py`` does).
    config = ROOT / "pyproject.toml"
    code = (
        "import sys\n"
        "from setuptools import Distribution\n"
        "from mypyc.build import mypycify\n"
        "paths = sys.argv[2:]\n"
        "ext = mypycify(['--config-file', sys.argv[1], *paths], opt_level='3')\n"
        "dist = Distribution({'name': 'hullguard-compiled', 'ext_modules': ext})\n"
        "dist.script_args = ['-q', 'build_ext', '--inplace', '--parallel', '2']\n"
        "dist.parse_command_line()\n"
        "dist.run_commands()\n"
    )
    command = [sys.executable, "-c", code, str(config), *modules()]
    print(f"compiling {len(command) - 4} firewall modules with mypyc into {src} (a minute or two)")
    proc = subprocess.run(command, cwd=src, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n", file=sys.stderr)
        print("compiled build failed (see above)", file=sys.stderr)
        return 1
    shutil.rmtree(src / "build", ignore_errors=True)
    stamp.write_text(digest)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "compiled")
    parser.add_argument("--force", action="store_true", help="rebuild even when no source changed")
    args = parser.parse_args()
    if shutil.which(os.environ.get("CC", "cc")) is None and shutil.which("gcc") is None:
        print("no C compiler found (Debian: apt-get install gcc python3-dev)", file=sys.stderr)
        return 2
    return build(args.out.resolve(), args.force)


if __name__ == "__main__":
    sys.exit(main())
