"""S3 buckets without versioning: one overwrite or delete through a compromised function loses the data."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule
from hullguard.scanner.rules.helpers import companions, is_on, setting


class BucketVersioning(Rule):
    id = "HG-CFG-007"
    severity = Severity.LOW
    risk = "insecure-configuration"
    title = "S3 bucket versioning is not enabled"
    description = (
        "A function with write access (or an injected event that reaches one) can overwrite or delete every object; "
        "without versioning the previous contents are gone, which is what ransomware-style wipes and destructive "
        "injected writes rely on. Low: it limits the damage of another flaw rather than being one (Checkov CKV_AWS_21)."
    )
    remediation = (
        'Set VersioningConfiguration: {Status: Enabled} (aws_s3_bucket_versioning with status = "Enabled" in '
        "Terraform), with a lifecycle rule that expires old versions."
    )
    references = ("https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        separate = companions(app, "aws_s3_bucket_versioning", "bucket")
        for bucket in app.resources_of_type("AWS::S3::Bucket"):
            props = bucket.properties
            if is_on(setting(props.get("VersioningConfiguration"), "Status"), "Enabled"):
                continue
            if is_on(setting(props.get("versioning"), "enabled")):  # Terraform AWS provider < 4
                continue
            companion = separate.get(bucket.logical_id)
            if companion and is_on(setting(companion.properties.get("versioning_configuration"), "status"), "Enabled"):
                continue
            yield self.finding(
                app, f"bucket {bucket.logical_id} keeps no previous versions", bucket.source, resource=bucket.logical_id
            )
