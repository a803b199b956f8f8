"""DynamoDB tables encrypted only with an AWS-owned or AWS-managed key."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule
from hullguard.scanner.rules.helpers import is_on, setting


class TableWithoutCustomerKey(Rule):
    id = "HG-CFG-009"
    severity = Severity.INFO
    risk = "insecure-configuration"
    title = "DynamoDB table is not encrypted with a customer-managed KMS key"
    description = (
        "DynamoDB always encrypts at rest, but with an AWS-owned (or the aws/dynamodb managed) key nobody can "
        "restrict who decrypts, revoke access by disabling the key, or see key use in CloudTrail. Info: the data is "
        "encrypted either way; a customer key adds control and audit for sensitive tables (Checkov CKV_AWS_119)."
    )
    remediation = (
        "Set SSESpecification: {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: <key>} "
        "(server_side_encryption { enabled = true, kms_key_arn = ... } in Terraform)."
    )
    references = ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for table in app.resources_of_type("AWS::DynamoDB::Table"):
            props = table.properties
            # SSEEnabled without a key id means the AWS-managed aws/dynamodb key; any stated key id counts.
            sse = props.get("SSESpecification")
            if is_on(setting(sse, "SSEEnabled")) and setting(sse, "KMSMasterKeyId"):
                continue
            block = props.get("server_side_encryption")
            if is_on(setting(block, "enabled")) and setting(block, "kms_key_arn"):
                continue
            yield self.finding(
                app,
                f"table {table.logical_id} uses an AWS-owned or AWS-managed key",
                table.source,
                resource=table.logical_id,
            )
