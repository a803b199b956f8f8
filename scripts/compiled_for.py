"""The firewall's compiled extensions for one Python version, for the Lambda layer (build-layer.sh).

    .venv/bin/python scripts/compiled_for.py 3.12 [3.13 ...]

A mypyc extension loads only in the CPython version it was built by, so each Lambda runtime needs its
own build. Each version is built by ``compiled_build.py`` run by that version's own interpreter
(``python3.X`` on PATH, or installed by pyenv), in a venv of its own under ``build/mypyc-venvs``
holding this project's mypy version and setuptools, into ``build/compiled-3.X``; for the running
interpreter's version, the build ``make compiled`` keeps in ``build/compiled`` (what the tests and
benchmarks use) serves when it is current. Every build is reused while the sources are unchanged
(``compiled_build.py`` keeps a digest of them and of the interpreter). Only the machine's own
architecture can be built: mypyc compiles with the local C compiler.

Prints, per version, the directory whose ``src`` holds the compiled copy, or why there is none.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from compiled_build import is_current  # this script's neighbour (scripts/ is on the path of both callers)

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    """``command``'s exit status and output, for a message when it failed."""
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _version_of_running() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def interpreter(version: str) -> str | None:
    """A CPython ``version`` interpreter: this one, ``python3.X`` on PATH, or one that pyenv installed
    (whose shim on PATH answers only for the versions a shell has selected)."""
    if version == _version_of_running():
        return sys.executable
    candidates = [shutil.which(f"python{version}")]
    pyenv = shutil.which("pyenv")
    if pyenv is not None:
        root = _run(pyenv, "root").stdout.strip()
        if root:
            installed = Path(root, "versions").glob(f"{version}.*/bin/python{version}")
            candidates += sorted(map(str, installed), reverse=True)
    for found in candidates:
        if found is not None and _reports(found, version):
            return found
    return None


def _reports(python: str, version: str) -> bool:
    probe = _run(python, "-c", "import sys; print(f'{sys.version_info.major}.{sys.version_info.minor}')")
    return probe.returncode == 0 and probe.stdout.strip() == version


def _build_venv(python: str, version: str) -> Path:
    """A venv of ``python`` with this project's mypy (whose mypyc compiles) and setuptools."""
    home = BUILD / "mypyc-venvs" / version
    exe = home / "bin" / "python"
    try:
        mypy = metadata.version("mypy")
    except metadata.PackageNotFoundError:
        raise RuntimeError("mypy, which compiles, is not installed here (pip install -e '.[dev]')") from None
    if exe.is_file():
        have = _run(str(exe), "-c", "import mypy.version, setuptools; print(mypy.version.__version__)")
        if have.returncode == 0 and have.stdout.strip() == mypy:
            return exe
    shutil.rmtree(home, ignore_errors=True)
    created = _run(python, "-m", "venv", str(home))
    if created.returncode != 0:
        raise RuntimeError(f"could not create a venv with {python}: {created.stderr.strip()[-300:]}")
    install = _run(str(exe), "-m", "pip", "install", "-q", f"mypy=={mypy}", "setuptools>=77")
    if install.returncode != 0:
        raise RuntimeError(f"could not install mypy {mypy} for Python {version}: {install.stderr.strip()[-300:]}")
    return exe


def build(version: str) -> Path:
    """The directory of the compiled copy for ``version`` (its ``src`` is importable); raises
    RuntimeError with the reason when it cannot be built here."""
    out = BUILD / f"compiled-{version}"
    if version == _version_of_running():
        for built in (BUILD / "compiled", out):  # ``make compiled``'s, or an earlier run's of this script
            if is_current(built):
                return built
    python = interpreter(version)
    if python is None:
        raise RuntimeError(f"no Python {version} interpreter on this machine (python{version} on PATH)")
    proc = _run(str(_build_venv(python, version)), str(ROOT / "scripts" / "compiled_build.py"), "--out", str(out))
    if proc.returncode != 0:
        raise RuntimeError(f"mypyc build for Python {version} failed: {(proc.stdout + proc.stderr).strip()[-500:]}")
    return out


def extensions(out: Path) -> list[Path]:
    """The compiled copy's extension files, relative to its ``src`` (the shared runtime part mypyc
    names ``<hash>__mypyc...so`` lies at the top, beside the ``hullguard`` package)."""
    src = out / "src"
    return sorted(path.relative_to(src) for path in src.rglob("*.so"))


def main(versions: list[str]) -> int:
    if not versions or not all(version.count(".") == 1 for version in versions):
        print("usage: compiled_for.py 3.X [3.Y ...]  (Python versions to build the firewall for)", file=sys.stderr)
        return 2
    machine = platform.machine()
    failed = 0
    for version in versions:
        try:
            out = build(version)
        except RuntimeError as exc:
            print(f"Python {version} {machine}: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"Python {version} {machine}: {len(extensions(out))} extension files in {out / 'src'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
