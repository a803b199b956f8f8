import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["SUMMARY_TABLE"])


def handler(event, context):
    for record in event["Records"]:
        if record["eventName"] == "INSERT":
            table.update_item(Key={"pk": "totals"}, UpdateExpression="ADD orders :one",
                              ExpressionAttributeValues={":one": 1})
