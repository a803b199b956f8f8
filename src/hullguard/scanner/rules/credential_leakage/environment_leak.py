"""The environment (with the role's credentials) is logged or returned."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules._code_flow import CodeFlowRule


class EnvironmentLeak(CodeFlowRule):
    id = "HG-CRED-001"
    flow_kind = "env-leak"
    severity = Severity.HIGH
    risk = "credential-leakage"
    title = "The environment (with the role's credentials) is logged or returned"
    description = (
        "The whole process environment is printed, logged or returned. It holds AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN: whoever reads the logs or the response can act as the "
        "function."
    )
    remediation = "Log only the variables you need, by name; never return or log os.environ / process.env."
    references = (
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime",
    )
