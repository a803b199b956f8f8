"""Asynchronous and queue/stream triggers whose failed events are lost or retried forever."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule
from hullguard.scanner.rules.helpers import ASYNC_KINDS, STREAM_KINDS


class NoFailureDestination(FunctionRule):
    id = "HG-DOS-003"
    severity = Severity.MEDIUM
    risk = "denial-of-service"
    title = "Async or stream trigger without a dead-letter queue or on-failure destination"
    description = (
        "Failed asynchronous events are dropped after two retries, and a failing stream record blocks its shard "
        "until it expires: a poison message becomes a silent data loss or an outage."
    )
    remediation = (
        "Configure a DLQ / OnFailure destination for async invocations, and DestinationConfig.OnFailure "
        "on stream event source mappings (SQS: a redrive policy on the queue)."
    )
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        has_async_target = fn.dlq is not None or "on_failure" in fn.destinations
        async_triggers = [t for t in fn.triggers if t.kind in ASYNC_KINDS]
        if async_triggers and not has_async_target:
            kinds = ", ".join(sorted({t.kind for t in async_triggers}))
            yield self.finding(
                app,
                f"asynchronous triggers ({kinds}) without DLQ or on-failure destination",
                async_triggers[0].source,
                function=fn,
            )
        for trigger in fn.triggers:
            if trigger.kind in STREAM_KINDS and trigger.on_failure is None:
                yield self.finding(
                    app, f"{trigger.kind} trigger without an on-failure destination", trigger.source, function=fn
                )
            if trigger.kind == "sqs" and trigger.on_failure is None and not self._queue_redrives(app, trigger):
                yield self.finding(
                    app, "SQS trigger: the queue has no redrive policy (dead-letter queue)", trigger.source, function=fn
                )

    @staticmethod
    def _queue_redrives(app: Application, trigger: object) -> bool:
        from hullguard.scanner.rules.helpers import resource_by_ref

        queue = resource_by_ref(app, getattr(trigger, "source_arn", None))
        if queue is None:
            return True  # a queue defined elsewhere: its redrive policy is not knowable here
        return bool(queue.properties.get("RedrivePolicy") or queue.properties.get("redrive_policy"))
