import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    entries = [{"Id": str(i), "MessageBody": json.dumps(item)} for i, item in enumerate(event["items"])]
    for start in range(0, len(entries), 10):
        sqs.send_message_batch(QueueUrl=os.environ["WORK_QUEUE_URL"], Entries=entries[start:start + 10])
