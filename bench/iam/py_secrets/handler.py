import json

import boto3

secrets = boto3.client("secretsmanager")
_cache = {}


def db_credentials():
    if "db" not in _cache:
        _cache["db"] = json.loads(secrets.get_secret_value(SecretId="prod/orders/db")["SecretString"])
    return _cache["db"]


def handler(event, context):
    creds = db_credentials()
    return {"user": creds["username"]}
