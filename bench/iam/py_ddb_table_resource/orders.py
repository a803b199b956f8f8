import os
import uuid

import boto3
from boto3.dynamodb.conditions import Key

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def create(event, context):
    order = {"pk": str(uuid.uuid4()), "customer": event["customer"]}
    table.put_item(Item=order)
    return order


def handler(event, context):
    if event.get("create"):
        return create(event, context)
    existing = table.get_item(Key={"pk": event["id"]}).get("Item")
    history = table.query(IndexName="by-customer", KeyConditionExpression=Key("customer").eq(event["customer"]))
    return {"order": existing, "history": history["Items"]}
