import boto3

cloudwatch = boto3.client("cloudwatch")


def handler(event, context):
    cloudwatch.put_metric_data(Namespace="Acme/Checkout",
                               MetricData=[{"MetricName": "Orders", "Value": len(event["orders"]), "Unit": "Count"}])
