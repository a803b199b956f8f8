"""SQS queues whose messages are not encrypted at rest, or rely on the account default to be."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule
from hullguard.scanner.rules.helpers import is_on


class QueueEncryption(Rule):
    id = "HG-CFG-010"
    severity = Severity.LOW
    risk = "insecure-configuration"
    title = "SQS queue server-side encryption is disabled or not stated"
    description = (
        "Queues carry the events functions act on (orders, payments, personal data). Since late 2022 new queues "
        "get SQS-managed encryption (SSE-SQS) by default, so a queue that states nothing is encrypted when created "
        "today: that is reported at info, because the template then depends on a default that older queues and "
        "other tools do not share (Checkov CKV_AWS_27). A template that sets SqsManagedSseEnabled: false "
        "(sqs_managed_sse_enabled = false) without a KMS key switches encryption off on purpose: reported at low."
    )
    remediation = (
        "State the encryption: SqsManagedSseEnabled: true, or KmsMasterKeyId: <key> for a customer-managed key "
        "(sqs_managed_sse_enabled = true / kms_master_key_id in Terraform)."
    )
    references = (
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
    )

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for queue in app.resources_of_type("AWS::SQS::Queue"):
            props = queue.properties
            if props.get("KmsMasterKeyId") or props.get("kms_master_key_id"):
                continue
            managed = props.get("SqsManagedSseEnabled", props.get("sqs_managed_sse_enabled"))
            if is_on(managed):
                continue
            if managed is False or (isinstance(managed, str) and managed.lower() == "false"):
                yield self.finding(
                    app,
                    f"queue {queue.logical_id} turns server-side encryption off",
                    queue.source,
                    resource=queue.logical_id,
                )
            else:
                yield self.finding(
                    app,
                    f"queue {queue.logical_id} does not state its encryption (relies on the SSE-SQS default)",
                    queue.source,
                    resource=queue.logical_id,
                    severity=Severity.INFO,
                )
