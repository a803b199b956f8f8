"""Execution flow: only the triggers, sources and accounts the policy lists may invoke the function.

Each list applies only when it is non-empty. Accounts are judged only when the event names one
(S3 notifications, for example, carry no account id): an event that names none passes that check.
"""

from __future__ import annotations

import fnmatch

from hullguard.events.schema import Severity
from hullguard.runtime import triggers
from hullguard.runtime.policy import InvokersPolicy
from hullguard.runtime.report import Reporter, Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

WRONG_TRIGGER = Rule("HG-RT-INV-001", "Invocation from a trigger the policy does not list", "invoker",
                     "flow-manipulation", Severity.HIGH, "CWE-284")
WRONG_SOURCE = Rule("HG-RT-INV-002", "Invocation from a source or account the policy does not list", "invoker",
                    "flow-manipulation", Severity.HIGH, "CWE-284")


class InvokerControl:
    def __init__(self, policy: InvokersPolicy, reporter: Reporter) -> None:
        self.policy = policy
        self.reporter = reporter
        self.active = bool(policy.triggers or policy.sources or policy.accounts)

    def check(self, event: Any, trigger: str) -> bool:
        """True when the invocation must be rejected."""
        if not self.active:
            if self.reporter.learn:
                self.reporter.record({"kind": "trigger", "value": trigger})
            return False
        if self.policy.triggers and trigger not in self.policy.triggers:
            return self.reporter.decide(self.policy.action, WRONG_TRIGGER, location=trigger,
                                        evidence=f"trigger {trigger}", policy_rule="invokers.triggers",
                                        observed={"kind": "trigger", "value": trigger})
        if not (self.policy.sources or self.policy.accounts):
            return False
        arns, accounts = triggers.sources(event)
        if self.policy.sources:
            bad = [a for a in arns if not any(fnmatch.fnmatchcase(a, g) for g in self.policy.sources)]
            if bad or not arns:
                what = bad[0] if bad else "(no source named)"
                return self.reporter.decide(self.policy.action, WRONG_SOURCE, location=what, evidence=what,
                                            policy_rule="invokers.sources",
                                            observed={"kind": "source", "value": what})
        if self.policy.accounts:
            bad = [a for a in accounts if a not in self.policy.accounts]
            if bad:
                return self.reporter.decide(self.policy.action, WRONG_SOURCE, location=bad[0],
                                            evidence=f"account {bad[0]}", policy_rule="invokers.accounts",
                                            observed={"kind": "account", "value": bad[0]})
        return False
