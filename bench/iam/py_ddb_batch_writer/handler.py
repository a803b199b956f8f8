import os

import boto3

dynamodb = boto3.resource("dynamodb")


def handler(event, context):
    table = dynamodb.Table(os.environ["EVENTS_TABLE"])
    with table.batch_writer() as batch:
        for record in event["Records"]:
            batch.put_item(Item={"pk": record["messageId"], "body": record["body"]})
