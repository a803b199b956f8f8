"""AWS Config custom-rule handler on real Config events, and the SAM template it ships with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from hullguard.cloud.config_rules.evaluations import Evaluation, put_evaluations
from hullguard.cloud.config_rules.handler import evaluate_event
from hullguard.cloud.config_rules.template import build_template, render_template

from .conftest import make_function, make_role

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cloud" / "config"


def load(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / name).read_text()))


def lambda_change_event(
    function: str, status: str = "OK", left_scope: bool = False, rules: str = "HG-AUDIT-002"
) -> dict[str, Any]:
    """The real change notification, re-pointed at a Lambda function the way Config records one."""
    event = load("awsConfigRuleConfigurationChanged.json")
    invoking = json.loads(event["invokingEvent"])
    item = invoking["configurationItem"]
    item.update(
        {
            "resourceType": "AWS::Lambda::Function",
            "resourceId": function,
            "resourceName": function,
            "configurationItemStatus": status,
            "awsAccountId": "123456789012",
            "ARN": f"arn:aws:lambda:us-east-1:123456789012:function:{function}",
            "configuration": {"functionName": function, "runtime": "python3.12"},
        }
    )
    event["invokingEvent"] = json.dumps(invoking)
    event["ruleParameters"] = json.dumps({"rules": rules})
    event["eventLeftScope"] = left_scope
    event["accountId"] = "123456789012"
    return event


@pytest.fixture
def shared_account(moto_aws: boto3.Session) -> boto3.Session:
    shared = make_role(moto_aws, "shared", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
    own = make_role(moto_aws, "own", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
    make_function(moto_aws, "a", shared)
    make_function(moto_aws, "b", shared)
    make_function(moto_aws, "c", own)
    return moto_aws


def test_change_notification_evaluates_the_changed_function(shared_account: boto3.Session) -> None:
    out = evaluate_event(lambda_change_event("a"), shared_account)
    assert [(e.resource_id, e.compliance) for e in out] == [("a", "NON_COMPLIANT")]
    assert out[0].annotation.startswith("HG-AUDIT-002: a shares its role shared")
    assert out[0].ordering.isoformat().startswith("2023-04-27T15:03:11")
    compliant = evaluate_event(lambda_change_event("c"), shared_account)
    assert [(e.resource_id, e.compliance) for e in compliant] == [("c", "COMPLIANT")]


def test_left_scope_and_deleted_items_are_not_applicable(shared_account: boto3.Session) -> None:
    assert [e.compliance for e in evaluate_event(lambda_change_event("a", left_scope=True), shared_account)] == [
        "NOT_APPLICABLE"
    ]
    assert [
        e.compliance for e in evaluate_event(lambda_change_event("a", status="ResourceDeleted"), shared_account)
    ] == ["NOT_APPLICABLE"]


def test_other_resource_types_are_not_applicable(shared_account: boto3.Session) -> None:
    event = load("awsConfigRuleConfigurationChanged.json")  # the real EC2 instance event, unmodified
    out = evaluate_event(event, shared_account)
    assert [(e.resource_id, e.resource_type, e.compliance) for e in out] == [
        ("i-042dd005362091826", "AWS::EC2::Instance", "NOT_APPLICABLE")
    ]


def test_scheduled_notification_evaluates_every_function(shared_account: boto3.Session) -> None:
    event = load("awsConfigRuleScheduled.json")
    event["ruleParameters"] = json.dumps({"rules": "HG-AUDIT-002"})
    out = {e.resource_id: e.compliance for e in evaluate_event(event, shared_account)}
    assert out == {"a": "NON_COMPLIANT", "b": "NON_COMPLIANT", "c": "COMPLIANT"}


class _ConfigHistory:
    """GetResourceConfigHistory as AWS answers it: configuration as a JSON string."""

    def __init__(self, function: str) -> None:
        self.function = function
        self.calls: list[dict[str, Any]] = []

    def get_resource_config_history(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return {
            "configurationItems": [
                {
                    "version": "1.3",
                    "accountId": "123456789012",
                    "configurationItemCaptureTime": "2016-10-06T16:46:16.261Z",
                    "configurationItemStatus": "OK",
                    "configurationStateId": "1",
                    "resourceType": "AWS::Lambda::Function",
                    "resourceId": self.function,
                    "resourceName": self.function,
                    "awsRegion": "us-east-1",
                    "arn": f"arn:aws:lambda:us-east-1:123456789012:function:{self.function}",
                    "configuration": json.dumps({"functionName": self.function, "runtime": "python3.12"}),
                    "supplementaryConfiguration": {},
                    "tags": {},
                    "relatedEvents": [],
                    "relationships": [],
                }
            ]
        }


def test_oversized_notification_reads_the_item_back(
    shared_account: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = load("awsConfigRuleOversizedConfiguration.json")
    invoking = json.loads(event["invokingEvent"])
    invoking["configurationItemSummary"].update({"resourceType": "AWS::Lambda::Function", "resourceId": "b"})
    event["invokingEvent"] = json.dumps(invoking)
    event["ruleParameters"] = json.dumps({"rules": "HG-AUDIT-002"})
    history = _ConfigHistory("b")
    real_client = shared_account.client

    def client(service: str, *args: Any, **kwargs: Any) -> Any:
        return history if service == "config" else real_client(service, *args, **kwargs)

    monkeypatch.setattr(shared_account, "client", client)
    out = evaluate_event(event, shared_account)
    assert history.calls and history.calls[0]["resourceId"] == "b" and history.calls[0]["limit"] == 1
    assert [(e.resource_id, e.compliance) for e in out] == [("b", "NON_COMPLIANT")]


def test_put_evaluations_in_chunks_of_100_with_the_token(moto_aws: boto3.Session) -> None:
    import datetime as dt

    calls: list[dict[str, Any]] = []

    class Recorder:
        def put_evaluations(self, **kwargs: Any) -> dict[str, Any]:
            calls.append(kwargs)
            return {"FailedEvaluations": []}

    now = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    evaluations = [Evaluation(f"fn-{i}", "COMPLIANT", now) for i in range(250)]
    assert put_evaluations(Recorder(), evaluations, "token-1") == 3
    assert [len(c["Evaluations"]) for c in calls] == [100, 100, 50]
    assert {c["ResultToken"] for c in calls} == {"token-1"} and not any(c["TestMode"] for c in calls)
    # moto's Config (TestMode only) accepts what we send: botocore validates it against the real API model.
    assert put_evaluations(moto_aws.client("config"), evaluations[:150], "TESTMODE") == 2


def test_annotation_is_cut_to_config_limit() -> None:
    import datetime as dt

    long = Evaluation("f", "NON_COMPLIANT", dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), "x" * 400).to_api()
    assert len(long["Annotation"]) == 256 and long["Annotation"].endswith("...")


def test_sam_template_translates_and_is_least_privilege(monkeypatch: pytest.MonkeyPatch) -> None:
    from samtranslator.translator.transform import transform

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    template = build_template("s3://artifacts/hullguard-config-rules.zip")

    class NoManagedPolicies:
        def load_policies(self) -> dict[str, str]:
            return {}

    out = transform(template, {}, NoManagedPolicies())
    types = [r["Type"] for r in out["Resources"].values()]
    assert types.count("AWS::Config::ConfigRule") == 7
    fn = out["Resources"]["HullguardConfigRuleFunction"]["Properties"]
    assert fn["Handler"] == "hullguard.cloud.config_rules.handler.handler"
    permission = out["Resources"]["HullguardConfigInvokePermission"]["Properties"]
    assert permission["Principal"] == "config.amazonaws.com"
    assert permission["SourceAccount"] == {"Ref": "AWS::AccountId"}
    statements = out["Resources"]["HullguardConfigRuleRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    actions = [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert "config:PutEvaluations" in actions and not any(a.endswith("*") for a in actions)
    shared = out["Resources"]["RuleHGAUDIT002"]["Properties"]
    kinds = [d["MessageType"] for d in shared["Source"]["SourceDetails"]]
    assert kinds == [
        "ConfigurationItemChangeNotification",
        "OversizedConfigurationItemChangeNotification",
        "ScheduledNotification",
    ]
    assert shared["Scope"] == {"ComplianceResourceTypes": ["AWS::Lambda::Function"]}


def test_rendered_template_is_yaml_of_the_same_document() -> None:
    text = render_template()
    assert text.startswith("# Build the code first")
    assert yaml.safe_load(text) == build_template()


def test_denied_reads_give_insufficient_data_not_compliant(moto_aws: boto3.Session) -> None:
    from botocore.exceptions import ClientError

    from hullguard.cloud.collectors.facts import FunctionFacts, LiveRegion
    from hullguard.cloud.coverage import Coverage
    from hullguard.cloud.session import Target
    from hullguard.model.app import Application, Function

    def denied_collector(target: Target, region: str, coverage: Coverage) -> LiveRegion:
        denied = ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "no iam:GetAccountAuthorizationDetails"}},
            "GetAccountAuthorizationDetails",
        )
        coverage.add(target.account, "global", "iam:GetAccountAuthorizationDetails", denied)
        app = Application("x", "aws://x", "live", functions=[Function("f", name="f")])
        return LiveRegion(app, {"f": FunctionFacts("arn:f")})

    out = evaluate_event(lambda_change_event("f", rules="HG-AUDIT-004"), moto_aws, collector=denied_collector)
    assert [(e.resource_id, e.compliance) for e in out] == [("f", "INSUFFICIENT_DATA")]
    assert "access-denied" in out[0].annotation


def test_gap_messages_are_one_short_line() -> None:
    from botocore.exceptions import ClientError

    from hullguard.cloud.coverage import classify, describe

    page = ClientError(
        {"Error": {"Code": "404", "Message": "<!doctype html>\n<html>\n<title>404 Not Found</title>"}},
        "ListCodeSigningConfigs",
    )
    assert classify(page) == "unsupported"
    assert describe(page) == "404: the endpoint answered with an error page (API not available there)"
    long = ClientError({"Error": {"Code": "AccessDenied", "Message": "x " * 300}}, "GetPolicy")
    assert classify(long) == "access-denied" and len(describe(long)) == 200 and "\n" not in describe(long)
