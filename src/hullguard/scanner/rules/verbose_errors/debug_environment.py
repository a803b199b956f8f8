"""Debug switches left on in deployed configuration."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function, SourceRef
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.loaders.common import line_of
from hullguard.scanner.rules.base import FunctionRule

DEBUG_NAMES = {"DEBUG", "FLASK_DEBUG", "DJANGO_DEBUG", "APP_DEBUG", "VERBOSE_ERRORS", "SHOW_ERRORS"}
TRUE_VALUES = {"1", "true", "yes", "on"}


class DebugEnvironment(FunctionRule):
    id = "HG-ERR-002"
    severity = Severity.LOW
    risk = "verbose-errors"
    title = "Debug mode enabled in the function's environment"
    description = (
        "A debug switch (DEBUG=true, NODE_ENV=development, ...) is set in the deployed environment: frameworks "
        "then return stack traces and internal details to callers."
    )
    remediation = "Remove debug variables from deployed stages; enable them only in local or test configuration."
    references = ("https://owasp.org/www-community/Improper_Error_Handling",)

    def check_function(self, fn: Function, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for name, value in fn.environment.items():
            text = str(value).strip().lower() if isinstance(value, (str, bool, int)) else ""
            if (name.upper() in DEBUG_NAMES and text in TRUE_VALUES) or (
                name.upper() == "NODE_ENV" and text == "development"
            ):
                line = line_of(fn.environment, name) or fn.source.line
                yield self.finding(
                    app,
                    f"environment variable {name}={value}",
                    SourceRef(fn.source.file, line, fn.logical_id),
                    function=fn,
                )
