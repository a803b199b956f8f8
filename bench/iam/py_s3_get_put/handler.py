import json
import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["DOCS_BUCKET"]


def handler(event, context):
    doc_id = event["pathParameters"]["id"]
    original = s3.get_object(Bucket=BUCKET, Key=f"incoming/{doc_id}.json")
    body = json.loads(original["Body"].read())
    body["processed"] = True
    s3.put_object(Bucket=BUCKET, Key=f"processed/{doc_id}.json", Body=json.dumps(body))
    return {"statusCode": 200}
