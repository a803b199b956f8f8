"""The collector's write side: validate a whole upload first, then store it in one transaction, so a
rejected batch leaves nothing behind. Events are idempotent by ``finding_info.uid``."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hullguard.console.errors import ConsoleError
from hullguard.console.models import DeployedFunction, PostureFinding, Scan, StoredEvent
from hullguard.console.security import now_ms
from hullguard.console.settings import Limits
from hullguard.console.sqlutil import insert_ignoring_conflicts, upsert
from hullguard.events.schema import RISKS, SecurityEvent, Severity

UPLOAD_SOURCES = ("scan", "audit")

# Bounded columns: a value longer than its column is refused with the field's name rather than cut
# (PostgreSQL would refuse it anyway, SQLite would keep it; both must answer the same).
_EVENT_FIELD_LIMITS = {
    "uid": 128,
    "source": 32,
    "rule_id": 128,
    "attack": 64,
    "risk": 64,
    "trigger": 64,
    "function.name": 170,
    "function.version": 64,
    "function.request_id": 128,
    "function.arn": 255,
    "function.region": 32,
    "cwe": 32,
}
_TEXT_LIMIT = 64 * 1024  # title, location, evidence: anything longer is not a real event


def parse_json_body(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConsoleError(400, f"request body is not valid JSON: {exc}") from None


def _list_field(doc: Any, key: str, limit: int, what: str) -> list[Any]:
    if not isinstance(doc, dict):
        raise ConsoleError(422, f"request body must be a JSON object with a {key!r} list")
    items = doc.get(key)
    if not isinstance(items, list):
        raise ConsoleError(422, f"{key!r} must be a list of {what}")
    if not items:
        raise ConsoleError(422, f"{key!r} is empty: send at least one")
    if len(items) > limit:
        raise ConsoleError(422, f"{len(items)} {what} in one request; the limit is {limit}, split the batch")
    return items


def account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[0] == "arn" else ""


def event_row(index: int, item: Any, received_ms: int) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ConsoleError(422, f"event {index}: must be a JSON object")
    try:
        event = SecurityEvent.from_dict(item)
    except ValueError as exc:
        raise ConsoleError(422, f"event {index}: {exc}") from None
    values = {
        "uid": event.uid,
        "source": event.source,
        "rule_id": event.rule_id,
        "attack": event.attack,
        "risk": event.risk,
        "trigger": event.trigger,
        "function.name": event.function.name,
        "function.version": event.function.version,
        "function.request_id": event.function.request_id,
        "function.arn": event.function.arn,
        "function.region": event.function.region,
        "cwe": event.cwe,
    }
    for name, limit in _EVENT_FIELD_LIMITS.items():
        if len(values[name]) > limit:
            raise ConsoleError(422, f"event {index}: field {name} is longer than {limit} characters")
    if not event.uid.strip():
        raise ConsoleError(422, f"event {index}: finding_info.uid is empty; it is the event's identity")
    for name, text in (("title", event.title), ("location", event.location), ("evidence", event.evidence)):
        if len(text) > _TEXT_LIMIT:
            raise ConsoleError(422, f"event {index}: field {name} is longer than {_TEXT_LIMIT} characters")
    if event.risk not in RISKS:
        raise ConsoleError(422, f"event {index}: unknown risk {event.risk!r}")
    return {
        "uid": event.uid,
        "time_ms": event.time_ms,
        "received_ms": received_ms,
        "source": event.source,
        "rule_id": event.rule_id,
        "title": event.title,
        "severity": event.severity.value,
        "action": event.action.value,
        "attack": event.attack,
        "risk": event.risk,
        "location": event.location,
        "evidence": event.evidence,
        "trigger": event.trigger,
        "cold_start": event.cold_start,
        "function_name": event.function.name,
        "function_version": event.function.version,
        "request_id": event.function.request_id,
        "arn": event.function.arn,
        "region": event.function.region,
        "account": account_of(event.function.arn)[:32],
        "cwe": event.cwe,
        # Re-serialised from the validated event: evidence is masked and cut the same way as in the
        # function, whatever the sender put there.
        "raw": json.dumps(event.to_dict(), ensure_ascii=True, default=str),
    }


def validate_events(doc: Any, limits: Limits) -> list[dict[str, Any]]:
    items = _list_field(doc, "events", limits.max_batch_events, "events")
    received = now_ms()
    rows: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(items):
        row = event_row(index, item, received)
        rows.setdefault(row["uid"], row)  # the same uid twice in one batch is one event
    return list(rows.values())


def store_events(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert the new events (one transaction, caller commits) and register unseen functions."""
    uids = [row["uid"] for row in rows]
    known = set(session.scalars(select(StoredEvent.uid).where(StoredEvent.uid.in_(uids))))
    fresh = [row for row in rows if row["uid"] not in known]
    stamp = now_ms()
    for row in fresh:
        # Stamped inside the transaction, just before the ids are assigned: the SIEM forwarder's grace
        # period (see forwarding/worker.py) is measured from here.
        row["received_ms"] = stamp
    insert_ignoring_conflicts(session, StoredEvent.__table__, fresh)  # type: ignore[arg-type]
    seen = {(r["function_name"], r["account"], r["region"]): r for r in fresh if r["function_name"]}
    if seen:
        # A function that reports events runs hullguard: it is deployed and protected even if no
        # scan or audit has told the console about it yet.
        insert_ignoring_conflicts(
            session,
            DeployedFunction.__table__,  # type: ignore[arg-type]
            [
                {
                    "name": name,
                    "account": account,
                    "region": region,
                    "version": row["function_version"],
                    "arn": row["arn"],
                    "protected": True,
                    "source": "events",
                    "updated_ms": stamp,
                    "runtime": "",
                    "application": "",
                    "last_deployed": "",
                    "executions": 0,
                }
                for (name, account, region), row in seen.items()
            ],
        )
    return {"accepted": len(fresh), "duplicates": len(rows) - len(fresh)}


def _text(item: dict[str, Any], key: str, index: int, what: str, limit: int, required: bool = False) -> str:
    value = item.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ConsoleError(422, f"{what} {index}: field {key} must be a string")
    if required and not value.strip():
        raise ConsoleError(422, f"{what} {index}: field {key} is required")
    if len(value) > limit:
        raise ConsoleError(422, f"{what} {index}: field {key} is longer than {limit} characters")
    return value


def _source(doc: dict[str, Any]) -> str:
    source = doc.get("source")
    if source not in UPLOAD_SOURCES:
        raise ConsoleError(422, f"'source' must be one of {', '.join(UPLOAD_SOURCES)}, got {source!r}")
    return str(source)


def validate_inventory(doc: Any, limits: Limits) -> tuple[str, list[dict[str, Any]]]:
    items = _list_field(doc, "functions", limits.max_inventory_functions, "functions")
    source = _source(doc)
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ConsoleError(422, f"function {index}: must be a JSON object")
        # null means "not known" (the scanner and audit say so when they cannot tell): shown as unprotected.
        protected = item.get("protected", False)
        if protected is None:
            protected = False
        if not isinstance(protected, bool):
            raise ConsoleError(422, f"function {index}: field protected must be true, false or null")
        executions = item.get("executions", 0) or 0
        if isinstance(executions, bool) or not isinstance(executions, int) or executions < 0:
            raise ConsoleError(422, f"function {index}: field executions must be a non-negative integer")
        rows.append(
            {
                "name": _text(item, "name", index, "function", 170, required=True),
                "version": _text(item, "version", index, "function", 64),
                "account": _text(item, "account", index, "function", 32),
                "region": _text(item, "region", index, "function", 32),
                "runtime": _text(item, "runtime", index, "function", 32),
                "application": _text(item, "application", index, "function", 255),
                "last_deployed": _text(item, "last_deployed", index, "function", 64),
                "arn": _text(item, "arn", index, "function", 255),
                "protected": protected,
                "executions": executions,
                "source": source,
            }
        )
    return source, rows


_FUNCTION_KEY = ("name", "account", "region")


def store_inventory(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Create or update functions by (name, account, region); the last entry wins within a batch."""
    stamp = now_ms()
    unique = {tuple(row[k] for k in _FUNCTION_KEY): {**row, "updated_ms": stamp} for row in rows}
    names = sorted({key[0] for key in unique})
    known = {
        (n, a, r)
        for n, a, r in session.execute(
            select(DeployedFunction.name, DeployedFunction.account, DeployedFunction.region).where(
                DeployedFunction.name.in_(names)
            )
        ).all()
    }
    created = sum(1 for key in unique if key not in known)
    columns = [c for c in next(iter(unique.values())) if c not in _FUNCTION_KEY]
    upsert(session, DeployedFunction.__table__, list(unique.values()), _FUNCTION_KEY, columns)  # type: ignore[arg-type]
    return {"created": created, "updated": len(unique) - created}


def validate_posture(doc: Any, limits: Limits) -> tuple[str, str, list[dict[str, Any]]]:
    if not isinstance(doc, dict):
        raise ConsoleError(422, "request body must be a JSON object with 'application', 'source', 'findings'")
    application = doc.get("application")
    if not isinstance(application, str) or not application.strip() or len(application) > 255:
        raise ConsoleError(422, "'application' must be a non-empty string of at most 255 characters")
    source = _source(doc)
    items = doc.get("findings")
    if not isinstance(items, list):
        raise ConsoleError(422, "'findings' must be a list of findings (an empty list records a clean scan)")
    if len(items) > limits.max_findings:
        raise ConsoleError(422, f"{len(items)} findings in one upload; the limit is {limits.max_findings}")
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ConsoleError(422, f"finding {index}: must be a JSON object")
        try:
            severity = Severity.parse(str(item.get("severity", "")))
        except ValueError as exc:
            raise ConsoleError(422, f"finding {index}: {exc}") from None
        risk = item.get("risk")
        if risk not in RISKS:
            raise ConsoleError(422, f"finding {index}: unknown risk {risk!r}")
        line = item.get("line")
        if line is not None and (isinstance(line, bool) or not isinstance(line, int)):
            raise ConsoleError(422, f"finding {index}: field line must be an integer or null")
        rows.append(
            {
                "rule_id": _text(item, "rule_id", index, "finding", 128, required=True),
                "title": _text(item, "title", index, "finding", _TEXT_LIMIT),
                "severity": severity.value,
                "risk": str(risk),
                "message": _text(item, "message", index, "finding", _TEXT_LIMIT),
                "file": _text(item, "file", index, "finding", 4096),
                "line": line,
                "function": _text(item, "function", index, "finding", 255),
                "resource": _text(item, "resource", index, "finding", 255),
                "remediation": _text(item, "remediation", index, "finding", _TEXT_LIMIT),
                "fingerprint": _text(item, "fingerprint", index, "finding", _TEXT_LIMIT),
            }
        )
    return application, source, rows


def store_posture(
    session: Session, application: str, source: str, rows: list[dict[str, Any]], created_ms: int | None = None
) -> dict[str, int]:
    stamp = now_ms() if created_ms is None else created_ms
    scan = Scan(application=application, source=source, created_ms=stamp, findings_count=len(rows))
    session.add(scan)
    session.flush()
    session.add_all(PostureFinding(scan_id=scan.id, **row) for row in rows)
    return {"scan": scan.id, "findings": len(rows)}
