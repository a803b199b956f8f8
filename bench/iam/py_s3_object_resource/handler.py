import json
import os

import boto3

s3 = boto3.resource("s3")
CONFIG = s3.Object(os.environ["CONFIG_BUCKET"], "settings/app.json")


def handler(event, context):
    settings = json.loads(CONFIG.get()["Body"].read())
    settings["last_run"] = event["time"]
    s3.Object(os.environ["CONFIG_BUCKET"], "settings/last-run.json").put(Body=json.dumps(settings))
