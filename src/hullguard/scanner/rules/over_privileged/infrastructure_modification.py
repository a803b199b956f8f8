"""Execution role can modify infrastructure."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules.over_privileged._policy_issue import PolicyIssueRule


class InfrastructureModification(PolicyIssueRule):
    id = "HG-IAM-009"
    kind = "infrastructure-modification"
    severity = Severity.HIGH
    title = "Execution role can modify infrastructure"
    description = (
        "The role can create, change or delete infrastructure (functions, roles, networks, stacks), which a "
        "function handling requests should never do."
    )
    remediation = "Remove infrastructure-modifying actions from the function's role."
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",)
