"""Execution role allows every action."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules.over_privileged._policy_issue import PolicyIssueRule


class WildcardAction(PolicyIssueRule):
    id = "HG-IAM-001"
    kind = "wildcard-action"
    severity = Severity.HIGH
    title = "Execution role allows every action"
    description = (
        'The function\'s role grants Action "*" (every action of every service). An attacker who controls the '
        "function through any code flaw inherits all of it."
    )
    remediation = "List the exact actions the function's code calls; hullguard gen-roles derives them from the code."
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",)
