"""Queues and topics anyone can write to: attackers inject events into the application's flow."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule
from hullguard.scanner.rules.helpers import is_everyone, policy_statements

POLICY_TYPES = {
    "AWS::SQS::QueuePolicy": "queue",
    "AWS::SNS::TopicPolicy": "topic",
    "aws_sqs_queue_policy": "queue",
    "aws_sns_topic_policy": "topic",
}


class PublicEventSource(Rule):
    id = "HG-FLOW-002"
    severity = Severity.HIGH
    risk = "flow-manipulation"
    title = "Queue or topic accepts messages from anyone"
    description = (
        'A queue or topic policy lets principal "*" publish without conditions. Functions consuming it treat its '
        "messages as internal and trusted, so anyone can inject events mid-flow."
    )
    remediation = "Allow only the producing service or account (aws:SourceArn / aws:SourceAccount conditions)."
    references = (
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html",
    )

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for resource in app.resources:
            what = POLICY_TYPES.get(resource.type)
            if what is None:
                continue
            document = resource.properties.get("PolicyDocument") or resource.properties.get("policy")
            for statement in policy_statements(document):
                if (
                    statement.effect == "Allow"
                    and statement.principals
                    and is_everyone(statement.principals)
                    and not statement.conditions
                ):
                    yield self.finding(
                        app,
                        f"{what} policy {resource.logical_id} lets anyone {', '.join(statement.actions) or 'act'}",
                        resource.source,
                        resource=resource.logical_id,
                    )
