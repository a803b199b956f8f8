"""ARN checks shared by the analyser and the role generator: well-formed, and how broad."""

from __future__ import annotations

import re

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")

# A template placeholder such as ${AWS::Region} or ${Stage}, or a policy variable ${aws:username}.
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


def arn_problem(resource: str) -> str | None:
    """Why ``resource`` is not a valid Resource element, or None when it is.

    Template placeholders (``${AWS::AccountId}``) are accepted wherever a segment may vary.
    """
    if resource == "*" or _PLACEHOLDER.fullmatch(resource):
        return None  # a template reference (${Queue.Arn}, ${aws_sqs_queue.q.arn}) stands for a whole ARN
    text = _PLACEHOLDER.sub("x", resource)
    if not text.startswith("arn:"):
        return "does not start with 'arn:' and is not '*'"
    parts = text.split(":", 5)
    if len(parts) < 6:
        return "has fewer than six ':'-separated parts (arn:partition:service:region:account:resource)"
    _, partition, service, region, account, rest = parts
    if partition not in PARTITIONS and "*" not in partition and partition != "x":
        return f"unknown partition {partition!r}"
    if not service or not re.fullmatch(r"[a-z0-9*?x-]+", service):
        return f"invalid service {service!r}"
    if region and not re.fullmatch(r"[a-z0-9*?x-]+", region):
        return f"invalid region {region!r}"
    if account and not re.fullmatch(r"[0-9*?x]+|aws", account):
        return f"invalid account {account!r}"
    if account and account.isdigit() and len(account) != 12:
        return f"account id {account!r} is not 12 digits"
    if not rest:
        return "empty resource part"
    return None


def is_broad(resource: str) -> bool:
    """True for ``*`` and ARNs whose resource part is only a wildcard (any bucket, any table...)."""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return False
    service, rest = parts[2], parts[5]
    segments = re.split(r"[/:]", rest)
    if all(s in ("", "*") for s in segments):
        return True
    # "table/*", "function:*": a resource type followed by a bare wildcard name. S3 has no type
    # segment (the first segment is the bucket name), so "bucket/*" is one bucket, not broad.
    return service != "s3" and len(segments) == 2 and segments[1] == "*"
