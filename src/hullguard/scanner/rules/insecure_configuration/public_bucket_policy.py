"""Bucket policies that allow everyone."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule
from hullguard.scanner.rules.helpers import is_everyone, policy_statements


class PublicBucketPolicy(Rule):
    id = "HG-CFG-002"
    severity = Severity.HIGH
    risk = "insecure-configuration"
    title = "Bucket policy allows anyone"
    description = (
        'A bucket policy statement allows principal "*" without a condition that limits who can use it '
        "(source VPC, account, organisation), making the bucket's objects public."
    )
    remediation = "Grant access to specific principals, or add conditions such as aws:PrincipalOrgID or aws:SourceVpce."
    references = ("https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-policy-language-overview.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for policy in app.resources_of_type("AWS::S3::BucketPolicy"):
            document = policy.properties.get("PolicyDocument") or policy.properties.get("policy")
            for statement in policy_statements(document):
                if (
                    statement.effect == "Allow"
                    and statement.principals
                    and is_everyone(statement.principals)
                    and not statement.conditions
                ):
                    actions = ", ".join(statement.actions) or "*"
                    yield self.finding(
                        app,
                        f"{policy.logical_id} allows {actions} to principal *",
                        policy.source,
                        resource=policy.logical_id,
                    )
