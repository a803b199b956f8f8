"""Payment queue consumer (the fixed version of examples/vulnerable/src/payments.py)."""

import json
import os

import boto3

s3 = boto3.client("s3")
REPORTS_BUCKET = os.environ["REPORTS_BUCKET"]


def process_payment(event, context):
    failures = []
    for record in event["Records"]:
        try:
            payment = json.loads(record["body"])
            receipt = f"{payment['id']},{payment['amount']}\n"
            s3.put_object(Bucket=REPORTS_BUCKET, Key=f"receipts/{int(payment['id'])}.csv", Body=receipt.encode())
        except (ValueError, KeyError):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
