"""The shape of an account rule and the settings rules read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hullguard.cloud.collectors.facts import LiveRegion
from hullguard.events.schema import Severity
from hullguard.model.app import Function
from hullguard.model.finding import Finding


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Settings of one audit run that rules may read."""

    unused_days: int = 0  # 0 = do not judge unused functions
    trusted_layer_accounts: frozenset[str] = frozenset()
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))


# A check yields (function or None, message, detail) for every violation it sees.
Hit = tuple[Function | None, str, dict[str, Any]]
Check = Callable[[LiveRegion, RuleContext], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class AccountRule:
    id: str
    title: str
    severity: Severity
    risk: str
    description: str
    remediation: str
    check: Check
    references: tuple[str, ...] = ()
    config_rule: bool = True  # also packaged as an AWS Config custom rule

    def run(self, live: LiveRegion, ctx: RuleContext) -> list[Finding]:
        findings: list[Finding] = []
        for function, message, detail in self.check(live, ctx):
            name = str(function.name) if function is not None else None
            facts = live.facts.get(name) if name else None
            extra = {"account": live.account, "region": live.region, **detail}
            if facts is not None:
                extra.setdefault("arn", facts.arn)
            findings.append(
                Finding(
                    rule_id=self.id,
                    title=self.title,
                    severity=self.severity,
                    risk=self.risk,
                    message=message,
                    function=name,
                    resource=str(detail.get("resource") or (facts.arn if facts else "")) or None,
                    remediation=self.remediation,
                    application=live.app.name,
                    detail=extra,
                )
            )
        return findings
