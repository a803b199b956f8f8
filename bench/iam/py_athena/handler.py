import time

import boto3

athena = boto3.client("athena")


def handler(event, context):
    run = athena.start_query_execution(QueryString=event["sql"], WorkGroup="analysts")
    query_id = run["QueryExecutionId"]
    while athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"] == "RUNNING":
        time.sleep(1)
    return athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]
