"""The one application model: every input format, and a live account, becomes this before any rule
runs, so a rule is written once (house rule 2). ``finding.py`` is what rules produce."""

from hullguard.model.app import (
    Api,
    Application,
    Function,
    FunctionUrl,
    Permission,
    Policy,
    Resource,
    Role,
    Route,
    SourceRef,
    Statement,
    Trigger,
    Unknown,
)
from hullguard.model.finding import Finding

__all__ = [
    "Api",
    "Application",
    "Finding",
    "Function",
    "FunctionUrl",
    "Permission",
    "Policy",
    "Resource",
    "Role",
    "Route",
    "SourceRef",
    "Statement",
    "Trigger",
    "Unknown",
]
