import os

import boto3
from botocore.exceptions import ClientError

s3 = boto3.client("s3")


def exists(key: str) -> bool:
    try:
        s3.head_object(Bucket=os.environ["ASSETS"], Key=key)
        return True
    except ClientError:
        return False


def lambda_handler(event, context):
    return {"exists": exists("logo/" + event["name"])}
