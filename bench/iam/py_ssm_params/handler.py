from config import load


def handler(event, context):
    flags, params = load()
    return {"flags": flags, "count": len(params)}
