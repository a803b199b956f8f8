"""The detections, written once and rendered for DuckDB (embedded) or Amazon Athena (Trino).

Both engines read the same table shape (``schema.py``); the only dialect differences are how a JSON
string field is extracted, and the quoting of the table name. Event names are matched by prefix
because CloudTrail records Lambda's versioned names (``UpdateFunctionCode20150331v2``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LAMBDA_CHANGES = (
    "CreateFunction",
    "UpdateFunctionCode",
    "UpdateFunctionConfiguration",
    "DeleteFunction",
    "PublishVersion",
    "CreateAlias",
    "UpdateAlias",
    "AddPermission",
    "RemovePermission",
    "UpdateFunctionUrlConfig",
    "DeleteFunctionUrlConfig",
    "PutFunctionConcurrency",
    "DeleteFunctionConcurrency",
    "CreateEventSourceMapping",
    "UpdateEventSourceMapping",
    "DeleteEventSourceMapping",
    "PutFunctionEventInvokeConfig",
    "UpdateFunctionEventInvokeConfig",
    "PutFunctionCodeSigningConfig",
    "DeleteFunctionCodeSigningConfig",
    "PublishLayerVersion",
    "AddLayerVersionPermission",
)
CONSOLE_INVOKERS = ("signin.amazonaws.com", "console.amazonaws.com")
ROLE_POLICY_CHANGES = (
    "AttachRolePolicy",
    "DetachRolePolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
    "UpdateAssumeRolePolicy",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
)
TRAIL_CHANGES = ("StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors")


_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


@dataclass(frozen=True, slots=True)
class Dialect:
    """Every query is built from constants plus quoted literals (``_quote``) and this validated table name,
    which is why the string-built SQL below is safe (ruff S608 is silenced line by line)."""

    name: str  # "duckdb" or "athena"
    table: str = "cloudtrail_logs"

    def __post_init__(self) -> None:
        if self.name not in ("duckdb", "athena"):
            raise ValueError(f"unknown SQL dialect {self.name!r}")
        if not _TABLE_NAME.match(self.table):
            raise ValueError(f"invalid table name {self.table!r}: letters, digits, _ and one optional database.")

    def json(self, column: str, path: str) -> str:
        function = "json_extract_string" if self.name == "duckdb" else "json_extract_scalar"
        return f"{function}({column}, '{path}')"

    @property
    def source(self) -> str:
        return ".".join(f'"{part}"' for part in self.table.split(".")) if self.name == "athena" else self.table


DUCKDB = Dialect("duckdb")


def _quote(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _prefixes(column: str, names: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"{column} LIKE '{n}%'" for n in names) + ")"


def _function_name(d: Dialect) -> str:
    raw = f"coalesce({d.json('requestparameters', '$.functionName')}, {d.json('responseelements', '$.functionName')})"
    # The request may name the function by ARN (arn:aws:lambda:region:account:function:name[:qualifier]).
    return f"CASE WHEN {raw} LIKE 'arn:%' THEN split_part({raw}, ':', 7) ELSE {raw} END"


_PRINCIPAL = "coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn, useridentity.invokedby)"
_COMMON = (
    "eventid, eventtime, eventsource, eventname, awsregion, recipientaccountid AS account, "
    f"{_PRINCIPAL} AS principal, useridentity.type AS identity_type, sourceipaddress, useragent"
)


def console_changes(d: Dialect = DUCKDB) -> str:
    """Lambda functions created or changed from the AWS console."""
    ua = "lower(coalesce(useragent, ''))"
    return f"""SELECT {_COMMON}, {_function_name(d)} AS function_name,
  CASE WHEN sessioncredentialfromconsole = 'true' THEN 'sessionCredentialFromConsole'
       WHEN useridentity.invokedby IN ({_quote(CONSOLE_INVOKERS)}) THEN 'invokedBy ' || useridentity.invokedby
       ELSE 'userAgent ' || useragent END AS evidence
FROM {d.source}
WHERE eventsource = 'lambda.amazonaws.com' AND errorcode IS NULL AND {_prefixes("eventname", LAMBDA_CHANGES)}
  AND (sessioncredentialfromconsole = 'true'
       OR useridentity.invokedby IN ({_quote(CONSOLE_INVOKERS)})
       OR {ua} LIKE '%console.amazonaws.com%' OR {ua} LIKE 'signin.amazonaws.com%'
       OR {ua} LIKE '%console.aws.amazon.com%' OR {ua} LIKE 'mozilla/%')
ORDER BY eventtime"""  # noqa: S608 - constants, quoted literals and a validated table name


def out_of_band_changes(ci_roles: list[str], d: Dialect = DUCKDB) -> str:
    """Lambda changes by any principal other than the declared CI/CD roles (ARNs or role names)."""
    allowed = _quote(ci_roles) if ci_roles else "''"
    return f"""SELECT {_COMMON}, {_function_name(d)} AS function_name
FROM {d.source}
WHERE eventsource = 'lambda.amazonaws.com' AND errorcode IS NULL AND {_prefixes("eventname", LAMBDA_CHANGES)}
  AND coalesce(useridentity.type, '') <> 'AWSService'
  AND coalesce({_PRINCIPAL}, '') NOT IN ({allowed})
  AND coalesce(useridentity.sessioncontext.sessionissuer.username, '') NOT IN ({allowed})
ORDER BY eventtime"""  # noqa: S608 - constants, quoted literals and a validated table name


def _lambda_issued(d: Dialect) -> str:
    """Credentials Lambda obtained for a function: its own AssumeRole of the execution role."""
    return f"""SELECT {d.json("responseelements", "$.credentials.accessKeyId")} AS access_key,
         {d.json("requestparameters", "$.roleArn")} AS role_arn,
         {d.json("requestparameters", "$.roleSessionName")} AS session_name,
         eventtime AS issued_at
  FROM {d.source}
  WHERE eventsource = 'sts.amazonaws.com' AND eventname = 'AssumeRole' AND errorcode IS NULL
    AND (useridentity.invokedby = 'lambda.amazonaws.com' OR sourceipaddress = 'lambda.amazonaws.com')"""  # noqa: S608 - constants, quoted literals and a validated table name


def function_credential_use(d: Dialect = DUCKDB, network_check: bool = False) -> str:
    """Calls made with a function's credentials, grouped by key, source address, agent and API.

    ``lambda_agent``: the SDK inside Lambda adds ``exec-env/AWS_Lambda_<runtime>`` to its user agent;
    ``role_agent_seen``: this role's credentials were seen with that agent at least once (so its runtime
    announces itself, and a call without it stands out). Without a network check only the calls lacking
    the agent are returned; with one, every source address is (the CIDR test runs on the rows).
    """
    having = "" if network_check else "\n  HAVING NOT lambda_agent"
    return f"""WITH issued AS (
  SELECT access_key, min(role_arn) AS role_arn, min(session_name) AS session_name, min(issued_at) AS issued_at
  FROM ({_lambda_issued(d)}) lambda_keys
  WHERE access_key IS NOT NULL
  GROUP BY access_key
),
uses AS (
  SELECT i.role_arn, i.session_name, i.access_key, e.eventid, e.eventtime, e.eventsource, e.eventname, e.awsregion,
         e.recipientaccountid AS account, e.sourceipaddress, e.useragent,
         coalesce(e.useragent, '') LIKE '%exec-env/AWS_Lambda%' AS lambda_agent
  FROM {d.source} e JOIN issued i ON e.useridentity.accesskeyid = i.access_key
),
agents AS (SELECT DISTINCT role_arn FROM uses WHERE lambda_agent)
SELECT role_arn, session_name, access_key, sourceipaddress, lambda_agent, eventsource, eventname, awsregion, account,
       min(eventtime) AS eventtime, min(eventid) AS eventid, max(useragent) AS useragent, count(*) AS calls,
       role_arn IN (SELECT role_arn FROM agents) AS role_agent_seen
FROM uses
GROUP BY role_arn, session_name, access_key, sourceipaddress, lambda_agent, eventsource, eventname, awsregion,
         account{having}
ORDER BY eventtime"""  # noqa: S608 - constants, quoted literals and a validated table name


def permission_changes(d: Dialect = DUCKDB) -> str:
    """Resource-policy changes of functions, and policy changes of roles that functions run as."""
    return f"""WITH function_roles AS (
  SELECT {d.json("requestparameters", "$.role")} AS role_arn FROM {d.source}
  WHERE eventsource = 'lambda.amazonaws.com'
    AND {_prefixes("eventname", ("CreateFunction", "UpdateFunctionConfiguration"))}
  UNION
  SELECT role_arn FROM ({_lambda_issued(d)}) issued
),
role_names AS (SELECT DISTINCT regexp_extract(role_arn, '[^/]+$') AS role_name FROM function_roles
               WHERE role_arn IS NOT NULL)
SELECT {_COMMON},
  CASE WHEN eventsource = 'lambda.amazonaws.com' THEN {_function_name(d)} END AS function_name,
  {d.json("requestparameters", "$.roleName")} AS role_name,
  {d.json("requestparameters", "$.principal")} AS granted_principal,
  {d.json("requestparameters", "$.functionUrlAuthType")} AS url_auth_type,
  coalesce({d.json("requestparameters", "$.policyArn")}, {d.json("requestparameters", "$.policyName")}) AS policy
FROM {d.source}
WHERE errorcode IS NULL AND (
  (eventsource = 'lambda.amazonaws.com' AND {_prefixes("eventname", ("AddPermission", "RemovePermission"))})
  OR (eventsource = 'iam.amazonaws.com' AND eventname IN ({_quote(ROLE_POLICY_CHANGES)})
      AND {d.json("requestparameters", "$.roleName")} IN (SELECT role_name FROM role_names)))
ORDER BY eventtime"""  # noqa: S608 - constants, quoted literals and a validated table name


def trail_changes(d: Dialect = DUCKDB) -> str:
    """Trails stopped, deleted or narrowed."""
    return f"""SELECT {_COMMON}, {d.json("requestparameters", "$.name")} AS trail
FROM {d.source}
WHERE eventsource = 'cloudtrail.amazonaws.com' AND errorcode IS NULL AND eventname IN ({_quote(TRAIL_CHANGES)})
ORDER BY eventtime"""  # noqa: S608 - constants, quoted literals and a validated table name


def all_queries(d: Dialect, ci_roles: list[str], network_check: bool = False) -> dict[str, str]:
    return {
        "console": console_changes(d),
        "out-of-band": out_of_band_changes(ci_roles, d),
        "credential-use": function_credential_use(d, network_check),
        "permissions": permission_changes(d),
        "trails": trail_changes(d),
    }
