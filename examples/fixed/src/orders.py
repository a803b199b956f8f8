"""Orders API handlers (the fixed version of examples/vulnerable/src/orders.py)."""

import json
import logging
import os
import uuid

import boto3
import jwt

LOG = logging.getLogger(__name__)
dynamodb = boto3.client("dynamodb")
secrets = boto3.client("secretsmanager")
ORDERS_TABLE = os.environ["ORDERS_TABLE"]
STRIPE_SECRET_ARN = os.environ["STRIPE_SECRET_ARN"]
JWT_AUDIENCE = "orders"


def create_order(event, context):
    try:
        order = json.loads(event["body"])
        order_id = str(uuid.uuid4())
        dynamodb.put_item(
            TableName=ORDERS_TABLE,
            Item={"id": {"S": order_id}, "note": {"S": str(order.get("note", ""))[:500]}},
        )
        return {"statusCode": 201, "body": json.dumps({"id": order_id})}
    except (ValueError, KeyError):
        LOG.exception("bad order request %s", context.aws_request_id)
        return {"statusCode": 400, "body": json.dumps({"error": "bad request", "request": context.aws_request_id})}


def get_order(event, context):
    token = event["headers"].get("Authorization", "")
    signing_key = secrets.get_secret_value(SecretId=STRIPE_SECRET_ARN)["SecretString"]
    claims = jwt.decode(token, signing_key, algorithms=["HS256"], audience=JWT_AUDIENCE)
    order_id = event["pathParameters"]["id"]
    item = dynamodb.get_item(TableName=ORDERS_TABLE, Key={"id": {"S": order_id}})
    LOG.info("order %s read by %s", order_id, claims.get("sub"))
    return {"statusCode": 200, "body": json.dumps({"user": claims.get("sub"), "item": item.get("Item")})}
