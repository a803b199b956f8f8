"""S3 buckets that may be made public: no (or a disabled) public access block, or a public ACL."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule

PUBLIC_ACLS = {"PublicRead", "PublicReadWrite", "public-read", "public-read-write"}
BLOCK_FLAGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


class PublicBucket(Rule):
    id = "HG-CFG-001"
    severity = Severity.HIGH
    risk = "insecure-configuration"
    title = "S3 bucket public access is not blocked"
    description = (
        "The bucket turns its public access block off (or grants a public ACL), so one bucket policy or ACL change "
        "exposes every object. Misconfigured cloud storage is the most common serverless data leak."
    )
    remediation = "Set all four PublicAccessBlockConfiguration flags to true and serve public content via CloudFront."
    references = ("https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for bucket in app.resources_of_type("AWS::S3::Bucket"):
            props = bucket.properties
            acl = props.get("AccessControl") or props.get("acl")
            if isinstance(acl, str) and acl in PUBLIC_ACLS:
                yield self.finding(
                    app, f"bucket {bucket.logical_id} has public ACL {acl}", bucket.source, resource=bucket.logical_id
                )
                continue
            block = props.get("PublicAccessBlockConfiguration")
            if isinstance(block, dict):
                off = [flag for flag in BLOCK_FLAGS if block.get(flag) is False]
                if off:
                    yield self.finding(
                        app,
                        f"bucket {bucket.logical_id} disables " + ", ".join(off),
                        bucket.source,
                        resource=bucket.logical_id,
                    )
        for block in app.resources_of_type("AWS::S3::PublicAccessBlock"):
            off = [
                k
                for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
                if block.properties.get(k) is False
            ]
            if off:
                yield self.finding(
                    app, f"{block.logical_id} disables " + ", ".join(off), block.source, resource=block.logical_id
                )
