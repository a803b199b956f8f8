"""Buckets without server access logs: reads and writes of the application's data leave no trace."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule


class BucketAccessLogging(Rule):
    id = "HG-LOG-003"
    severity = Severity.LOW
    risk = "inadequate-logging"
    title = "S3 bucket has no server access logging"
    description = (
        "Without server access logs (or CloudTrail data events) nobody can tell who read or wrote the "
        "application's objects: an exfiltration through a compromised function or a public policy goes unseen."
    )
    remediation = "Set LoggingConfiguration (aws_s3_bucket_logging in Terraform) to a separate log bucket."
    references = ("https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        logged = {str(r.properties.get("bucket")) for r in app.resources if r.type == "aws_s3_bucket_logging"}
        buckets = app.resources_of_type("AWS::S3::Bucket")
        # A bucket that receives the others' logs is the log archive; logging it into itself would loop.
        destinations = {
            str(b.properties["LoggingConfiguration"].get("DestinationBucketName"))
            for b in buckets
            if isinstance(b.properties.get("LoggingConfiguration"), dict)
        } | {str(r.properties.get("target_bucket")) for r in app.resources if r.type == "aws_s3_bucket_logging"}
        for bucket in buckets:
            props = bucket.properties
            if props.get("LoggingConfiguration") or props.get("logging"):
                continue
            names = {
                bucket.logical_id,
                "${" + bucket.logical_id + "}",
                str(props.get("BucketName")),
                f"${{{bucket.logical_id}.id}}",
            }
            if destinations & names:
                continue
            if any(bucket.logical_id in target for target in logged):
                continue
            yield self.finding(
                app, f"bucket {bucket.logical_id} keeps no access log", bucket.source, resource=bucket.logical_id
            )
