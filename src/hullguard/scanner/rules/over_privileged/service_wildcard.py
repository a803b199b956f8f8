"""Execution role allows a whole service (service:*)."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules.over_privileged._policy_issue import PolicyIssueRule


class ServiceWildcard(PolicyIssueRule):
    id = "HG-IAM-003"
    kind = "service-wildcard"
    severity = Severity.HIGH
    title = "Execution role allows a whole service (service:*)"
    description = (
        "A statement grants every action of a service (e.g. dynamodb:*), including deletes and administrative calls"
        " the function never makes."
    )
    remediation = "Replace service:* with the specific read/write actions the code calls."
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",)
