"""Account-only rules on hand-built live models: each rule fails on the bad case and passes the good one."""

from __future__ import annotations

import datetime as dt

import pytest

from hullguard.cloud.audit import merge
from hullguard.cloud.collectors.facts import FunctionFacts, LiveRegion
from hullguard.cloud.rules import RuleContext, evaluate_live, rule_by_id
from hullguard.cloud.triggers import mapping_trigger, policy_permissions
from hullguard.events.schema import Severity
from hullguard.model.app import (
    Application,
    Function,
    FunctionUrl,
    Permission,
    Policy,
    Role,
    SourceRef,
    Statement,
    Trigger,
)
from hullguard.model.finding import Finding

ACCOUNT = "123456789012"


def live(*functions: Function, facts: dict[str, FunctionFacts] | None = None) -> LiveRegion:
    app = Application(
        name=f"{ACCOUNT}/us-east-1",
        root=f"aws://{ACCOUNT}/us-east-1",
        format="live",
        region="us-east-1",
        account=ACCOUNT,
        functions=list(functions),
    )
    all_facts = {
        str(f.name): FunctionFacts(arn=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{f.name}") for f in functions
    }
    all_facts.update(facts or {})
    return LiveRegion(app, all_facts)


def fn(name: str, **kwargs: object) -> Function:
    return Function(logical_id=name, name=name, **kwargs)  # type: ignore[arg-type]


def role(name: str, *statements: dict[str, object]) -> Role:
    return Role(
        logical_id=name,
        name=name,
        arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
        policies=[Policy("p", [Statement.from_json(dict(s)) for s in statements])],
    )


def ids(region: LiveRegion, ctx: RuleContext | None = None) -> set[tuple[str, str | None]]:
    return {(f.rule_id, f.function) for f in evaluate_live([region], ctx)}


def test_shared_role_flags_every_sharer_only() -> None:
    shared = role("shared", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    own = role("own", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    found = ids(live(fn("a", role=shared), fn("b", role=shared), fn("c", role=own)))
    assert {f for f in found if f[0] == "HG-AUDIT-002"} == {("HG-AUDIT-002", "a"), ("HG-AUDIT-002", "b")}


@pytest.mark.parametrize(
    ("statement", "flagged"),
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, True),
        ({"Effect": "Allow", "Action": ["s3:Get*"], "Resource": "arn:aws:s3:::b/*"}, True),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, True),
        ({"Effect": "Deny", "Action": "*", "Resource": "*"}, False),
        ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, False),
    ],
)
def test_wildcard_permissions_including_not_action(statement: dict[str, object], flagged: bool) -> None:
    found = ids(live(fn("f", role=role("r", statement))))
    assert (("HG-AUDIT-004", "f") in found) is flagged


def test_several_trigger_types_counts_families_not_statements() -> None:
    one_kind = fn("one", triggers=[Trigger("s3", "arn:aws:s3:::a"), Trigger("s3", "arn:aws:s3:::b")])
    api_family = fn("api", triggers=[Trigger("rest-api"), Trigger("http-api")])
    mixed = fn("mixed", triggers=[Trigger("rest-api"), Trigger("sqs", "arn:aws:sqs:us-east-1:1:q")])
    found = ids(live(one_kind, api_family, mixed))
    assert {f for f in found if f[0] == "HG-AUDIT-003"} == {("HG-AUDIT-003", "mixed")}


def test_cross_account_layer_unless_trusted() -> None:
    layer = "arn:aws:lambda:us-east-1:999988887777:layer:utils:3"
    own = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:mine:1"
    region = live(
        fn("f", layers=[layer]),
        fn("g", layers=[own]),
        facts={
            "f": FunctionFacts(arn="arn:f", layer_accounts=["999988887777"]),
            "g": FunctionFacts(arn="arn:g", layer_accounts=[ACCOUNT]),
        },
    )
    assert {f for f in ids(region) if f[0] == "HG-AUDIT-005"} == {("HG-AUDIT-005", "f")}
    trusted = RuleContext(trusted_layer_accounts=frozenset({"999988887777"}))
    assert not {f for f in ids(region, trusted) if f[0] == "HG-AUDIT-005"}


def test_public_policy_needs_star_without_conditions() -> None:
    public = fn("public", permissions=[Permission("*", source=SourceRef(logical_id="open"))])
    scoped = fn("scoped", permissions=[Permission("*", source_account=ACCOUNT)])
    service = fn("service", permissions=[Permission("s3.amazonaws.com", source_arn="arn:aws:s3:::b")])
    url_only = fn("url", permissions=[Permission("*", action="lambda:InvokeFunctionUrl")])
    found = {f for f in ids(live(public, scoped, service, url_only)) if f[0] == "HG-AUDIT-006"}
    assert found == {("HG-AUDIT-006", "public")}


def test_url_auth_none() -> None:
    found = ids(live(fn("open", url=FunctionUrl("NONE")), fn("iam", url=FunctionUrl("AWS_IAM")), fn("none")))
    assert {f for f in found if f[0] == "HG-AUDIT-007"} == {("HG-AUDIT-007", "open")}


def test_unused_needs_zero_invocations_and_an_old_deployment() -> None:
    now = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
    old, new = "2024-01-01T00:00:00.000+0000", "2024-05-30T00:00:00.000+0000"
    region = live(
        fn("idle", last_modified=old),
        fn("busy", last_modified=old),
        fn("fresh", last_modified=new),
        fn("unmeasured", last_modified=old),
        facts={
            "idle": FunctionFacts("arn:idle", invocations=0.0),
            "busy": FunctionFacts("arn:busy", invocations=12.0),
            "fresh": FunctionFacts("arn:fresh", invocations=0.0),
            "unmeasured": FunctionFacts("arn:u", invocations=None),
        },
    )
    found = ids(region, RuleContext(unused_days=90, now=now))
    assert {f for f in found if f[0] == "HG-AUDIT-008"} == {("HG-AUDIT-008", "idle")}
    assert not {f for f in ids(region, RuleContext(unused_days=0, now=now)) if f[0] == "HG-AUDIT-008"}


def test_console_evidence_and_protection() -> None:
    region = live(
        fn("clicked", protected=False),
        fn("guarded", protected=True),
        facts={
            "clicked": FunctionFacts("arn:c", console_evidence=["CreateFunction20150331 by Admin"]),
            "guarded": FunctionFacts("arn:g"),
        },
    )
    found = ids(region)
    assert ("HG-AUDIT-001", "clicked") in found and ("HG-AUDIT-001", "guarded") not in found
    assert ("HG-AUDIT-009", "clicked") in found and ("HG-AUDIT-009", "guarded") not in found


def test_findings_carry_account_region_and_arn() -> None:
    finding = evaluate_live([live(fn("open", url=FunctionUrl("NONE")))])
    url = next(f for f in finding if f.rule_id == "HG-AUDIT-007")
    assert url.detail["account"] == ACCOUNT and url.detail["region"] == "us-east-1"
    assert url.resource == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:open"
    assert url.severity is Severity.HIGH and url.risk == "broken-authentication"
    assert rule_by_id("HG-AUDIT-001").risk == "out-of-band-deployment"


def test_merge_drops_account_findings_the_scanner_already_states() -> None:
    scanner = Finding("HG-IAM-012", "shared", Severity.MEDIUM, "over-privileged", "m", function="a", application="x")
    mine = Finding("HG-AUDIT-002", "shared", Severity.MEDIUM, "over-privileged", "m", function="a", application="x")
    other = Finding("HG-AUDIT-002", "shared", Severity.MEDIUM, "over-privileged", "m", function="b", application="x")
    assert [f.function for f in merge([scanner], [mine, other]) if f.rule_id == "HG-AUDIT-002"] == ["b"]


@pytest.mark.parametrize(
    ("principal", "kind"),
    [
        ({"Service": "s3.amazonaws.com"}, "s3"),
        ({"Service": "logs.eu-west-1.amazonaws.com"}, "cloudwatch-logs"),
        ({"AWS": "arn:aws:iam::210987654321:root"}, "direct"),
        ({"AWS": "210987654321"}, "direct"),
        ("*", "direct"),
        ({"Service": "alexa-appkit.amazon.com"}, "alexa"),
        ({"Service": "unknown.example.com"}, "other"),
    ],
)
def test_trigger_kind_from_every_principal_shape(principal: object, kind: str) -> None:
    import json

    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "x",
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": "lambda:InvokeFunction",
                    "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                    "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::b"}},
                }
            ],
        }
    )
    permissions, triggers = policy_permissions(policy, "f")
    assert [t.kind for t in triggers] == [kind]
    assert permissions[0].source_arn == "arn:aws:s3:::b"


def test_function_url_permission_is_a_url_trigger() -> None:
    import json

    policy = json.dumps(
        {
            "Statement": [
                {
                    "Sid": "FunctionURLAllowPublicAccess",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "lambda:InvokeFunctionUrl",
                    "Resource": "arn",
                    "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
                }
            ]
        }
    )
    permissions, triggers = policy_permissions(policy, "f")
    assert [t.kind for t in triggers] == ["function-url"]
    assert permissions[0].function_url_auth_type == "NONE"


def test_event_source_mapping_shapes() -> None:
    kinesis = mapping_trigger(
        {
            "UUID": "u",
            "EventSourceArn": "arn:aws:kinesis:us-east-1:1:stream/s",
            "BatchSize": 100,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:1:dlq"}},
        }
    )
    assert (kinesis.kind, kinesis.report_batch_item_failures, kinesis.on_failure) == (
        "kinesis",
        True,
        "arn:aws:sqs:us-east-1:1:dlq",
    )
    kafka = mapping_trigger(
        {"UUID": "k", "SelfManagedEventSource": {"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": ["b:9092"]}}}
    )
    assert kafka.kind == "kafka"


def test_merge_drops_role_findings_the_scanner_states_once_on_the_role() -> None:
    on_role = Finding("HG-IAM-003", "svc:*", Severity.HIGH, "over-privileged", "m", resource="shared", application="x")
    mine = Finding(
        "HG-AUDIT-004",
        "w",
        Severity.HIGH,
        "over-privileged",
        "m",
        function="a",
        application="x",
        detail={"role": "shared"},
    )
    other_role = Finding(
        "HG-AUDIT-004",
        "w",
        Severity.HIGH,
        "over-privileged",
        "m",
        function="b",
        application="x",
        detail={"role": "own"},
    )
    assert [f.function for f in merge([on_role], [mine, other_role]) if f.rule_id == "HG-AUDIT-004"] == ["b"]
