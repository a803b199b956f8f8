"""Send an audit to the console's collector API (``hullguard.console.client``).

The inventory goes in batches (the console caps request bodies), with the fields the console stores;
findings go as one posture scan per account and region, the audit's "application", so a clean region
is recorded as clean and each region's history stays its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hullguard.cloud.audit import AuditReport
from hullguard.console.client import request_json

INVENTORY_FIELDS = (
    "name", "version", "account", "region", "runtime", "application", "last_deployed", "arn", "protected",
    "executions",
)  # fmt: skip
BATCH = 1000

Send = Callable[[str, str, str, Any], Any]


def _send(url: str, path: str, api_key: str, payload: Any) -> Any:
    return request_json(url, path, api_key, payload)


def upload_audit(url: str, api_key: str, report: AuditReport, send: Send = _send) -> tuple[int, int]:
    """Returns (functions sent, posture scans sent); raises ``CollectorError`` when the console refuses."""
    records = [{k: item.get(k) for k in INVENTORY_FIELDS} for item in report.inventory()]
    for start in range(0, len(records), BATCH):
        send(url, "/api/v1/inventory", api_key, {"source": "audit", "functions": records[start : start + BATCH]})
    by_region: dict[str, list[dict[str, Any]]] = {live.app.name: [] for live in report.regions}
    for finding in report.findings:
        by_region.setdefault(finding.application, []).append(finding.to_dict())
    for application, findings in by_region.items():
        send(url, "/api/v1/posture", api_key,
             {"application": f"aws://{application}", "source": "audit", "findings": findings})  # fmt: skip
    return len(records), len(by_region)
