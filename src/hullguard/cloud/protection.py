"""Is a deployed function protected by hullguard? Read from its configuration only.

Any one of: a layer whose name or ARN contains ``hullguard``; the no-code wrapper handler
``hullguard.handler.handler``; ``AWS_LAMBDA_EXEC_WRAPPER`` pointing at a hullguard wrapper; an
environment variable named ``HULLGUARD_*`` (the runtime's settings).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

WRAPPER_HANDLER = "hullguard.handler.handler"


def protection_signals(handler: Any, layers: Iterable[Any], environment: Mapping[str, Any]) -> list[str]:
    """Every reason to believe the function runs hullguard; empty when none."""
    signals: list[str] = []
    for layer in layers:
        if "hullguard" in str(layer).lower():
            signals.append(f"layer {layer}")
    if str(handler or "") == WRAPPER_HANDLER:
        signals.append(f"handler {WRAPPER_HANDLER}")
    wrapper = environment.get("AWS_LAMBDA_EXEC_WRAPPER")
    if wrapper is not None and "hullguard" in str(wrapper).lower():
        signals.append(f"AWS_LAMBDA_EXEC_WRAPPER={wrapper}")
    names = sorted(n for n in environment if n.upper().startswith("HULLGUARD_"))
    if names:
        signals.append("environment " + ", ".join(names))
    return signals
