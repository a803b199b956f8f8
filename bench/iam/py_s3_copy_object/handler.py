import os

import boto3

s3 = boto3.client("s3")
QUARANTINE = "acme-quarantine"


def handler(event, context):
    for record in event["Records"]:
        key = record["s3"]["object"]["key"]
        s3.copy_object(
            CopySource={"Bucket": os.environ["UPLOADS"], "Key": key},
            Bucket=QUARANTINE,
            Key="held/" + key,
        )
