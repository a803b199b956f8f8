import json
import os

import boto3

kinesis = boto3.client("kinesis")
STREAM = os.environ["CLICKS_STREAM"]


def handler(event, context):
    records = [{"Data": json.dumps(c).encode(), "PartitionKey": c["user"]} for c in event["clicks"]]
    kinesis.put_records(StreamName=STREAM, Records=records)
