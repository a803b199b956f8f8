import os

import boto3

sns = boto3.client("sns")


def handler(event, context):
    entries = [{"Id": a["id"], "Message": a["text"]} for a in event["alerts"]]
    sns.publish_batch(TopicArn=os.environ["ALERTS_TOPIC"], PublishBatchRequestEntries=entries)
