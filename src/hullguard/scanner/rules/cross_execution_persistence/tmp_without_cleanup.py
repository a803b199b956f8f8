"""Files written to /tmp are never removed."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules._code_flow import CodeFlowRule


class TmpWithoutCleanup(CodeFlowRule):
    id = "HG-TMP-001"
    flow_kind = "tmp-write"
    severity = Severity.MEDIUM
    risk = "cross-execution-persistence"
    title = "Files written to /tmp are never removed"
    description = (
        "Lambda reuses execution environments: a file written to /tmp stays for the next invocation, which may "
        "serve another user, leaking or poisoning data across executions."
    )
    remediation = (
        "Use tempfile.TemporaryDirectory()/NamedTemporaryFile (Python) or remove the file in a finally block "
        "(fs.rmSync)."
    )
    references = ("https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html",)
