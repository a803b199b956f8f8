"""Execution role can mint or read credentials."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules.over_privileged._policy_issue import PolicyIssueRule


class CredentialExposure(PolicyIssueRule):
    id = "HG-IAM-007"
    kind = "credential-exposure"
    severity = Severity.HIGH
    title = "Execution role can mint or read credentials"
    description = (
        "Actions that return credentials (iam:CreateAccessKey, sts:AssumeRole on any role, "
        "ecr:GetAuthorizationToken, ...) let an attacker turn a function compromise into long-lived access."
    )
    remediation = "Remove credential-issuing actions or restrict them to specific, necessary resources."
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",)
