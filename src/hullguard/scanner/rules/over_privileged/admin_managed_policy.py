"""Execution role has an administrator, power-user or full-access managed policy."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules.over_privileged._policy_issue import PolicyIssueRule


class AdminManagedPolicy(PolicyIssueRule):
    id = "HG-IAM-004"
    kind = "admin-managed-policy"
    severity = Severity.CRITICAL
    title = "Execution role has an administrator, power-user or full-access managed policy"
    description = (
        "An AWS managed policy such as AdministratorAccess, PowerUserAccess or *FullAccess is attached to a "
        "function role; it grants far more than one function needs."
    )
    remediation = "Detach the managed policy and grant the function a scoped inline policy."
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",)
