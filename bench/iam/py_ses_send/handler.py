import boto3

ses = boto3.client("ses")
SENDER = "no-reply@acme.example"


def handler(event, context):
    ses.send_email(Source=SENDER, Destination={"ToAddresses": [event["email"]]},
                   Message={"Subject": {"Data": "Welcome"}, "Body": {"Text": {"Data": "Hello"}}})
