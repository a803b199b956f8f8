"""HTTP-triggered functions with timeouts far beyond what an HTTP client waits."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import FunctionRule
from hullguard.scanner.rules.helpers import is_http_facing

MAX_HTTP_TIMEOUT = 30  # API Gateway stops waiting after 29 s by default


class LongHttpTimeout(FunctionRule):
    id = "HG-DOS-004"
    severity = Severity.LOW
    risk = "denial-of-service"
    title = "HTTP function has a very long timeout"
    description = (
        "API Gateway gives up after 29 seconds but the function keeps running (and billing) up to its timeout: "
        "slow requests from an attacker tie up concurrency and money long after the client left."
    )
    remediation = "Set the timeout of HTTP functions to at most 30 seconds; move long work to a queue."
    references = ("https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        if is_http_facing(fn) and fn.timeout is not None and fn.timeout > MAX_HTTP_TIMEOUT:
            yield self.finding(app, f"timeout is {fn.timeout} s for an HTTP-triggered function", fn.source, function=fn)
