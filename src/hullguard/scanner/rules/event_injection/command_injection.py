"""Event data reaches a shell command."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules._code_flow import CodeFlowRule


class CommandInjection(CodeFlowRule):
    id = "HG-INJ-001"
    flow_kind = "command"
    severity = Severity.CRITICAL
    risk = "event-injection"
    title = "Event data reaches a shell command"
    description = (
        "Data from the triggering event flows into a shell command (os.system, subprocess with shell=True, "
        "child_process.exec). Any event source an attacker can write to (an HTTP parameter, an S3 key, a queue "
        "message) then runs commands in the function with its role's permissions."
    )
    remediation = (
        "Do not build shell commands from event data: call the program with an argument list and no shell, and "
        "validate the value against an allow-list."
    )
    references = ("https://owasp.org/www-community/attacks/Command_Injection",)
