"""Execution role can change resource policies."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules.over_privileged._policy_issue import PolicyIssueRule


class ResourceExposure(PolicyIssueRule):
    id = "HG-IAM-008"
    kind = "resource-exposure"
    severity = Severity.HIGH
    title = "Execution role can change resource policies"
    description = (
        "Actions that rewrite resource policies or sharing (s3:PutBucketPolicy, lambda:AddPermission, "
        "kms:PutKeyPolicy, ...) let a compromised function open resources to the world."
    )
    remediation = "Move resource-policy changes out of runtime roles into the deployment pipeline."
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",)
