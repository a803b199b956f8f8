"""Event data is evaluated as code."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules._code_flow import CodeFlowRule


class CodeInjection(CodeFlowRule):
    id = "HG-INJ-002"
    flow_kind = "code"
    severity = Severity.CRITICAL
    risk = "event-injection"
    title = "Event data is evaluated as code"
    description = (
        "Data from the triggering event reaches eval/exec (Python), eval/new Function/vm (Node.js), or is compiled as "
        "a template (Jinja2, Mako, lodash/ejs/pug/Handlebars: server-side template injection): the attacker's text "
        "runs as code inside the function."
    )
    remediation = (
        "Never evaluate event data; parse it (json.loads, ast.literal_eval, a small expression parser) instead."
    )
    references = ("https://owasp.org/www-community/attacks/Code_Injection",)
