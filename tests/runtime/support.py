"""Shared pieces of the runtime tests: sample events and the firewall switches they use."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runtime"

# The firewall would stop most of these payloads first; these tests prove the runtime stops them
# when it does not (defence in depth), so the families that would catch them are switched off.
FIREWALL_OFF = {"families": dict.fromkeys(("cmdi", "code", "path", "ssrf", "rfi", "deser", "ssti"), "off")}


def load_event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "events" / name).read_text())
    return data


def api_event(body: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Powertools API Gateway REST sample with a JSON body of our choosing."""
    event = copy.deepcopy(load_event("apiGatewayProxyEvent.json"))
    event["body"] = json.dumps(body or {"action": "list"})
    return event
