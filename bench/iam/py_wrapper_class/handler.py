import os

import boto3
from storage import InvoiceStore

store = InvoiceStore()


def record(client, invoice_id):
    client.update_item(TableName=os.environ["INVOICES_TABLE"], Key={"id": {"S": invoice_id}},
                       UpdateExpression="SET stored = :t", ExpressionAttributeValues={":t": {"BOOL": True}})


def handler(event, context):
    store.save(event["id"], event["pdf"].encode())
    record(boto3.client("dynamodb"), event["id"])
