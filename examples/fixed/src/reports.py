"""Report export (the fixed version of examples/vulnerable/src/reports.py)."""

import ast
import os
import tempfile

import boto3

s3 = boto3.client("s3")
REPORTS_BUCKET = os.environ["REPORTS_BUCKET"]
REPORT_NAMES = {"daily.csv", "weekly.csv", "monthly.csv"}


def export_report(event, context):
    params = event.get("queryStringParameters") or {}
    name = params.get("name", "daily.csv")
    if name not in REPORT_NAMES:
        return {"statusCode": 400, "body": "unknown report"}
    total = ast.literal_eval(params.get("total", "0"))
    with tempfile.TemporaryDirectory() as workdir:
        local = os.path.join(workdir, "report.csv")
        s3.download_file(REPORTS_BUCKET, f"reports/{name}", local)
        with open(local, encoding="utf-8") as handle:
            body = handle.read()
    s3.put_object(Bucket=REPORTS_BUCKET, Key=f"reports/{name}.out", Body=body.encode())
    return {"statusCode": 200, "body": f"exported {name}: {total}"}
