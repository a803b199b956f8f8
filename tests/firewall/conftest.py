"""The compiled run of these tests (``make unit-compiled``) must really test the compiled modules."""

from __future__ import annotations

import os

import pytest

from hullguard.firewall import compiled


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("HULLGUARD_TEST_COMPILED") == "1" and not compiled():
        raise pytest.UsageError(
            "HULLGUARD_TEST_COMPILED=1 but the firewall modules imported are the sources: "
            "build them with scripts/compiled_build.py and put build/compiled/src first on PYTHONPATH"
        )
