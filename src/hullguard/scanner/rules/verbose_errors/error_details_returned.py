"""Error details are returned to the caller."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules._code_flow import CodeFlowRule


class ErrorDetailsReturned(CodeFlowRule):
    id = "HG-ERR-001"
    flow_kind = "verbose-error"
    severity = Severity.MEDIUM
    risk = "verbose-errors"
    title = "Error details are returned to the caller"
    description = (
        "An exception handler returns the stack trace or exception text in the response, revealing code paths, "
        "library versions, file names and sometimes secrets."
    )
    remediation = "Log the details and return a generic error with a correlation id."
    references = ("https://owasp.org/www-community/Improper_Error_Handling",)
