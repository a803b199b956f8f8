"""The CloudTrail table: the columns of Athena's standard ``cloudtrail_logs`` table (lower-case names,
nested ``useridentity`` struct), plus ``sessioncredentialfromconsole``. DuckDB reads log files into it
with the record type below; ``athena_ddl`` prints the matching Athena DDL."""

from __future__ import annotations

import json
from typing import Any

_V = "VARCHAR"
# How one record of a CloudTrail log file (``{"Records": [...]}``) is typed when DuckDB reads it, as a
# ``json_transform`` structure (missing keys become NULL). Free-form parts stay JSON text, as in Athena.
RECORD_STRUCTURE: dict[str, Any] = {
    "eventVersion": _V,
    "userIdentity": {
        "type": _V, "principalId": _V, "arn": _V, "accountId": _V, "invokedBy": _V, "accessKeyId": _V,
        "userName": _V,
        "sessionContext": {
            "attributes": {"mfaAuthenticated": _V, "creationDate": _V},
            "sessionIssuer": {"type": _V, "principalId": _V, "arn": _V, "accountId": _V, "userName": _V},
            "sourceIdentity": _V,
        },
    },
    "eventTime": _V, "eventSource": _V, "eventName": _V, "awsRegion": _V, "sourceIPAddress": _V, "userAgent": _V,
    "errorCode": _V, "errorMessage": _V, "requestParameters": "JSON", "responseElements": "JSON",
    "additionalEventData": "JSON", "requestID": _V, "eventID": _V,
    "resources": [{"ARN": _V, "accountId": _V, "type": _V}],
    "eventType": _V, "apiVersion": _V, "readOnly": _V, "recipientAccountId": _V, "sharedEventID": _V,
    "vpcEndpointId": _V, "eventCategory": _V, "sessionCredentialFromConsole": _V,
}  # fmt: skip


def sql_type(spec: Any) -> str:
    if isinstance(spec, dict):
        return "STRUCT(" + ", ".join(f"{k} {sql_type(v)}" for k, v in spec.items()) + ")"
    if isinstance(spec, list):
        return sql_type(spec[0]) + "[]"
    return str(spec)


RECORD_TYPE = sql_type(RECORD_STRUCTURE)
# The whole log file as one json_transform structure: parsing each file once is what makes loading fast.
FILE_STRUCTURE = json.dumps({"Records": [RECORD_STRUCTURE]}, separators=(",", ":"))

COLUMNS = (
    "eventversion",
    "useridentity",
    "eventtime",
    "eventsource",
    "eventname",
    "awsregion",
    "sourceipaddress",
    "useragent",
    "errorcode",
    "errormessage",
    "requestparameters",
    "responseelements",
    "additionaleventdata",
    "requestid",
    "eventid",
    "resources",
    "eventtype",
    "apiversion",
    "readonly",
    "recipientaccountid",
    "sharedeventid",
    "vpcendpointid",
    "eventcategory",
    "sessioncredentialfromconsole",
)

# Record field -> table column (the record names are camelCase, the table's lower-case).
SELECT_RECORD = ", ".join(
    f"r.{src} AS {dst}"
    for src, dst in zip(
        (
            "eventVersion",
            "userIdentity",
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
            "sourceIPAddress",
            "userAgent",
            "errorCode",
            "errorMessage",
            "requestParameters",
            "responseElements",
            "additionalEventData",
            "requestID",
            "eventID",
            "resources",
            "eventType",
            "apiVersion",
            "readOnly",
            "recipientAccountId",
            "sharedEventID",
            "vpcEndpointId",
            "eventCategory",
            "sessionCredentialFromConsole",
        ),
        COLUMNS,
        strict=True,
    )
)


def athena_ddl(location: str, table: str = "cloudtrail_logs") -> str:
    """The Athena table the ``--engine athena`` queries expect (AWS's documented DDL plus one column)."""
    return f"""CREATE EXTERNAL TABLE IF NOT EXISTS {table} (
  eventversion STRING,
  useridentity STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING, invokedby:STRING,
    accesskeyid:STRING, username:STRING, sessioncontext:STRUCT<attributes:STRUCT<mfaauthenticated:STRING,
    creationdate:STRING>, sessionissuer:STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING,
    username:STRING>, sourceidentity:STRING>>,
  eventtime STRING, eventsource STRING, eventname STRING, awsregion STRING, sourceipaddress STRING,
  useragent STRING, errorcode STRING, errormessage STRING, requestparameters STRING, responseelements STRING,
  additionaleventdata STRING, requestid STRING, eventid STRING,
  resources ARRAY<STRUCT<arn:STRING, accountid:STRING, type:STRING>>,
  eventtype STRING, apiversion STRING, readonly STRING, recipientaccountid STRING, sharedeventid STRING,
  vpcendpointid STRING, eventcategory STRING, sessioncredentialfromconsole STRING
)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION '{location}';"""
