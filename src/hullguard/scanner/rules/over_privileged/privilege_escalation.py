"""Execution role can escalate its own privileges."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules.over_privileged._policy_issue import PolicyIssueRule


class PrivilegeEscalation(PolicyIssueRule):
    id = "HG-IAM-005"
    kind = "privilege-escalation"
    severity = Severity.CRITICAL
    title = "Execution role can escalate its own privileges"
    description = (
        "The role holds a known privilege-escalation combination (e.g. iam:PassRole with lambda:CreateFunction, "
        "iam:AttachRolePolicy, iam:CreatePolicyVersion): a compromised function can give itself administrator "
        "rights."
    )
    remediation = (
        "Remove IAM and function-management actions from function roles, or constrain iam:PassRole with "
        "iam:PassedToService and exact role ARNs."
    )
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",)
