"""Functions with no VPC configuration: their outbound traffic cannot be restricted."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule


class FunctionOutsideVpc(FunctionRule):
    id = "HG-CFG-011"
    severity = Severity.INFO
    risk = "insecure-configuration"
    title = "Function has no network isolation (not in a VPC)"
    description = (
        "A function outside a VPC can reach any internet host, so code injected through an event can send data "
        "or credentials anywhere; inside a VPC, security groups, VPC endpoints and a NAT/egress filter limit where "
        "it can connect. Info: a VPC is not required for security (IAM guards the AWS APIs) and costs cold-start "
        "time and NAT charges; it matters most for functions handling sensitive data or reaching private databases "
        "(Checkov CKV_AWS_117)."
    )
    remediation = (
        "Attach the function to private subnets with a restrictive security group and VPC endpoints "
        "(VpcConfig / provider.vpc / vpc_config), or accept the risk with a suppression that says why."
    )
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        vpc = fn.vpc or {}
        subnets = vpc.get("SubnetIds", vpc.get("subnetIds", vpc.get("subnet_ids")))
        if not subnets:
            yield self.finding(app, "function is not attached to a VPC", fn.source, function=fn)
