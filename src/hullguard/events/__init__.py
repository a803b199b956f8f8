"""The security-event schema every part speaks (see ``schema.py``)."""

from hullguard.events.schema import (
    RISKS,
    Action,
    FunctionContext,
    SecurityEvent,
    Severity,
)

__all__ = ["RISKS", "Action", "FunctionContext", "SecurityEvent", "Severity"]
