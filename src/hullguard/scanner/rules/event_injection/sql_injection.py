"""SQL text is built from event data."""

from hullguard.events.schema import Severity
from hullguard.scanner.rules._code_flow import CodeFlowRule


class SqlInjection(CodeFlowRule):
    id = "HG-INJ-003"
    flow_kind = "sql"
    severity = Severity.HIGH
    risk = "event-injection"
    title = "A database query is built from event data"
    description = (
        "A SQL statement is concatenated or formatted from event data and executed without bound parameters, a "
        "document-store filter is taken from the parsed event (operators such as $where/$ne), or a DynamoDB "
        "expression is concatenated from it: the event can change the query."
    )
    remediation = (
        "Use parameterised queries (cursor.execute(sql, params) / client.query(text, values)), build document "
        "filters field by field, and pass DynamoDB values through ExpressionAttributeValues."
    )
    references = ("https://owasp.org/www-community/attacks/SQL_Injection",)
