import json

import boto3

firehose = boto3.client("firehose")


def handler(event, context):
    batch = [{"Data": (json.dumps(r) + "\n").encode()} for r in event["rows"]]
    firehose.put_record_batch(DeliveryStreamName="acme-analytics", Records=batch)
