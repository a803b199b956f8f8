"""Functions that accept any code package: no code signing configuration."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule


class NoCodeSigning(FunctionRule):
    id = "HG-OOB-001"
    severity = Severity.LOW
    risk = "out-of-band-deployment"
    title = "Function has no code signing configuration"
    description = (
        "Without a code signing config, anyone with lambda:UpdateFunctionCode can deploy code that never went "
        "through the pipeline (the console, a leaked key): out-of-band deployments go unnoticed."
    )
    remediation = "Attach a CodeSigningConfig with UntrustedArtifactOnDeployment: Enforce and sign packages in CI."
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        if fn.code_signing is None:
            yield self.finding(app, "no code signing config: unsigned code can be deployed", fn.source, function=fn)
