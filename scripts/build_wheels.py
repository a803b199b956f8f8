"""The release wheels: the pure-Python one, and one per Lambda runtime (Python version, architecture)
with the firewall compiled, so that ``pip install hullguard`` runs the compiled firewall wherever a
wheel fits and the pure one elsewhere.

    .venv/bin/python scripts/build_wheels.py [--arch x86_64 --arch aarch64] [3.10 3.11 ...]

The compiled extensions come from ``compiled_for.py`` (the same builds the Lambda layer takes, reused
while the sources are unchanged). A compiled wheel is the pure wheel plus the extension files beside
the sources they compile, tagged ``cp3X-cp3X-manylinux_2_17_<arch>`` (manylinux2014): the extensions
use no glibc symbol newer than 2.17, which ``auditwheel show`` confirms for each wheel before it is
kept. Each wheel is then imported by an interpreter of its version and architecture (``check_layer``'s
probe: compiled, and blocks a SQL injection). Wheels go to ``dist/``; a runtime that cannot be built
or checked here is named with the reason, and the exit status is 1 when a wheel failed its checks.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import check_layer  # this script's neighbours (python scripts/build_wheels.py puts scripts/ on the path)
import compiled_for

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
VERSIONS = ("3.10", "3.11", "3.12", "3.13", "3.14")


def pure_wheel(out: Path) -> Path:
    """The pure-Python wheel, built by pip from the project (without compiling)."""
    shutil.rmtree(out, ignore_errors=True)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    wheels = sorted(out.glob("hullguard-*-py3-none-any.whl"))
    if built.returncode != 0 or not wheels:
        raise SystemExit(f"the pure wheel did not build: {built.stderr.strip()[-800:]}")
    return wheels[0]


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def compiled_wheel(pure: Path, built: Path, version: str, arch: str, dist: Path = DIST) -> Path:
    """``pure`` with the extensions of the compiled copy ``built`` added, tagged for ``version`` and
    ``arch`` (see the module's help), written into ``dist``; RECORD written anew."""
    tag = f"cp{version.replace('.', '')}"
    platforms = (f"manylinux_2_17_{arch}", f"manylinux2014_{arch}")
    name, wheel_version = pure.name.split("-")[:2]
    target = dist / f"{name}-{wheel_version}-{tag}-{tag}-{'.'.join(platforms)}.whl"
    records: list[str] = []
    with zipfile.ZipFile(pure) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as wheel:
        info_dir = next(n.split("/")[0] for n in source.namelist() if n.split("/")[0].endswith(".dist-info"))

        def write(arcname: str, data: bytes, record: bool = True) -> None:
            info = zipfile.ZipInfo(arcname, date_time=(2024, 1, 1, 0, 0, 0))  # reproducible wheels
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100000 | 0o644) << 16
            wheel.writestr(info, data)
            if record:
                records.append(_record_line(arcname, data))

        for item in source.infolist():
            if item.filename in (f"{info_dir}/RECORD", f"{info_dir}/WHEEL"):
                continue
            write(item.filename, source.read(item))
        for relative, data in compiled_for.shipped_extensions(built, arch):
            write(relative.as_posix(), data)
        wheel_file = source.read(f"{info_dir}/WHEEL").decode()
        kept = [line for line in wheel_file.splitlines() if not line.startswith(("Root-Is-Purelib:", "Tag:"))]
        kept += ["Root-Is-Purelib: false", *(f"Tag: {tag}-{tag}-{p}" for p in platforms)]
        write(f"{info_dir}/WHEEL", ("\n".join(kept) + "\n").encode())
        records.append(f"{info_dir}/RECORD,,")
        write(f"{info_dir}/RECORD", ("\n".join(records) + "\n").encode(), record=False)
    return target


def platform_problem(wheel: Path, arch: str) -> str | None:
    """What ``auditwheel show`` finds wrong with the wheel's manylinux_2_17 tag, or None."""
    shown = subprocess.run(
        [sys.executable, "-m", "auditwheel", "show", str(wheel)], capture_output=True, text=True, check=False
    )
    if shown.returncode != 0:
        return f"auditwheel could not read it: {(shown.stdout + shown.stderr).strip()[-300:]}"
    if f'"manylinux_2_17_{arch}"' not in shown.stdout.replace("\n", " "):
        return f"auditwheel says: {' '.join(shown.stdout.split())[:400]}"
    return None


def imported(wheel: Path, version: str, arch: str) -> str | None:
    """What is wrong when an interpreter of ``version`` for ``arch`` imports the unpacked wheel, or
    None; a reason starting with "not checked" when there is no such interpreter here."""
    python = check_layer.interpreter(version, arch)
    if python is None:
        return "not checked (no interpreter of it here)"
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(tmp)
        answer = check_layer.probe(python, Path(tmp))
        if isinstance(answer, str):
            return answer
        if not (answer["compiled"] and answer["blocked"] and str(answer["file"]).startswith(tmp)):
            return f"imported as {answer}"
    return None


def main(args: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("versions", nargs="*", default=list(VERSIONS))
    parser.add_argument("--arch", action="append", help="x86_64, aarch64 (default: both)")
    options = parser.parse_args(args)
    DIST.mkdir(exist_ok=True)
    pure = pure_wheel(ROOT / "build" / "wheels")
    shutil.copy2(pure, DIST / pure.name)
    print(f"{pure.name}: every platform (the pure-Python firewall)")
    failures = 0
    for arch in options.arch or ["x86_64", "aarch64"]:
        for version in options.versions:
            try:
                built = compiled_for.build(version, arch)
            except RuntimeError as exc:
                print(f"Python {version} {arch}: no compiled wheel ({exc})")
                continue
            wheel = compiled_wheel(pure, built, version, arch)
            problem = platform_problem(wheel, arch) or imported(wheel, version, arch)
            if problem is not None and not problem.startswith("not checked"):
                wheel.unlink()
                print(f"Python {version} {arch}: wheel FAILED its checks, removed: {problem}")
                failures += 1
                continue
            print(f"{wheel.name}: {problem or 'manylinux_2_17 (auditwheel), imported compiled and blocks'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
