"""Execution role can read data without resource constraints."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules.over_privileged._policy_issue import PolicyIssueRule


class DataExfiltration(PolicyIssueRule):
    id = "HG-IAM-006"
    kind = "data-exfiltration"
    severity = Severity.HIGH
    title = "Execution role can read data without resource constraints"
    description = (
        "Data-reading actions (s3:GetObject, dynamodb:Scan, secretsmanager:GetSecretValue, ...) are granted on "
        "every resource, so an injected request can exfiltrate data the function never uses."
    )
    remediation = "Scope read actions to the exact tables, buckets, secrets and keys the function needs."
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",)
