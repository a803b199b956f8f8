"""Orders API handlers (deliberately vulnerable: see examples/README.md)."""

import json
import os
import sqlite3
import subprocess
import traceback

import boto3
import jwt

dynamodb = boto3.client("dynamodb")
ORDERS_TABLE = os.environ["ORDERS_TABLE"]
# Planted: a hard-coded AWS access key pair (AWS's documentation example values).
AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def create_order(event, context):
    try:
        order = json.loads(event["body"])
        dynamodb.put_item(
            TableName=ORDERS_TABLE,
            Item={"id": {"S": order["id"]}, "note": {"S": order.get("note", "")}},
        )
        label = order.get("label", "order")
        subprocess.run(f"convert label:{label} /tmp/label.png", shell=True, check=False)
        return {"statusCode": 201, "body": json.dumps({"id": order["id"]})}
    except Exception:
        return {"statusCode": 500, "body": traceback.format_exc()}


def get_order(event, context):
    token = event["headers"].get("Authorization", "")
    claims = jwt.decode(token, options={"verify_signature": False})
    order_id = event["pathParameters"]["id"]
    connection = sqlite3.connect("/tmp/orders-cache.db")
    rows = connection.execute("SELECT * FROM orders WHERE id = '" + order_id + "'").fetchall()
    item = dynamodb.get_item(TableName=ORDERS_TABLE, Key={"id": {"S": order_id}})
    print("request environment", dict(os.environ))
    return {"statusCode": 200, "body": json.dumps({"user": claims.get("sub"), "rows": rows, "item": item})}
