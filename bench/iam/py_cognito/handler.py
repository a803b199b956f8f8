import os

import boto3

idp = boto3.client("cognito-idp")


def handler(event, context):
    user = idp.admin_get_user(UserPoolId=os.environ["USER_POOL_ID"], Username=event["username"])
    return {"status": user["UserStatus"]}
