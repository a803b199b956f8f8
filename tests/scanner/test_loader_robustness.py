"""Whatever a template holds, loading and evaluating it never raises (problems, not tracebacks)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hullguard.scanner.engine import run
from hullguard.scanner.loaders import load_applications

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.text(max_size=8),
    st.sampled_from(["*", "NONE", "${self:custom.x}", "${ssm:/a}", "!Ref", "arn:aws:s3:::b"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=12,
)
keys = st.sampled_from(
    [
        "Type",
        "Properties",
        "Policies",
        "Events",
        "Role",
        "Handler",
        "Runtime",
        "Environment",
        "FunctionUrlConfig",
        "CodeUri",
        "Auth",
        "DefinitionBody",
        "Statement",
        "Ref",
        "Fn::GetAtt",
        "Fn::Sub",
        "Variables",
        "PolicyDocument",
    ]
)
resource_types = st.sampled_from(
    [
        "AWS::Serverless::Function",
        "AWS::Lambda::Function",
        "AWS::IAM::Role",
        "AWS::Serverless::Api",
        "AWS::Lambda::Permission",
        "AWS::S3::Bucket",
        "AWS::ApiGateway::Method",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Lambda::Url",
    ]
)
properties = st.dictionaries(keys, values, max_size=5)
templates = st.fixed_dictionaries(
    {
        "AWSTemplateFormatVersion": st.just("2010-09-09"),
        "Transform": st.sampled_from(["AWS::Serverless-2016-10-31", "Other"]),
        "Resources": st.dictionaries(
            st.from_regex(r"[A-Z][a-z]{1,6}", fullmatch=True),
            st.fixed_dictionaries({"Type": resource_types, "Properties": properties}),
            max_size=4,
        ),
    }
)
serverless = st.fixed_dictionaries(
    {
        "service": st.text(max_size=5),
        "provider": st.dictionaries(
            st.sampled_from(["runtime", "iam", "environment", "iamRoleStatements", "httpApi"]), values, max_size=3
        ),
        "functions": st.dictionaries(
            st.text(min_size=1, max_size=5),
            st.dictionaries(st.sampled_from(["handler", "events", "url", "role", "environment"]), values, max_size=4),
            max_size=3,
        ),
    }
)


def _load_and_evaluate(name: str, document: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / name).write_text(json.dumps(document) if name.endswith(".json") else yaml.safe_dump(document))
        result = load_applications(root)
        outcome = run(result.applications, root)
        crashed = [p for p in outcome.problems if p.startswith("rule ")]
        assert crashed == [], crashed  # a rule must cope with any model a loader builds


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates)
def test_random_cloudformation_and_sam_templates_never_raise(document: dict[str, Any]) -> None:
    _load_and_evaluate("template.json", document)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(serverless)
def test_random_serverless_documents_never_raise(document: dict[str, Any]) -> None:
    _load_and_evaluate("serverless.yml", document)
