import boto3

client = boto3.client("dynamodb")


def handler(event, context):
    rows = client.execute_statement(Statement='SELECT * FROM "inventory" WHERE sku = ?',
                                    Parameters=[{"S": event["sku"]}])
    client.execute_statement(Statement="INSERT INTO audit VALUE {'id': ?}", Parameters=[{"S": event["id"]}])
    return rows["Items"]
