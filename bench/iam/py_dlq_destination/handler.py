import json


def handler(event, context):
    if not event.get("valid"):
        raise ValueError("invalid event")
    return json.dumps(event)
