import os

import boto3

s3 = boto3.client("s3", region_name=os.environ.get("AWS_REGION"))


def handler(event, context):
    user = event["requestContext"]["authorizer"]["claims"]["sub"]
    url = s3.generate_presigned_url(
        "get_object",
        Params={"Bucket": os.environ["REPORTS_BUCKET"], "Key": f"users/{user}/report.pdf"},
        ExpiresIn=300,
    )
    upload = s3.generate_presigned_post(os.environ["REPORTS_BUCKET"], f"users/{user}/upload.pdf")
    return {"download": url, "upload": upload}
