"""Execution role grants actions on every resource."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules.over_privileged._policy_issue import PolicyIssueRule


class WildcardResource(PolicyIssueRule):
    id = "HG-IAM-002"
    kind = "wildcard-resource"
    severity = Severity.MEDIUM
    title = "Execution role grants actions on every resource"
    description = (
        'The function\'s role allows actions on Resource "*", so a compromised function reaches every table, '
        "bucket or queue of the account instead of its own."
    )
    remediation = "Scope each statement to the ARNs of the resources the function uses (e.g. !GetAtt Table.Arn)."
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",)
