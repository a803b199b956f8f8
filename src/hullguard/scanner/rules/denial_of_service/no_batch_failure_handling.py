"""Stream and queue triggers where one bad record fails the whole batch."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule
from hullguard.scanner.rules.helpers import POLL_KINDS


class NoBatchFailureHandling(FunctionRule):
    id = "HG-DOS-005"
    severity = Severity.LOW
    risk = "denial-of-service"
    title = "Stream or queue trigger without partial batch failure handling"
    description = (
        "Without ReportBatchItemFailures (or bisecting on error) one poison record makes the whole batch retry "
        "again and again, reprocessing good records and stalling the stream."
    )
    remediation = (
        "Enable FunctionResponseTypes: [ReportBatchItemFailures] and return batchItemFailures from the handler."
    )
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for trigger in fn.triggers:
            if (
                trigger.kind in POLL_KINDS
                and trigger.kind != "mq"
                and not trigger.report_batch_item_failures
                and not trigger.details.get("bisect")
            ):
                yield self.finding(
                    app, f"{trigger.kind} trigger does not report batch item failures", trigger.source, function=fn
                )
