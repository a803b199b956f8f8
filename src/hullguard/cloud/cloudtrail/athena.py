"""Run the detection SQL on Amazon Athena over the standard CloudTrail table."""

from __future__ import annotations

import time
from typing import Any


class AthenaError(Exception):
    pass


class AthenaRunner:
    def __init__(
        self, client: Any, database: str, output: str | None, workgroup: str = "primary", poll: float = 1.0
    ) -> None:
        self.client = client
        self.database = database
        self.output = output
        self.workgroup = workgroup
        self.poll = poll

    def query(self, sql: str, timeout: float = 600.0) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "QueryString": sql,
            "QueryExecutionContext": {"Database": self.database},
            "WorkGroup": self.workgroup,
        }
        if self.output:
            kwargs["ResultConfiguration"] = {"OutputLocation": self.output}
        execution = self.client.start_query_execution(**kwargs)["QueryExecutionId"]
        deadline = time.monotonic() + timeout
        while True:
            status = self.client.get_query_execution(QueryExecutionId=execution)["QueryExecution"]["Status"]
            state = status.get("State")
            if state == "SUCCEEDED":
                break
            if state in ("FAILED", "CANCELLED"):
                raise AthenaError(f"Athena query {execution} {state}: {status.get('StateChangeReason', '')}")
            if time.monotonic() > deadline:
                raise AthenaError(f"Athena query {execution} still {state} after {timeout:.0f}s")
            time.sleep(self.poll)
        rows: list[dict[str, Any]] = []
        names: list[str] | None = None
        for page in self.client.get_paginator("get_query_results").paginate(QueryExecutionId=execution):
            if names is None:
                info = page.get("ResultSet", {}).get("ResultSetMetadata", {}).get("ColumnInfo", [])
                names = [c["Name"] for c in info]
                data = page.get("ResultSet", {}).get("Rows", [])[1:]  # first row repeats the header
            else:
                data = page.get("ResultSet", {}).get("Rows", [])
            for row in data:
                values = [cell.get("VarCharValue") for cell in row.get("Data", [])]
                rows.append(dict(zip(names, values, strict=False)))
        return [_typed(r) for r in rows]


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    """Athena returns every value as text; booleans are the only non-text values our rules read."""
    return {
        k: (v == "true") if v in ("true", "false") and k in ("lambda_agent", "role_agent_seen") else v
        for k, v in row.items()
    }
