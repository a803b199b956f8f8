import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    sqs.send_message(QueueUrl=os.environ["PII_QUEUE"], MessageBody=event["record"])
