import boto3

sqs = boto3.client("sqs")
RETRY_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/payments-retry"


def handler(event, context):
    failed = []
    for record in event["Records"]:
        if "error" in record["body"]:
            sqs.send_message(QueueUrl=RETRY_URL, MessageBody=record["body"], DelaySeconds=60)
    return {"batchItemFailures": failed}
