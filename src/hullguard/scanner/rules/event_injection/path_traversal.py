"""A file path is built from event data."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules._code_flow import CodeFlowRule


class PathTraversal(CodeFlowRule):
    id = "HG-INJ-005"
    flow_kind = "path"
    severity = Severity.HIGH
    risk = "event-injection"
    title = "A file path is built from event data"
    description = (
        "A file path derived from event data is opened, written or deleted: ../ sequences reach other files of the "
        "execution environment (code, /proc/self/environ with the role's credentials)."
    )
    remediation = (
        "Derive file names yourself (uuid), or normalise and check the path stays inside the intended directory."
    )
    references = ("https://owasp.org/www-community/attacks/Path_Traversal",)
