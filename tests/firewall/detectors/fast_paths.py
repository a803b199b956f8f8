"""Checking a detector's fast path: with it and without it, ``detect`` must answer alike."""

from __future__ import annotations

import random
from types import ModuleType

from hullguard.firewall.detectors.base import ScanContext


def disagreements(module: ModuleType, shortcut: str, words: list[str], seed: int, count: int = 5000) -> list[str]:
    """Random mixes of ``words`` on which ``module.detect`` (paranoia 3) answers differently when the
    function ``shortcut`` - a "nothing here can match" test - is turned off."""
    rng = random.Random(seed)
    original = getattr(module, shortcut)
    differing = []
    for _ in range(count):
        text = rng.choice(["", " "]).join(rng.choice(words) for _ in range(rng.randint(1, 6)))
        fast = module.detect(text, ScanContext(paranoia=3))
        setattr(module, shortcut, lambda value: False)
        try:
            slow = module.detect(text, ScanContext(paranoia=3))
        finally:
            setattr(module, shortcut, original)
        if (fast is None) != (slow is None):
            differing.append(text)
    return differing
