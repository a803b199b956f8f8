"""Counters and limits of one inspection (see ``policy.Budget`` for the limits themselves).

Work is counted where it happens (strings looked at, characters scanned, bytes decoded, nesting,
wall-clock time); the first limit reached stops the inspection and is named in the verdict.
"""

from __future__ import annotations

from time import perf_counter

from hullguard.firewall.policy import Budget


class Meter:
    __slots__ = ("budget", "deadline", "decoded", "depth_hits", "exhausted", "nodes", "reason", "scanned", "strings")

    def __init__(self, budget: Budget, start: float) -> None:
        self.budget = budget
        self.deadline = start + budget.time_budget_ms / 1000.0
        self.strings = 0  # strings (values and keys) looked at
        self.nodes = 0  # every value visited, containers and scalars included
        self.scanned = 0  # characters of text views handed to the prefilter
        self.decoded = 0  # bytes/characters produced by decoders
        self.depth_hits = 0
        self.exhausted = False
        self.reason = ""

    def exhaust(self, reason: str) -> None:
        if not self.exhausted:
            self.exhausted = True
            self.reason = reason

    def out_of_time(self) -> bool:
        if perf_counter() > self.deadline:
            self.exhaust(f"time budget of {self.budget.time_budget_ms:g} ms used up")
            return True
        return False

    def decoded_room(self) -> int:
        """How many more decoded bytes the budget allows."""
        return max(0, self.budget.max_decoded_bytes - self.decoded)
