"""DynamoDB tables without point-in-time recovery."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule
from hullguard.scanner.rules.helpers import is_on, setting


class TablePointInTimeRecovery(Rule):
    id = "HG-CFG-008"
    severity = Severity.LOW
    risk = "insecure-configuration"
    title = "DynamoDB table has no point-in-time recovery"
    description = (
        "An injected event or a stolen function role with write access can overwrite or delete items "
        "(PutItem/DeleteItem in a loop); without point-in-time recovery the table cannot be restored to the minute "
        "before. Low: it limits the damage of another flaw rather than being one (Checkov CKV_AWS_28)."
    )
    remediation = (
        "Set PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true} "
        "(point_in_time_recovery { enabled = true } in Terraform)."
    )
    references = ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for table in app.resources_of_type("AWS::DynamoDB::Table"):
            props = table.properties
            if is_on(setting(props.get("PointInTimeRecoverySpecification"), "PointInTimeRecoveryEnabled")):
                continue
            if is_on(setting(props.get("point_in_time_recovery"), "enabled")):
                continue
            yield self.finding(
                app,
                f"table {table.logical_id} cannot be restored to a point in time",
                table.source,
                resource=table.logical_id,
            )
