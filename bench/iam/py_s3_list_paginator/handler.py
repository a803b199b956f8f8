import boto3

client = boto3.client("s3")


def handler(event, context):
    paginator = client.get_paginator("list_objects_v2")
    keys = []
    for page in paginator.paginate(Bucket="acme-archive", Prefix="2024/"):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return {"count": len(keys)}
