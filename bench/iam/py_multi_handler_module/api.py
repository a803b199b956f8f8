import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TODOS"])


def list_todos(event, context):
    return table.scan()["Items"]


def delete_todo(event, context):
    table.delete_item(Key={"id": event["pathParameters"]["id"]})
