"""Build hook beside pyproject.toml (which holds everything else).

With ``HULLGUARD_COMPILE=1`` the firewall's in-function modules are compiled with mypyc into a platform
wheel (the list is ``scripts/compiled_build.py``'s); without it, the pure-Python wheel, which runs on any
platform. mypy, which provides mypyc, must then be installed in the building environment:

    HULLGUARD_COMPILE=1 .venv/bin/pip wheel --no-build-isolation --no-deps -w dist .
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup


def ext_modules() -> list[Any]:
    if os.environ.get("HULLGUARD_COMPILE") != "1":
        return []
    root = Path(__file__).resolve().parent
    sys.path.insert(0, str(root / "scripts"))
    from compiled_build import modules
    from mypyc.build import mypycify

    return mypycify([f"src/{module}" for module in modules(root)], opt_level="3")  # type: ignore[no-any-return]


setup(ext_modules=ext_modules())
