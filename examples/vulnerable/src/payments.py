"""Payment queue consumer (deliberately vulnerable: see examples/README.md)."""

import base64
import os
import pickle

import boto3

s3 = boto3.client("s3")
REPORTS_BUCKET = os.environ["REPORTS_BUCKET"]


def process_payment(event, context):
    for record in event["Records"]:
        payment = pickle.loads(base64.b64decode(record["body"]))
        receipt = f"{payment['id']},{payment['amount']}\n"
        with open("/tmp/receipts.csv", "a") as cache:
            cache.write(receipt)
        s3.put_object(Bucket=REPORTS_BUCKET, Key=f"receipts/{payment['id']}.csv", Body=receipt.encode())
    return {"processed": len(event["Records"])}
