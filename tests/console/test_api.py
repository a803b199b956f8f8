"""Collector API on SQLite and PostgreSQL: auth, scopes, limits, idempotency, atomic batches."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from hullguard.console.models import DeployedFunction, PostureFinding, Scan, StoredEvent
from hullguard.console.settings import Limits
from hullguard.events import Action, Severity
from hullguard.model.finding import Finding

from .conftest import Console, build_console, make_event


def stored_events(console: Console) -> int:
    with console.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(StoredEvent)) or 0)


def test_events_are_stored_once_by_uid(console: Console) -> None:
    events = [make_event(), make_event(attack="xss", action=Action.ALERTED)]
    first = console.api("/api/v1/events", {"events": [e.to_dict() for e in events]})
    assert first.status_code == 200, first.text
    assert first.json() == {"accepted": 2, "duplicates": 0}
    again = console.api("/api/v1/events", {"events": [e.to_dict() for e in events] + [events[0].to_dict()]})
    assert again.json() == {"accepted": 0, "duplicates": 2}
    assert stored_events(console) == 2
    with console.state.sessions() as session:
        row = session.scalars(select(StoredEvent).where(StoredEvent.uid == events[0].uid)).one()
        assert (row.function_name, row.account, row.region, row.action) == (
            "orders-api",
            "123456789012",
            "eu-west-1",
            "blocked",
        )
        # A function that reports events is known (and protected) even without an inventory upload.
        fn = session.scalars(select(DeployedFunction)).one()
        assert (fn.name, fn.protected, fn.source) == ("orders-api", True, "events")


def test_unknown_schema_version_rejects_the_whole_batch(console: Console) -> None:
    good, bad = make_event().to_dict(), make_event().to_dict()
    bad["schema"] = "hullguard.event/99"
    response = console.api("/api/v1/events", {"events": [good, bad]})
    assert response.status_code == 422
    assert "event 1" in response.json()["detail"] and "hullguard.event/99" in response.json()["detail"]
    assert stored_events(console) == 0


def test_malformed_bodies_get_clear_errors(console: Console) -> None:
    headers = {"Authorization": f"Bearer {console.key}", "Content-Type": "application/json"}
    cases = [
        (b"{not json", 400, "not valid JSON"),
        (b"", 400, "empty"),
        (b"[]", 422, "JSON object"),
        (b'{"events": {}}', 422, "must be a list"),
        (b'{"events": []}', 422, "empty"),
        (b'{"events": ["x"]}', 422, "event 0: must be a JSON object"),
        (json.dumps({"events": [{"schema": "hullguard.event/1"}]}).encode(), 422, "malformed security event"),
    ]
    for body, status, phrase in cases:
        response = console.client.post("/api/v1/events", content=body, headers=headers)
        assert response.status_code == status, (body, response.text)
        assert phrase in response.json()["detail"], (body, response.text)
    assert stored_events(console) == 0


def test_oversized_fields_are_refused_not_cut(console: Console) -> None:
    event = make_event().to_dict()
    event["unmapped"]["function"]["name"] = "f" * 171
    response = console.api("/api/v1/events", {"events": [event]})
    assert response.status_code == 422
    assert "function.name is longer than 170" in response.json()["detail"]


def test_auth_scopes_and_revocation(console: Console) -> None:
    payload = {"events": [make_event().to_dict()]}
    assert console.client.post("/api/v1/events", json=payload).status_code == 401
    wrong = console.api("/api/v1/events", payload, key="hgk_not-a-real-key")
    assert wrong.status_code == 401 and "unknown or revoked" in wrong.json()["detail"]
    reader = console.make_key("policy:read")
    scoped = console.api("/api/v1/events", payload, key=reader)
    assert scoped.status_code == 403 and "events:write" in scoped.json()["detail"]
    writer = console.make_key("events:write")
    assert console.api("/api/v1/events", payload, key=writer).status_code == 200
    from hullguard.console.accounts import revoke_api_key
    from hullguard.console.models import ApiKey

    with console.state.transaction() as session:
        key_id = session.scalars(select(ApiKey.id).order_by(ApiKey.id.desc())).first()
        assert key_id is not None
        revoke_api_key(session, key_id)
    assert console.api("/api/v1/events", payload, key=writer).status_code == 401


def test_size_batch_and_rate_limits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hullguard.console.settings import database_url_for

    limited = build_console(
        database_url_for(tmp_path),
        Limits(max_body_bytes=20_000, max_batch_events=5, rate_per_second=0.01, rate_burst=3),
    )
    with limited.client:
        too_many = limited.api("/api/v1/events", {"events": [make_event().to_dict() for _ in range(6)]})
        assert too_many.status_code == 422 and "limit is 5" in too_many.json()["detail"]
        big = make_event(evidence="A" * 400).to_dict()
        too_big = limited.client.post(
            "/api/v1/events",
            content=json.dumps({"events": [big] * 5, "pad": "x" * 20_000}),
            headers={"Authorization": f"Bearer {limited.key}", "Content-Type": "application/json"},
        )
        assert too_big.status_code == 413 and "20000 bytes" in too_big.json()["detail"]
        # Burst of 3 per key: the two refusals above spent two tokens, this one the last.
        assert limited.api("/api/v1/events", {"events": [make_event().to_dict()]}).status_code == 200
        limited_answer = limited.api("/api/v1/events", {"events": [make_event().to_dict()]})
        assert limited_answer.status_code == 429
        assert "rate limit" in limited_answer.json()["detail"] and int(limited_answer.headers["retry-after"]) >= 1
        assert stored_events(limited) == 1
    limited.state.engine.dispose()


def test_sql_and_html_in_every_field_is_stored_verbatim_and_inert(console: Console) -> None:
    nasty = "'); DROP TABLE events; -- <script>alert(1)</script>"
    event = make_event(evidence=nasty, location=nasty[:60], trigger="<b>t</b>", function="x'--")
    doc = event.to_dict()
    doc["finding_info"]["title"] = nasty
    doc["unmapped"]["detail"] = {"k": nasty}
    response = console.api("/api/v1/events", {"events": [doc]})
    assert response.status_code == 200, response.text
    with console.state.sessions() as session:
        row = session.scalars(select(StoredEvent)).one()
        assert row.evidence == nasty and row.title == nasty and row.function_name == "x'--"
    assert console.login().status_code == 303
    page = console.client.get(f"/events/{event.uid}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<b>t</b>" not in console.client.get("/events").text


def test_inventory_upserts_and_validates(console: Console) -> None:
    functions = [
        {
            "name": "orders-api",
            "version": "3",
            "account": "1",
            "region": "eu-west-1",
            "runtime": "python3.12",
            "protected": True,
            "application": "shop",
            "last_deployed": "2026-11-01T00:00:00Z",
            "executions": 42,
        },
        {
            "name": "reports",
            "version": "1",
            "account": "1",
            "region": "eu-west-1",
            "runtime": "python3.9",
            "protected": False,
            "application": "shop",
            "last_deployed": "2026-10-01T00:00:00Z",
        },
    ]
    first = console.api("/api/v1/inventory", {"source": "scan", "functions": functions})
    assert first.json() == {"created": 2, "updated": 0}
    functions[1]["protected"] = True
    assert console.api("/api/v1/inventory", {"source": "audit", "functions": functions}).json() == {
        "created": 0,
        "updated": 2,
    }
    bad = console.api("/api/v1/inventory", {"source": "scan", "functions": [{"name": "x", "protected": "yes"}]})
    assert bad.status_code == 422 and "protected must be true, false or null" in bad.json()["detail"]
    # What `hullguard scan --upload` sends when the template does not say: nulls, read as unknown.
    unknown = {
        "name": "from-template",
        "version": "$LATEST",
        "account": None,
        "region": None,
        "runtime": None,
        "protected": None,
        "application": "shop",
        "last_deployed": None,
        "arn": None,
        "executions": None,
    }
    assert console.api("/api/v1/inventory", {"source": "scan", "functions": [unknown]}).status_code == 200
    # The same function twice in one upload is one function; the later entry wins.
    twice = [dict(unknown, name="dup", runtime="python3.11"), dict(unknown, name="dup", runtime="python3.12")]
    assert console.api("/api/v1/inventory", {"source": "scan", "functions": twice}).json() == {
        "created": 1,
        "updated": 0,
    }
    with console.state.sessions() as session:
        assert session.scalars(select(DeployedFunction.runtime).where(DeployedFunction.name == "dup")).one() == (
            "python3.12"
        )
    assert console.api("/api/v1/inventory", {"source": "cron", "functions": functions}).status_code == 422
    with console.state.sessions() as session:
        assert session.scalar(select(func.count()).where(DeployedFunction.protected.is_(True))) == 2


def test_posture_keeps_every_scan(console: Console) -> None:
    findings = [
        Finding(
            rule_id="HG-IAM-001",
            title="Wildcard action",
            severity=Severity.HIGH,
            risk="over-privileged",
            message="Role allows dynamodb:*",
            file="template.yaml",
            line=12,
            function="Orders",
            application="shop",
        ).to_dict(),
        Finding(
            rule_id="HG-CFG-004",
            title="No DLQ",
            severity=Severity.LOW,
            risk="insecure-configuration",
            message="No dead-letter queue",
            file="template.yaml",
            line=30,
            application="shop",
        ).to_dict(),
    ]
    assert (
        console.api("/api/v1/posture", {"application": "shop", "source": "scan", "findings": findings}).json()[
            "findings"
        ]
        == 2
    )
    assert (
        console.api("/api/v1/posture", {"application": "shop", "source": "scan", "findings": findings[:1]}).status_code
        == 200
    )
    bad = dict(findings[0], risk="not-a-risk")
    refused = console.api("/api/v1/posture", {"application": "shop", "source": "scan", "findings": [bad]})
    assert refused.status_code == 422 and "unknown risk" in refused.json()["detail"]
    with console.state.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Scan)) == 2
        assert session.scalar(select(func.count()).select_from(PostureFinding)) == 3


def test_policy_pull_contract(console: Console) -> None:
    from hullguard.console.client import CollectorError, request_json

    missing = console.client.get(
        "/api/v1/functions/orders-api/policy", headers={"Authorization": f"Bearer {console.key}"}
    )
    assert missing.status_code == 404 and "no policy stored" in missing.json()["detail"]
    from hullguard.console.policies import save_policy

    with console.state.transaction() as session:
        save_policy(session, "orders-api", "mode: alert\n", "test")
        save_policy(session, "orders-api", "mode: block\n", "test")
    answer = console.client.get(
        "/api/v1/functions/orders-api/policy", headers={"Authorization": f"Bearer {console.key}"}
    )
    assert answer.json() == {"function": "orders-api", "policy": "mode: block\n", "version": 2}
    # The stdlib client others use reports a refusal as a CollectorError naming the status.
    try:
        request_json("http://127.0.0.1:9", "/api/v1/functions/x/policy", console.key, timeout=0.5)
    except CollectorError as exc:
        assert "cannot reach" in str(exc)


def test_openapi_documents_the_collector(console: Console) -> None:
    spec = console.client.get("/openapi.json").json()
    for path in ("/api/v1/events", "/api/v1/inventory", "/api/v1/posture", "/api/v1/functions/{name}/policy"):
        assert path in spec["paths"]
    assert "429" in spec["paths"]["/api/v1/events"]["post"]["responses"]
    assert console.client.get("/docs").status_code == 404  # disabled: it needs inline script (see docs)


def test_every_page_renders_on_this_database(console: Console) -> None:
    events = [make_event(), make_event(attack="xss", action=Action.ALERTED, function="payments")]
    console.api("/api/v1/events", {"events": [e.to_dict() for e in events]})
    console.api("/api/v1/posture", {"application": "shop", "source": "scan", "findings": []})
    assert console.login().status_code == 303
    for path in (
        "/",
        "/?days=1",
        "/?account=123456789012&q=pay",
        "/events",
        f"/events/{events[0].uid}",
        "/events?attack=xss&since=2020-01-01",
        "/posture",
        "/config",
        "/config/payments",
        "/admin/users",
        "/admin/keys",
        "/admin/audit",
        "/admin/integrations",
    ):
        response = console.client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
    html = console.client.get("/").text
    assert 'id="tile-attacks">2<' in html and 'id="tile-executions">2<' in html
