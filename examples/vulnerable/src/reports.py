"""Report export (deliberately vulnerable: see examples/README.md)."""

import os

import boto3
import requests

s3 = boto3.client("s3")
REPORTS_BUCKET = os.environ["REPORTS_BUCKET"]


def export_report(event, context):
    params = event.get("queryStringParameters") or {}
    template_url = params.get("template", "https://example.com/report.tpl")
    template = requests.get(template_url, timeout=5).text
    name = params.get("name", "report.csv")
    with open(os.path.join("/tmp/reports", name)) as handle:
        body = handle.read()
    total = eval(params.get("formula", "0"))
    s3.put_object(Bucket=REPORTS_BUCKET, Key=f"reports/{name}", Body=(template + body).encode())
    return {"statusCode": 200, "body": f"exported {name}: {total}"}
