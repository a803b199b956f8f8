#!/usr/bin/env bash
# Build dist/hullguard-layer.zip: the AWS Lambda layer for runtime protection.
#
# Layout (Lambda unpacks a layer under /opt and puts /opt/python on sys.path):
#   python/hullguard/   the in-function parts only: events, firewall, runtime, handler.py
#   python/yaml/        PyYAML, pure-Python files only (no libyaml .so), so one zip serves
#                       every Python 3 runtime on x86_64 and arm64
#   hullguard-wrapper   the AWS_LAMBDA_EXEC_WRAPPER script (/opt/hullguard-wrapper)
# Bytecode for the building interpreter's version is included (unchecked-hash .pyc: /opt is
# read-only, so without it every cold start would compile hullguard again); other Python
# versions ignore it and compile from the sources next to it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
OUT="dist/hullguard-layer.zip"
exec "$PY" - "$OUT" <<'PYEOF'
import importlib.util
import os
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

out = Path(sys.argv[1])
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
unpacked = sum(i.file_size for i in zipfile.ZipFile(out).infolist())
print(f"{out}: {out.stat().st_size / 1024:.0f} KiB zipped, {unpacked / 1024:.0f} KiB unpacked, {count} files "
      f"(bytecode for Python {sys.version_info.major}.{sys.version_info.minor})")
PYEOF
