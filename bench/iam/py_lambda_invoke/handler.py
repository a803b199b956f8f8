import json

import boto3

lam = boto3.client("lambda")


def handler(event, context):
    result = lam.invoke(FunctionName="acme-pricing-engine", InvocationType="RequestResponse",
                        Payload=json.dumps(event).encode())
    return json.loads(result["Payload"].read())
