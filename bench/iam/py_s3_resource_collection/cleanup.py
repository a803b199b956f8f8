import os

import boto3

s3 = boto3.resource("s3")


def handler(event, context):
    bucket = s3.Bucket(os.environ["SCRATCH_BUCKET"])
    bucket.objects.filter(Prefix="tmp/").delete()
    return {"ok": True}
