"""The CloudTrail table: the columns of Athena's standard ``cloudtrail_logs`` table (lower-case names,
nested ``useridentity`` struct), plus ``sessioncredentialfromconsole``. DuckDB reads log files into it
with the record type below; ``athena_ddl`` prints the matching Athena DDL."""

from __future__ import annotations

# How one record of a CloudTrail log file (``{"Records": [...]}``) is typed when DuckDB reads it.
# Free-form parts stay JSON text, as in Athena.
RECORD_TYPE = (
    "STRUCT("
    "eventVersion VARCHAR, "
    "userIdentity STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, invokedBy VARCHAR, "
    "accessKeyId VARCHAR, userName VARCHAR, sessionContext STRUCT(attributes STRUCT(mfaAuthenticated VARCHAR, "
    "creationDate VARCHAR), sessionIssuer STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, "
    "userName VARCHAR), sourceIdentity VARCHAR)), "
    "eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, "
    "userAgent VARCHAR, errorCode VARCHAR, errorMessage VARCHAR, requestParameters JSON, responseElements JSON, "
    "additionalEventData JSON, requestID VARCHAR, eventID VARCHAR, "
    "resources STRUCT(ARN VARCHAR, accountId VARCHAR, type VARCHAR)[], eventType VARCHAR, apiVersion VARCHAR, "
    "readOnly VARCHAR, recipientAccountId VARCHAR, sharedEventID VARCHAR, vpcEndpointId VARCHAR, "
    "eventCategory VARCHAR, sessionCredentialFromConsole VARCHAR)"
)

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
