"""A CPython that this machine does not have, from Debian's packages, to build and check the firewall's
compiled extensions for a Lambda runtime (a Python version, an architecture) with it.

    .venv/bin/python scripts/debian_python.py 3.14 [x86_64|aarch64]

AWS Lambda runs Python 3.10 to 3.14 on x86_64 and arm64; a build machine rarely has all ten. Debian
publishes CPython builds for both architectures (``SUITES``: which release has which version), and its
packages are plain archives: this script downloads the interpreter, its standard library, its headers
and the shared libraries they need (the ``Depends`` closure, checked against the release's signed-off
SHA-256 sums in its package index), unpacks them under ``build/pythons/<version>-<arch>/root`` and
writes a launcher beside it, ``python``, that runs that interpreter:

- on this machine's architecture, with the unpacked C library's own loader (a newer Debian release's
  CPython needs a newer glibc than the machine's);
- on the other architecture, under ``qemu-<arch>-static`` (Debian: ``apt-get install qemu-user-static``),
  which runs arm64 programs on x86_64 (and the reverse) with the unpacked tree as their root.

The interpreter is used to generate mypyc's C for its version (``compiled_for.py``), whose headers the
cross compiler then compiles against, and to import the built layer as that Lambda runtime would. It
is not a Lambda runtime (Amazon Linux builds CPython itself), but the C API a compiled extension uses is
CPython's, the same in every build of one version for one architecture.

Prints the launcher's path; exit 1 with the reason when it cannot be set up.
"""

from __future__ import annotations

import hashlib
import lzma
import platform
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ROOT / "build" / "pythons"
MIRROR = "https://deb.debian.org/debian"
# The Debian release that ships each CPython version Lambda runs (3.10 and 3.12 are in none that the
# mirror still serves: those runtimes build only where the machine has that interpreter itself).
SUITES = {"3.11": "bookworm", "3.13": "trixie", "3.14": "forky"}
DEBIAN_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}
TRIPLET = {"x86_64": "x86_64-linux-gnu", "aarch64": "aarch64-linux-gnu"}
LOADER = {"x86_64": "lib64/ld-linux-x86-64.so.2", "aarch64": "lib/ld-linux-aarch64.so.1"}
# Needed by no interpreter run: configuration and data packages the closure drags in.
_SKIPPED = {"debconf", "tzdata", "media-types", "netbase", "readline-common"}

Package = dict[str, str]


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (a fixed https mirror)
        return bytes(response.read())


def _index(suite: str, arch: str, cache: Path) -> dict[str, Package]:
    """The release's package index for ``arch`` (Debian's name), by package name."""
    path = cache / f"{suite}-{arch}.Packages"
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        data = lzma.decompress(_fetch(f"{MIRROR}/dists/{suite}/main/binary-{arch}/Packages.xz"))
        path.write_bytes(data)
    packages: dict[str, Package] = {}
    for stanza in path.read_text(encoding="utf-8").split("\n\n"):
        fields: Package = {}
        for line in stanza.splitlines():
            if line[:1] not in (" ", "\t") and ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if "Package" in fields:
            packages.setdefault(fields["Package"], fields)
    return packages


def _closure(packages: dict[str, Package], roots: list[str]) -> list[Package]:
    """``roots`` and what they depend on (first alternative of each dependency; virtual names
    through ``Provides``), without the ``_SKIPPED`` ones."""
    provided: dict[str, str] = {}
    for name, fields in packages.items():
        for entry in fields.get("Provides", "").split(","):
            virtual = entry.strip().split(" ")[0]
            if virtual:
                provided.setdefault(virtual, name)
    wanted: dict[str, Package] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        real = name if name in packages else provided.get(name)
        if real is None:
            raise RuntimeError(f"Debian package {name} not found in the index")
        if real in wanted or real in _SKIPPED:
            continue
        fields = packages[real]
        wanted[real] = fields
        for key in ("Pre-Depends", "Depends"):
            for dependency in filter(None, (d.strip() for d in fields.get(key, "").split(","))):
                todo.append(dependency.split("|")[0].strip().split(" ")[0].split(":")[0])
    return list(wanted.values())


def _unpack(fields: Package, cache: Path, root: Path) -> None:
    deb = cache / Path(fields["Filename"]).name
    if not deb.is_file() or hashlib.sha256(deb.read_bytes()).hexdigest() != fields["SHA256"]:
        data = _fetch(f"{MIRROR}/{fields['Filename']}")
        if hashlib.sha256(data).hexdigest() != fields["SHA256"]:
            raise RuntimeError(f"{deb.name}: SHA-256 differs from the release's index")
        deb.write_bytes(data)
    done = subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"could not unpack {deb.name}: {done.stderr.strip()[-300:]}")


def _merge_usr(root: Path) -> None:
    """``/lib`` and the other top directories as links into ``/usr`` where the packages ship only the
    latter (releases after bookworm: a program still asks for ``/lib/ld-linux-aarch64.so.1``)."""
    for name in ("bin", "lib", "lib64", "sbin"):
        if not (root / name).exists() and (root / "usr" / name).is_dir():
            (root / name).symlink_to(Path("usr") / name)


def _launcher(home: Path, version: str, arch: str) -> str:
    root = home / "root"
    python = root / "usr" / "bin" / f"python{version}"
    if arch == platform.machine():
        libraries = ":".join(str(root / d / TRIPLET[arch]) for d in ("lib", "usr/lib"))
        run = f'exec "{root / LOADER[arch]}" --library-path "{libraries}" --argv0 "$0" "{python}" "$@"'
    else:
        qemu = shutil.which(f"qemu-{arch}-static") or shutil.which(f"qemu-{arch}")
        if qemu is None:
            raise RuntimeError(f"no qemu-{arch}-static to run {arch} programs (apt-get install qemu-user-static)")
        run = f'exec "{qemu}" -L "{root}" -0 "$0" "{python}" "$@"'
    # PYTHONHOME: the interpreter finds its library from its own path, which the loader hides.
    home = root / "usr"
    comment = f"# Debian's CPython {version} for {arch} (scripts/debian_python.py)"
    return f'#!/bin/sh\n{comment}\nexport PYTHONHOME="{home}"\n{run}\n'


def release(version: str) -> str:
    """The Debian release whose CPython ``version`` is used; RuntimeError when no release on the mirror
    ships that version."""
    suite = SUITES.get(version)
    if suite is None:
        raise RuntimeError(f"no Debian release on the mirror ships CPython {version}")
    return suite


def unpacked(version: str, arch: str) -> Path:
    """The directory Debian's CPython ``version`` for ``arch`` is unpacked in (its ``root``), fetched
    on first use; RuntimeError with the reason when it cannot be. Nothing is run: compiling against
    its headers needs no emulator."""
    suite = release(version)
    if arch not in DEBIAN_ARCH:
        raise RuntimeError(f"unknown architecture {arch} (x86_64 or aarch64)")
    home = PYTHONS / f"{version}-{arch}"
    if (home / ".complete").is_file():
        return home
    cache = ROOT / "build" / "debian"
    try:
        packages = _index(suite, DEBIAN_ARCH[arch], cache)
        # libstdc++: every Lambda runtime has it, and google-re2's extension needs it
        wanted = _closure(packages, [f"python{version}-minimal", f"libpython{version}-stdlib", "libstdc++6"])
        wanted.append(packages[f"libpython{version}-dev"])  # the headers (its own dependencies are not run)
        shutil.rmtree(home, ignore_errors=True)
        (home / "root").mkdir(parents=True)
        for fields in wanted:
            _unpack(fields, cache, home / "root")
        _merge_usr(home / "root")
    except (OSError, KeyError) as exc:
        shutil.rmtree(home, ignore_errors=True)
        raise RuntimeError(f"could not fetch Debian's CPython {version} for {arch}: {exc}") from None
    (home / ".complete").write_text(f"{suite} {arch}\n")  # an interrupted fetch is redone
    return home


def launcher(version: str, arch: str) -> Path:
    """The launcher of Debian's CPython ``version`` for ``arch`` (``unpacked`` first), checked to run
    here; RuntimeError with the reason when it cannot be set up or does not run."""
    home = unpacked(version, arch)
    exe = home / "python"
    exe.write_text(_launcher(home, version, arch))
    exe.chmod(0o755)
    probe = subprocess.run(
        [str(exe), "-c", "import sys; print(sys.version)"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        raise RuntimeError(f"Debian's CPython {version} for {arch} does not run here: {probe.stderr.strip()[-300:]}")
    return exe


def headers(version: str, arch: str) -> list[Path]:
    """The include directories to compile an extension for ``version`` on ``arch`` (after ``unpacked``)."""
    include = PYTHONS / f"{version}-{arch}" / "root" / "usr" / "include"
    return [include / f"python{version}", include]


def main(args: list[str]) -> int:
    if len(args) not in (1, 2) or args[0] not in SUITES:
        print(f"usage: debian_python.py VERSION [ARCH]  (VERSION one of {', '.join(SUITES)})", file=sys.stderr)
        return 2
    try:
        print(launcher(args[0], args[1] if len(args) == 2 else platform.machine()))
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
