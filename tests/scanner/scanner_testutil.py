"""Shared paths for the scanner tests (imported by name: tests/scanner is on sys.path under pytest)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
OSV_DB = FIXTURES / "osv"
# Runtime deprecation depends on the date; tests pin it so results do not change over time.
TODAY = dt.date(2026, 11, 28)
