import os

import boto3

s3 = boto3.client("s3")
ACTIONS = {"archive": "put_object", "purge": "delete_object"}


def handler(event, context):
    # the operation name is data: static analysis cannot know which methods run
    method = getattr(s3, ACTIONS[event["action"]])
    kwargs = {"Bucket": os.environ["BUCKET"], "Key": event["key"]}
    if event["action"] == "archive":
        kwargs["Body"] = event["body"].encode()
    return method(**kwargs)
