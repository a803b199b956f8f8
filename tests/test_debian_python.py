"""scripts/debian_python.py reads Debian's package index and picks what an interpreter needs (offline:
an index in the format Debian publishes, its fields as the real forky index has them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import debian_python  # noqa: E402  (scripts/, put on the path above)

INDEX = """Package: python3.14-minimal
Source: python3.14
Version: 3.14.8-1
Depends: libpython3.14-minimal (= 3.14.8-1), libexpat1 (>= 2.8.0), zlib1g (>= 1:1.2.0)
Pre-Depends: libc6 (>= 2.38)
Description: Minimal subset of the Python language (version 3.14)
 This package contains the interpreter and some essential modules.
Filename: pool/main/p/python3.14/python3.14-minimal_3.14.8-1_amd64.deb
SHA256: 06e82c1b5c9d6f3ff6a25e0eb4c136fb10cedd93d51ec378ff163c9bee584270

Package: libpython3.14-minimal
Version: 3.14.8-1
Depends: libc6 (>= 2.14), libssl3 (>= 3.4.0) | libssl-alternative, tzdata
Filename: pool/main/p/python3.14/libpython3.14-minimal_3.14.8-1_amd64.deb

Package: libssl3t64
Version: 3.6.5-1
Provides: libssl3 (= 3.6.5-1)
Depends: libc6:any (>= 2.38)
Filename: pool/main/o/openssl/libssl3t64_3.6.5-1_amd64.deb

Package: libc6
Version: 2.42-1
Filename: pool/main/g/glibc/libc6_2.42-1_amd64.deb

Package: libexpat1
Version: 2.8.0-1
Filename: pool/main/e/expat/libexpat1_2.8.0-1_amd64.deb

Package: zlib1g
Version: 1:1.3.dfsg-3
Filename: pool/main/z/zlib/zlib1g_1.3.dfsg-3_amd64.deb

Package: tzdata
Version: 2026a-1
Filename: pool/main/t/tzdata/tzdata_2026a-1_all.deb
"""


def _index(tmp_path: Path, text: str = INDEX) -> dict[str, dict[str, str]]:
    (tmp_path / "forky-amd64.Packages").write_text(text)
    return debian_python._index("forky", "amd64", tmp_path)  # cached file: nothing is fetched


def test_the_closure_follows_depends_pre_depends_and_provides(tmp_path: Path) -> None:
    packages = _index(tmp_path)
    assert packages["python3.14-minimal"]["SHA256"].startswith("06e82c1b")
    assert packages["python3.14-minimal"]["Description"].startswith("Minimal subset")  # continuation lines dropped
    wanted = {fields["Package"] for fields in debian_python._closure(packages, ["python3.14-minimal"])}
    # the first alternative (libssl3, provided by libssl3t64), ":any" and version constraints read,
    # tzdata (data no interpreter run needs) left out
    assert wanted == {"python3.14-minimal", "libpython3.14-minimal", "libssl3t64", "libc6", "libexpat1", "zlib1g"}


def test_a_dependency_missing_from_the_index_is_named(tmp_path: Path) -> None:
    packages = _index(tmp_path, INDEX.replace("Package: zlib1g\n", "Package: zlib-other\n"))
    with pytest.raises(RuntimeError, match="zlib1g not found"):
        debian_python._closure(packages, ["python3.14-minimal"])


def test_unshipped_versions_and_unknown_architectures_are_refused_before_any_download() -> None:
    unshipped = next(v for v in ("3.10", "3.11", "3.12", "3.13", "3.14") if v not in debian_python.SUITES)
    with pytest.raises(RuntimeError, match=f"ships CPython {unshipped}"):
        debian_python.unpacked(unshipped, "x86_64")
    with pytest.raises(RuntimeError, match="unknown architecture"):
        debian_python.unpacked(next(iter(debian_python.SUITES)), "riscv64")


def test_merged_usr_links_let_a_program_find_its_loader(tmp_path: Path) -> None:
    (tmp_path / "usr" / "lib").mkdir(parents=True)
    (tmp_path / "usr" / "lib" / "ld-linux-aarch64.so.1").write_text("loader")
    (tmp_path / "lib64").mkdir()  # shipped as a directory of its own: left as it is
    debian_python._merge_usr(tmp_path)
    assert (tmp_path / "lib" / "ld-linux-aarch64.so.1").read_text() == "loader"
    assert not (tmp_path / "lib64").is_symlink() and not (tmp_path / "bin").exists()
