"""Execution role uses Allow with NotAction or NotResource."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules.over_privileged._policy_issue import PolicyIssueRule


class NotActionAllow(PolicyIssueRule):
    id = "HG-IAM-010"
    kind = "not-action-allow"
    severity = Severity.HIGH
    title = "Execution role uses Allow with NotAction or NotResource"
    description = (
        "Allow with NotAction/NotResource grants everything except a list, including every action AWS adds in future."
    )
    remediation = "Rewrite the statement as an explicit Allow list of actions and resources."
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",)
