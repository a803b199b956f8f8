"""What a live account tells us beyond the shared application model.

The ``Application`` model is the same for repositories and accounts; facts only a live account has
(ARN, invocations over the last days, how it was deployed according to CloudTrail) sit beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hullguard.model.app import Application


@dataclass(slots=True)
class FunctionFacts:
    arn: str
    package_type: str = "Zip"
    code_size: int | None = None
    state: str | None = None
    layer_accounts: list[str] = field(default_factory=list)
    protection_signals: list[str] = field(default_factory=list)
    invocations: float | None = None  # sum over the unused-function window; None = not measured
    console_evidence: list[str] = field(default_factory=list)  # CloudTrail events showing console use


@dataclass(slots=True)
class LiveRegion:
    """One account and region, as the collectors saw it."""

    app: Application
    facts: dict[str, FunctionFacts] = field(default_factory=dict)  # by function name

    @property
    def account(self) -> str:
        return str(self.app.account)

    @property
    def region(self) -> str:
        return str(self.app.region)


def layer_account(layer_arn: Any) -> str | None:
    """``arn:aws:lambda:<region>:<account>:layer:<name>:<version>`` -> account."""
    parts = str(layer_arn).split(":")
    return parts[4] if len(parts) > 6 and parts[2] == "lambda" else None
