"""An outbound request goes to a URL from event data."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules._code_flow import CodeFlowRule


class ServerSideRequestForgery(CodeFlowRule):
    id = "HG-INJ-006"
    flow_kind = "url"
    severity = Severity.HIGH
    risk = "event-injection"
    title = "An outbound request goes to a URL from event data"
    description = (
        "The function fetches a URL taken from the event (SSRF): attackers reach internal endpoints and services "
        "reachable from the function, and exfiltrate data."
    )
    remediation = "Allow-list the hosts the function may call and never fetch a full URL supplied by the event."
    references = ("https://owasp.org/www-community/attacks/Server_Side_Request_Forgery",)
