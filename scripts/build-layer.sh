#!/usr/bin/env bash
# Build dist/hullguard-layer.zip: the AWS Lambda layer for runtime protection.
#
# Layout (Lambda unpacks a layer under /opt and puts /opt/python on sys.path):
#   python/hullguard/   the in-function parts only: events, firewall, runtime, handler.py
#   python/yaml/        PyYAML, pure-Python files only (no libyaml .so), so one zip serves
#                       every Python 3 runtime on x86_64 and arm64
#   python/re2/         google-re2 (the firewall's one-pass gate): its Python module and one
#                       compiled _re2 per Python 3.10-3.14 (the interpreter loads the one of its
#                       own version) for ARCH (x86_64, the default, or aarch64), manylinux_2_28
#                       wheels from PyPI: Amazon Linux 2023 runtimes load them; on older runtimes
#                       (glibc < 2.28) the import fails and the firewall runs its exact passes
#                       alone. Without network access the layer is built without it (said so).
#                       RE2_PYTHONS="3.12" keeps only the runtimes a team uses (each adds ~0.6 MB
#                       zipped; RE2_PYTHONS="" leaves google-re2 out and downloads nothing);
#                       the wheel's BSD licence goes along as python/re2/LICENSE. The building
#                       interpreter's own version and architecture come from its installed copy.
#   python/hullguard/**/*.cpython-3XX-*.so, python/*__mypyc*.so
#                       the firewall compiled with mypyc (scripts/compiled_for.py) for ARCH, per
#                       Python in COMPILED_PYTHONS (default 3.10-3.14) that can be built here: with
#                       an interpreter of that version on this machine (python3.X on PATH, pyenv's,
#                       or Debian's CPython, fetched by scripts/debian_python.py), and for the other
#                       architecture with its cross compiler (gcc-aarch64-linux-gnu) and Debian's
#                       CPython of that version for it (3.11, 3.13, 3.14). A runtime loads the
#                       extensions of its own version and imports the sources otherwise (about 2x
#                       slower per event, same verdicts). Each version takes a few minutes to build
#                       the first time, then is reused while the sources are unchanged;
#                       COMPILED_PYTHONS="" leaves them out. scripts/check_layer.py then runs each
#                       runtime's interpreter on the unpacked layer (see the Makefile's layer).
#   hullguard-wrapper   the AWS_LAMBDA_EXEC_WRAPPER script (/opt/hullguard-wrapper)
# Bytecode for the building interpreter's version is included (unchecked-hash .pyc: /opt is
# read-only, so without it every cold start would compile hullguard again); other Python
# versions ignore it and compile from the sources next to it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
ARCH="${ARCH:-x86_64}"
OUT="${OUT:-dist/hullguard-layer.zip}"
RE2_PYTHONS="${RE2_PYTHONS-3.10 3.11 3.12 3.13 3.14}"
COMPILED_PYTHONS="${COMPILED_PYTHONS-3.10 3.11 3.12 3.13 3.14}"
exec "$PY" - "$OUT" "$ARCH" "$RE2_PYTHONS" "$COMPILED_PYTHONS" <<'PYEOF'
import importlib.util
import os
import platform
import py_compile
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

out = Path(sys.argv[1])
arch = sys.argv[2]
RE2_PYTHONS = sys.argv[3].split()
COMPILED_PYTHONS = sys.argv[4].split()
src = Path("src/hullguard")
parts = ["__init__.py", "_version.py", "py.typed", "handler.py", "events", "firewall", "runtime"]
skip_dirs = {"__pycache__"}
skip_suffixes = {".pyc", ".so"}


def files(root: Path):
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.suffix not in skip_suffixes:
                yield path


def add(zf: zipfile.ZipFile, path: Path, arcname: str, mode: int = 0o644) -> int:
    info = zipfile.ZipInfo(arcname, date_time=(2024, 1, 1, 0, 0, 0))  # reproducible zips
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, path.read_bytes(), compresslevel=9)
    if path.suffix != ".py":
        return 1
    cached = Path(importlib.util.cache_from_source(arcname))
    with tempfile.TemporaryDirectory() as tmp:
        pyc = Path(tmp) / "out.pyc"
        py_compile.compile(str(path), cfile=str(pyc), dfile="/opt/" + arcname, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        info = zipfile.ZipInfo(cached.as_posix(), date_time=(2024, 1, 1, 0, 0, 0))
        info.external_attr = (0o100000 | 0o644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, pyc.read_bytes(), compresslevel=9)
    return 2


def write(zf: zipfile.ZipFile, arcname: str, data: bytes) -> None:
    if arcname in zf.namelist():
        return  # the same file from two sources (google-re2's licence in its wheel and installed copy)
    info = zipfile.ZipInfo(arcname, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data, compresslevel=9)


def installed_re2(version: str) -> list[tuple[str, bytes]]:
    """google-re2 as installed for this very interpreter, when it is the version and architecture
    asked for (no download: the tests build the layer this way)."""
    if version != f"{sys.version_info.major}.{sys.version_info.minor}" or platform.machine() != arch:
        return []
    spec = importlib.util.find_spec("re2")
    if spec is None or spec.origin is None:
        return []
    package = Path(spec.origin).parent
    compiled = sorted(package.glob("_re2.cpython-*.so"))
    if not compiled:
        return []
    files = [("re2/__init__.py", (package / "__init__.py").read_bytes())]
    files += [(f"re2/{path.name}", path.read_bytes()) for path in compiled]
    licences = sorted(package.parent.glob("google_re2-*.dist-info/licenses/LICENSE"))
    if licences:
        files.append(("re2/LICENSE", licences[0].read_bytes()))
    return files


def add_re2(zf: zipfile.ZipFile) -> list[str]:
    """google-re2's module once and its compiled part per Python version; [] when unavailable."""
    added: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        module_added = False
        for version in RE2_PYTHONS:
            local = installed_re2(version)
            if local:
                for name, data in local:
                    if name == "re2/__init__.py" and module_added:
                        continue
                    write(zf, "python/" + name, data)
                    module_added = module_added or name == "re2/__init__.py"
                added.append(version)
                continue
            wheels = Path(tmp) / version
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                 "--platform", f"manylinux_2_28_{arch}", "--python-version", version, "-d", str(wheels),
                 "google-re2>=1.1"],
                capture_output=True, text=True,
            )
            found = sorted(wheels.glob("*.whl")) if proc.returncode == 0 else []
            if not found:
                print(f"google-re2 for Python {version} {arch}: not available ({proc.stderr.strip()[-200:]}); "
                      "that runtime runs the firewall without the gate", file=sys.stderr)
                continue
            with zipfile.ZipFile(found[0]) as wheel:
                for name in wheel.namelist():
                    is_module = name == "re2/__init__.py"
                    target = "python/" + name
                    if name.endswith("/licenses/LICENSE") and not module_added:
                        target = "python/re2/LICENSE"
                    elif not (is_module and not module_added) and not (
                        name.startswith("re2/_re2") and name.endswith(".so")
                    ):
                        continue
                    write(zf, target, wheel.read(name))
                    module_added = module_added or is_module
            added.append(version)
    return added


def add_compiled(zf: zipfile.ZipFile) -> tuple[list[str], int]:
    """The firewall's mypyc extensions for each version of COMPILED_PYTHONS that can be built here:
    the versions added and the number of files."""
    if not COMPILED_PYTHONS:
        return [], 0
    sys.path.insert(0, "scripts")
    import compiled_for

    added: list[str] = []
    files = 0
    for version in COMPILED_PYTHONS:
        try:
            built = compiled_for.build(version, arch)
        except RuntimeError as exc:
            print(f"compiled firewall for Python {version} {arch}: {exc}; that runtime runs the "
                  "pure-Python firewall", file=sys.stderr)
            continue
        for relative, data in compiled_for.shipped_extensions(built, arch):
            write(zf, "python/" + relative.as_posix(), data)
            files += 1
        added.append(version)
    return added, files


out.parent.mkdir(parents=True, exist_ok=True)
count = 0
with zipfile.ZipFile(out, "w") as zf:
    for part in parts:
        for path in files(src / part):
            count += add(zf, path, "python/hullguard/" + path.relative_to(src).as_posix())
    yaml_dir = Path(yaml.__file__).parent
    for path in files(yaml_dir):
        count += add(zf, path, "python/yaml/" + path.relative_to(yaml_dir).as_posix())
    count += add(zf, Path("layer/hullguard-wrapper"), "hullguard-wrapper", 0o755)
    re2_versions = add_re2(zf)
    count += len(re2_versions)
    compiled_versions, compiled_files = add_compiled(zf)
    count += compiled_files
unpacked = sum(i.file_size for i in zipfile.ZipFile(out).infolist())
print(f"{out}: {out.stat().st_size / 1024:.0f} KiB zipped, {unpacked / 1024:.0f} KiB unpacked, {count} files "
      f"(bytecode for Python {sys.version_info.major}.{sys.version_info.minor}; google-re2 {arch} for "
      f"Python {', '.join(re2_versions) or 'none'}; firewall compiled for Python "
      f"{', '.join(compiled_versions) or 'none'})")
PYEOF
