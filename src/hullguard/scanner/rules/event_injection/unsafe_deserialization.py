"""Event data is deserialised unsafely."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules._code_flow import CodeFlowRule


class UnsafeDeserialization(CodeFlowRule):
    id = "HG-INJ-004"
    flow_kind = "deserialization"
    severity = Severity.CRITICAL
    risk = "event-injection"
    title = "Event data is deserialised unsafely"
    description = (
        "Event data is passed to a deserialiser that can instantiate arbitrary objects (pickle, yaml.load without "
        "SafeLoader, node-serialize) or to an XML parser that resolves external entities (XXE): a crafted message "
        "runs code or reads local files."
    )
    remediation = "Exchange JSON and parse it with json.loads / JSON.parse; use yaml.safe_load."
    references = ("https://owasp.org/www-community/vulnerabilities/Deserialization_of_untrusted_data",)
