import os

import boto3

ddb = boto3.client("dynamodb")
ACCOUNTS = os.environ["ACCOUNTS_TABLE"]
LEDGER = os.environ["LEDGER_TABLE"]


def handler(event, context):
    ddb.transact_write_items(
        TransactItems=[
            {"Update": {"TableName": ACCOUNTS, "Key": {"id": {"S": event["from"]}},
                        "UpdateExpression": "SET balance = balance - :a",
                        "ExpressionAttributeValues": {":a": {"N": str(event["amount"])}}}},
            {"Put": {"TableName": LEDGER, "Item": {"id": {"S": event["tx"]}}}},
        ]
    )
