import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["EXPORT_BUCKET"]
CHUNK = 8 * 1024 * 1024


def handler(event, context):
    key = "exports/" + event["export_id"] + ".csv"
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key=key)
    parts = []
    try:
        for number, chunk in enumerate(event["chunks"], start=1):
            part = s3.upload_part(Bucket=BUCKET, Key=key, PartNumber=number, UploadId=upload["UploadId"], Body=chunk)
            parts.append({"ETag": part["ETag"], "PartNumber": number})
        s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload["UploadId"],
                                     MultipartUpload={"Parts": parts})
    except Exception:
        s3.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload["UploadId"])
        raise
