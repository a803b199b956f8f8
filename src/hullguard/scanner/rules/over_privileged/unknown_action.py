"""Execution role names an action that does not exist."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules.over_privileged._policy_issue import PolicyIssueRule


class UnknownAction(PolicyIssueRule):
    id = "HG-IAM-011"
    kind = "unknown-action"
    severity = Severity.LOW
    title = "Execution role names an action that does not exist"
    description = (
        "A statement names an action unknown to the IAM dataset: a typo that silently grants nothing, or a sign the"
        " policy was not reviewed."
    )
    remediation = "Fix the action name (hullguard iam analyze shows the closest known actions)."
    references = ("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",)
