"""Account-only rules: what only a live account can show (PureSec's four Lambda Config rules and more).

Each rule is one module-level ``AccountRule`` in ``catalogue.py`` with its metadata; ``evaluate_live``
runs them over ``LiveRegion`` models. Rules only read models and facts; they never call AWS.
"""

from hullguard.cloud.rules.base import AccountRule, RuleContext
from hullguard.cloud.rules.catalogue import RULES, evaluate_live, rule_by_id

__all__ = ["RULES", "AccountRule", "RuleContext", "evaluate_live", "rule_by_id"]
