"""Plaintext secrets written into function environment variables."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function, SourceRef
from hullguard.model.finding import Finding
from hullguard.scanner.code.secrets import literal_secret
from hullguard.scanner.context import ScanContext
from hullguard.scanner.loaders.common import line_of
from hullguard.scanner.rules.base import FunctionRule


class SecretInEnvironment(FunctionRule):
    id = "HG-SEC-001"
    severity = Severity.HIGH
    risk = "insecure-secrets"
    title = "Secret stored in plaintext in an environment variable"
    description = (
        "A credential is written as a literal environment variable value: it sits in the template and the "
        "repository, in every deployment artifact, and is readable by anyone with lambda:GetFunctionConfiguration."
    )
    remediation = (
        "Keep the secret in AWS Secrets Manager or SSM Parameter Store (SecureString) and read it at runtime; "
        "put only its name or ARN in the environment."
    )
    references = ("https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for name, value in fn.environment.items():
            why = literal_secret(name, value)
            if why:
                line = line_of(fn.environment, name) or fn.source.line
                yield self.finding(
                    app,
                    f"environment variable {name} holds a secret ({why})",
                    SourceRef(fn.source.file, line, fn.logical_id),
                    function=fn,
                    detail={"variable": name},
                )
