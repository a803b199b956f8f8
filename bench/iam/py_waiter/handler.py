import boto3

s3 = boto3.client("s3")


def handler(event, context):
    waiter = s3.get_waiter("object_exists")
    waiter.wait(Bucket="acme-renders", Key="frames/" + event["frame"], WaiterConfig={"Delay": 2, "MaxAttempts": 10})
    return {"ready": True}
