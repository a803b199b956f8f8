"""Turn the rows of the detection queries into findings (same ``Finding`` as every other rule)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hullguard.cloud.cloudtrail.queries import DUCKDB, Dialect, all_queries
from hullguard.events.schema import Severity
from hullguard.model.finding import Finding

Runner = Callable[[str], list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class TrailRule:
    id: str
    title: str
    severity: Severity
    risk: str
    remediation: str
    description: str = ""
    references: tuple[str, ...] = ()


CONSOLE = TrailRule(
    "HG-TRAIL-001",
    "Lambda change made from the AWS console",
    Severity.HIGH,
    "out-of-band-deployment",
    "Deploy only through CI/CD; deny lambda:Create*/Update* to console sessions with an SCP "
    "(aws:ViaAWSService / aws:CalledVia, or by role).",
    "CloudTrail shows a Lambda write made with console credentials (sessionCredentialFromConsole, a console "
    "user agent or invokedBy signin/console): the change bypassed review and CI/CD.",
)
OUT_OF_BAND = TrailRule(
    "HG-TRAIL-002",
    "Lambda change by a principal that is not a CI/CD role",
    Severity.MEDIUM,
    "out-of-band-deployment",
    "Restrict lambda:Update*/Create* to the pipeline roles; investigate who made the change and redeploy from source.",
    "A Lambda write (code, configuration, permissions, mappings) was made by a principal that is not one of the "
    "declared CI/CD roles: what runs is no longer what the repository says.",
)
CREDENTIAL_USE = TrailRule(
    "HG-TRAIL-003",
    "Function role credentials used outside the function",
    Severity.CRITICAL,
    "credential-leakage",
    "Treat the role as compromised: revoke its sessions (aws:TokenIssueTime condition), rotate secrets it can read, "
    "find how the credentials leaked (SSRF, /proc/self/environ, logged environment).",
    "The access key Lambda obtained for a function (its own AssumeRole) was used without the Lambda runtime's "
    "user agent or from outside the expected networks: someone else holds the function's credentials.",
)
PERMISSION = TrailRule(
    "HG-TRAIL-004",
    "Function permissions changed",
    Severity.MEDIUM,
    "over-privileged",
    "Review the change; resource policies and role policies should change only through CI/CD.",
    "A function's resource policy (AddPermission/RemovePermission) or the policies of a role a function runs as "
    "changed; granting '*' or a URL with auth NONE makes it public.",
)
TRAIL = TrailRule(
    "HG-TRAIL-005",
    "CloudTrail logging stopped or reduced",
    Severity.HIGH,
    "inadequate-logging",
    "Re-enable the trail, protect it with an SCP denying cloudtrail:StopLogging/DeleteTrail, and investigate.",
    "A trail was stopped, deleted or narrowed: activity after this point may be invisible.",
)
TRAIL_RULES = (CONSOLE, OUT_OF_BAND, CREDENTIAL_USE, PERMISSION, TRAIL)


@dataclass
class TrailReport:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    records: int = 0


def _finding(
    rule: TrailRule,
    message: str,
    row: dict[str, Any],
    severity: Severity | None = None,
    function: str | None = None,
    **extra: Any,
) -> Finding:
    detail = {
        k: row.get(k)
        for k in (
            "eventid",
            "eventtime",
            "eventname",
            "principal",
            "sourceipaddress",
            "useragent",
            "account",
            "awsregion",
        )
        if row.get(k) is not None
    }
    detail.update({k: v for k, v in extra.items() if v is not None})
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=severity or rule.severity,
        risk=rule.risk,
        message=message,
        function=function,
        resource=str(row.get("eventid") or "") or None,
        remediation=rule.remediation,
        application=f"{row.get('account') or '?'}/{row.get('awsregion') or '?'}",
        detail=detail,
    )


def _outside(ip: str | None, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    if not networks or not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False  # an AWS service name such as "lambda.amazonaws.com", not a network address
    return not any(address in net for net in networks)


def analyse(
    run: Runner,
    ci_roles: list[str] | None = None,
    expected_networks: list[str] | None = None,
    dialect: Dialect = DUCKDB,
) -> TrailReport:
    """Run every detection through ``run`` (DuckDB or Athena) and build findings."""
    report = TrailReport()
    networks = [ipaddress.ip_network(n, strict=False) for n in expected_networks or []]
    queries = all_queries(dialect, ci_roles or [], network_check=bool(networks))

    for row in run(queries["console"]):
        name = row.get("function_name")
        report.findings.append(
            _finding(
                CONSOLE,
                f"{row.get('eventname')} on {name} by {row.get('principal')} from the console ({row.get('evidence')})",
                row,
                function=name,
                evidence=row.get("evidence"),
            )
        )

    if ci_roles:
        for row in run(queries["out-of-band"]):
            name = row.get("function_name")
            report.findings.append(
                _finding(
                    OUT_OF_BAND,
                    f"{row.get('eventname')} on {name} by {row.get('principal')}, not a declared CI/CD role",
                    row,
                    function=name,
                )
            )
    else:
        report.notes.append("no --ci-role given: out-of-band change detection (CT002) skipped")

    for row in run(queries["credential-use"]):
        agent_missing = not _truthy(row.get("lambda_agent")) and _truthy(row.get("role_agent_seen"))
        off_network = _outside(row.get("sourceipaddress"), networks)
        if not (agent_missing or off_network):
            continue
        why = []
        if agent_missing:
            why.append(f"user agent {row.get('useragent')!r} is not the Lambda runtime's")
        if off_network:
            why.append(f"source {row.get('sourceipaddress')} is outside the expected networks")
        role = str(row.get("role_arn") or "")
        function = str(row.get("session_name") or "") or None  # Lambda names the session after the function
        report.findings.append(
            _finding(
                CREDENTIAL_USE,
                f"credentials of {role} (issued to Lambda for {function}) called {row.get('eventname')} "
                f"{row.get('calls') or 1} time(s): " + "; ".join(why),
                row,
                function=function,
                calls=row.get("calls"),
                access_key=row.get("access_key"),
                role_arn=role,
            )
        )

    for row in run(queries["permissions"]):
        name = row.get("function_name")
        principal = row.get("granted_principal")
        public = principal == "*" or str(row.get("url_auth_type") or "").upper() == "NONE"
        target = name or f"role {row.get('role_name')}"
        what = f" granting {principal}" if principal else (f" ({row.get('policy')})" if row.get("policy") else "")
        report.findings.append(
            _finding(
                PERMISSION,
                f"{row.get('eventname')} on {target}{what} by {row.get('principal')}",
                row,
                severity=Severity.HIGH if public else None,
                function=name,
                role=row.get("role_name"),
            )
        )

    for row in run(queries["trails"]):
        stopped = row.get("eventname") in ("StopLogging", "DeleteTrail")
        report.findings.append(
            _finding(
                TRAIL,
                f"{row.get('eventname')} on trail {row.get('trail')} by {row.get('principal')}",
                row,
                severity=None if stopped else Severity.LOW,
                trail=row.get("trail"),
            )
        )
    return report


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
