import os

import boto3

ssm = boto3.client("ssm")
STAGE = os.environ.get("STAGE", "dev")


def load():
    flags = ssm.get_parameter(Name=f"/acme/{STAGE}/feature-flags")["Parameter"]["Value"]
    rest = ssm.get_parameters_by_path(Path=f"/acme/{STAGE}/service", Recursive=True)
    return flags, rest["Parameters"]
