import base64
import os

import boto3

kms = boto3.client("kms")


def handler(event, context):
    if event["op"] == "encrypt":
        blob = kms.encrypt(KeyId=os.environ["KEY_ARN"], Plaintext=event["data"].encode())["CiphertextBlob"]
        return base64.b64encode(blob).decode()
    return kms.decrypt(KeyId=os.environ["KEY_ARN"], CiphertextBlob=base64.b64decode(event["data"]))["Plaintext"]
