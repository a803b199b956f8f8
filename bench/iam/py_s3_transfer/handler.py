import io
import os

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    buffer = io.BytesIO()
    s3.download_fileobj(os.environ["RAW_BUCKET"], event["key"], buffer)
    with open("/tmp/out.bin", "wb") as out:
        out.write(buffer.getvalue()[::-1])
    s3.upload_file("/tmp/out.bin", os.environ["RESULT_BUCKET"], "reversed/" + event["key"])
