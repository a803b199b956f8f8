import os

import boto3 as aws
from boto3 import client as make_client

session = aws.session.Session()
queue = session.client("sqs")
notifier = make_client("sns")


def handler(event, context):
    messages = queue.receive_message(QueueUrl=os.environ["INBOX_URL"], MaxNumberOfMessages=10).get("Messages", [])
    for message in messages:
        notifier.publish(TopicArn=os.environ["OUTBOX_TOPIC"], Message=message["Body"])
        queue.delete_message(QueueUrl=os.environ["INBOX_URL"], ReceiptHandle=message["ReceiptHandle"])
