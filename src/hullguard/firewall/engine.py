"""Placeholder engine: replaced by the firewall implementation."""

from __future__ import annotations

from typing import Any

from hullguard.firewall.verdict import Verdict


class Firewall:
    def __init__(self, policy: Any = None) -> None:
        self.policy = policy

    def inspect(self, event: Any) -> Verdict:
        return Verdict()
