import json
import os

import boto3

sfn = boto3.client("stepfunctions")


def handler(event, context):
    execution = sfn.start_execution(stateMachineArn=os.environ["CHECKOUT_FLOW"], input=json.dumps(event))
    return {"execution": execution["executionArn"]}
