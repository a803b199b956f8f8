"""The Lambda layer carries the compiled firewall, and a runtime of the version it was built for runs it.

Building the extensions takes minutes, so this runs in the compiled stage of ``make test``
(``HULLGUARD_TEST_COMPILED=1``), where ``build/compiled`` has just been built and the layer script
reuses it; in the pure-Python stage it is skipped.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import build_wheels  # noqa: E402  (scripts/, put on the path above)
import check_layer  # noqa: E402
import debian_python  # noqa: E402

VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
TAG = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
def _build_layer(layer: Path, re2: str, compiled: str, arch: str) -> subprocess.CompletedProcess[str]:
    """``scripts/build-layer.sh`` into ``layer`` with these ``RE2_PYTHONS``, ``COMPILED_PYTHONS`` and
    ``ARCH``; it must succeed."""
    build = subprocess.run(
        ["bash", "scripts/build-layer.sh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PY=sys.executable, OUT=str(layer), RE2_PYTHONS=re2, COMPILED_PYTHONS=compiled, ARCH=arch),
        check=False,
    )
    assert build.returncode == 0, build.stderr
    return build


@pytest.mark.skipif(
    os.environ.get("HULLGUARD_TEST_COMPILED") != "1", reason="needs the compiled build (make unit-compiled)"
)
def test_layer_runs_the_compiled_firewall_on_the_python_it_was_built_for(tmp_path: Path) -> None:
    layer = tmp_path / "layer.zip"
    build = _build_layer(layer, VERSION, VERSION, platform.machine())
    assert f"firewall compiled for Python {VERSION}" in build.stdout
    with zipfile.ZipFile(layer) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "opt")
    assert f"python/hullguard/firewall/inspection.{TAG}-{platform.machine()}-linux-gnu.so" in names
    assert [name for name in names if name.startswith("python/") and "__mypyc." in name]  # mypyc's shared part
    assert "python/hullguard/firewall/inspection.py" in names  # the sources stay, for other runtimes
    # A clean interpreter (not this test's PYTHONPATH, which holds build/compiled) with only the layer.
    answer = check_layer.probe(sys.executable, tmp_path / "opt" / "python")
    assert isinstance(answer, dict), answer
    assert str(answer["file"]).startswith(str(tmp_path / "opt" / "python"))
    assert answer["compiled"] is True and answer["gate"] is True
    assert answer["blocked"] is True and any(str(rule).startswith("HG-SQLI-") for rule in answer["rules"])


def test_layer_without_compiled_extensions_when_none_are_asked_for(tmp_path: Path) -> None:
    layer = tmp_path / "layer.zip"
    build = _build_layer(layer, "", "", platform.machine())
    assert "firewall compiled for Python none" in build.stdout
    with zipfile.ZipFile(layer) as archive:
        assert not [name for name in archive.namelist() if name.endswith(".so")]


def test_layer_for_another_architecture_stays_pure_where_debian_has_no_such_python(tmp_path: Path) -> None:
    # Cross-compiling needs Debian's CPython of that version for the other architecture, for its
    # headers; for a version Debian ships in no release the build says so at once (no download).
    other = "aarch64" if platform.machine() != "aarch64" else "x86_64"
    unshipped = next(v for v in ("3.10", "3.11", "3.12", "3.13", "3.14") if v not in debian_python.SUITES)
    build = _build_layer(tmp_path / "layer.zip", "", unshipped, other)
    assert f"compiled firewall for Python {unshipped} {other}: no Debian release" in build.stderr
    assert "firewall compiled for Python none" in build.stdout


def test_check_layer_runs_the_layer_as_the_runtime_would(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layer = tmp_path / "layer.zip"
    _build_layer(layer, VERSION, "", platform.machine())
    assert check_layer.check(layer, platform.machine(), [VERSION]) == 0
    assert f"Python {VERSION} {platform.machine()}: ok (compiled False, RE2 gate True, blocked by HG-SQLI-" in (
        capsys.readouterr().out
    )
    # a layer whose runtime does not behave as the layer says (google-re2 for this version, broken)
    with zipfile.ZipFile(layer) as source, zipfile.ZipFile(tmp_path / "broken.zip", "w") as broken:
        for item in source.infolist():
            data = source.read(item)
            broken.writestr(item, b"not an ELF file" if item.filename.startswith("python/re2/_re2.") else data)
    assert check_layer.check(tmp_path / "broken.zip", platform.machine(), [VERSION]) == 1
    assert "FAILED: gate is False, expected True" in capsys.readouterr().out


@pytest.mark.skipif(
    os.environ.get("HULLGUARD_TEST_COMPILED") != "1", reason="needs the compiled build (make unit-compiled)"
)
def test_compiled_wheel_installs_the_extensions_beside_the_sources(tmp_path: Path) -> None:
    pure = build_wheels.pure_wheel(tmp_path / "pure")
    machine = platform.machine()
    wheel = build_wheels.compiled_wheel(pure, ROOT / "build" / "compiled", VERSION, machine, tmp_path)
    tag = TAG.replace("cpython-", "cp")
    platforms = f"manylinux_2_17_{machine}.manylinux2014_{machine}"
    assert wheel.name == f"hullguard-{pure.name.split('-')[1]}-{tag}-{tag}-{platforms}.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(name.split("/")[0] for name in names if name.endswith(".dist-info/WHEEL"))
        wheel_file = archive.read(f"{info}/WHEEL").decode()
        record = archive.read(f"{info}/RECORD").decode().splitlines()
        # every file but RECORD itself is in RECORD with its own hash and size
        recorded = {line.split(",")[0]: line for line in record}
        assert set(recorded) == set(names)
        for name in names:
            if name != f"{info}/RECORD":
                assert recorded[name] == build_wheels._record_line(name, archive.read(name))
    assert "Root-Is-Purelib: false" in wheel_file and f"Tag: {tag}-{tag}-manylinux_2_17_{machine}" in wheel_file
    assert f"hullguard/firewall/inspection.{TAG}-{machine}-linux-gnu.so" in names
    assert "hullguard/firewall/inspection.py" in names
    assert build_wheels.imported(wheel, VERSION, machine) is None  # imported compiled, blocks the attack
