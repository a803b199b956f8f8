"""Secrets injected into the environment at deploy time, protected only by the AWS-managed key."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function, SourceRef
from hullguard.model.finding import Finding
from hullguard.scanner.code.secrets import is_sensitive_name, literal_secret
from hullguard.scanner.context import ScanContext
from hullguard.scanner.loaders.common import line_of
from hullguard.scanner.rules.base import FunctionRule


class SensitiveEnvironmentWithoutCmk(FunctionRule):
    id = "HG-SEC-003"
    severity = Severity.MEDIUM
    risk = "insecure-secrets"
    title = "Sensitive environment variable without a customer-managed KMS key"
    description = (
        "A variable whose name says it holds a secret is filled at deploy time (from SSM, a parameter, another "
        "stack) and stored in the function configuration encrypted only with the AWS-managed key: anyone allowed "
        "to read the configuration reads the secret in clear."
    )
    remediation = (
        "Read the secret at runtime from Secrets Manager/SSM instead of the environment, or encrypt the environment "
        "with a customer-managed key (KmsKeyArn) whose policy limits who can decrypt."
    )
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        if fn.environment_kms_key is not None:
            return
        for name, value in fn.environment.items():
            if is_sensitive_name(name) and not literal_secret(name, value):
                line = line_of(fn.environment, name) or fn.source.line
                yield self.finding(
                    app,
                    f"environment variable {name} is sensitive and not encrypted with a customer-managed key",
                    SourceRef(fn.source.file, line, fn.logical_id),
                    function=fn,
                    detail={"variable": name},
                )
