"""Render generated policies: json (the public contract), iam, cloudformation, serverless, terraform.

Resources are kept in ``Fn::Sub`` text form (``arn:${AWS::Partition}:s3:::${Bucket}/*``) until a
format needs something else: CloudFormation and the Serverless Framework wrap them in ``Fn::Sub``,
Terraform maps the pseudo parameters to data sources, plain IAM substitutes given values.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from hullguard.iam.generate import FunctionPolicy

FORMATS = ("json", "iam", "cloudformation", "serverless", "terraform")
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
_TF_PSEUDO = {
    "${AWS::AccountId}": "${data.aws_caller_identity.current.account_id}",
    "${AWS::Region}": "${data.aws_region.current.name}",
    "${AWS::Partition}": "${data.aws_partition.current.partition}",
}


def as_cfn(value: str) -> Any:
    """A resource string as CloudFormation: ``Fn::Sub`` when it holds placeholders."""
    return {"Fn::Sub": value} if "${" in value else value


def cfn_statements(policy: FunctionPolicy) -> list[dict[str, Any]]:
    return [{**_sid(s), "Effect": s["Effect"], "Action": s["Action"], "Resource": [as_cfn(r) for r in s["Resource"]]}
            for s in policy.statements()]


def _sid(statement: dict[str, Any]) -> dict[str, Any]:
    """The statement's ``Sid`` when it has one (grants inferred from calls chosen at run time)."""
    return {"Sid": statement["Sid"]} if "Sid" in statement else {}


def role_logical_id(policy: FunctionPolicy) -> str:
    return f"{policy.logical_id}Role"


def output_keys(policies: list[FunctionPolicy]) -> list[str]:
    """Each function's logical id; ``<template>#<id>`` for every function whose id is in several templates
    (a repository holding a fixed and a vulnerable copy of one app)."""
    from collections import Counter

    counts = Counter(p.logical_id for p in policies)
    return [p.logical_id if counts[p.logical_id] == 1 else f"{p.app.template if p.app else ''}#{p.logical_id}"
            for p in policies]


def render_json(policies: list[FunctionPolicy]) -> str:
    return json.dumps({key: p.document() for key, p in zip(output_keys(policies), policies, strict=True)}, indent=2)


def render_iam(policies: list[FunctionPolicy], account: str | None, region: str | None, partition: str) -> str:
    """Plain IAM documents: pseudo parameters replaced by the given values (``*`` when not given)."""
    values = {"${AWS::AccountId}": account or "*", "${AWS::Region}": region or "*", "${AWS::Partition}": partition}

    def plain(resource: str) -> str:
        for key, value in values.items():
            resource = resource.replace(key, value)
        return resource

    out: dict[str, Any] = {}
    for key, policy in zip(output_keys(policies), policies, strict=True):
        doc = policy.document()
        for statement in doc["Statement"]:
            statement["Resource"] = sorted({plain(r) for r in statement["Resource"]})
        out[key] = doc
    return json.dumps(out, indent=2)


def _yaml(data: Any) -> str:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def cloudformation_fragment(policies: list[FunctionPolicy]) -> dict[str, Any]:
    """SAM functions get ``Policies``; plain CloudFormation functions get an ``AWS::IAM::Role`` each."""
    resources: dict[str, Any] = {}
    for policy in policies:
        statements = cfn_statements(policy)
        if policy.app is not None and policy.app.format == "sam":
            resources[policy.logical_id] = {"Properties": {"Policies": [{"Statement": statements}]}}
        else:
            resources[role_logical_id(policy)] = {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": LAMBDA_TRUST,
                    "Policies": [{"PolicyName": f"{policy.logical_id}-least-privilege",
                                  "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
                },
            }
            resources[policy.logical_id] = {"Properties": {"Role": {"Fn::GetAtt": [role_logical_id(policy), "Arn"]}}}
    return {"Resources": resources}


def serverless_fragment(policies: list[FunctionPolicy]) -> dict[str, Any]:
    """Per-function ``iamRoleStatements`` (serverless-iam-roles-per-function), or ``provider.iam`` for
    a service with one function."""
    by_app: dict[int, list[FunctionPolicy]] = {}
    for policy in policies:
        by_app.setdefault(id(policy.app), []).append(policy)
    fragment: dict[str, Any] = {}
    for group in by_app.values():
        total = len(group[0].app.functions) if group[0].app is not None else len(group)
        if total == 1:
            fragment.setdefault("provider", {})["iam"] = {"role": {"statements": cfn_statements(group[0])}}
            continue
        functions = fragment.setdefault("functions", {})
        for policy in group:
            functions[policy.logical_id] = {"iamRoleStatements": cfn_statements(policy)}
        fragment["plugins"] = ["serverless-iam-roles-per-function"]
    return fragment


def terraform_name(logical_id: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", logical_id.split(".")[-1] if logical_id.startswith("aws_") else logical_id)
    return name if name and not name[0].isdigit() else f"fn_{name}"


def terraform_document(policies: list[FunctionPolicy]) -> dict[str, Any]:
    documents: dict[str, Any] = {}
    for policy in policies:
        statements = []
        for statement in policy.statements():
            resources = []
            for resource in statement["Resource"]:
                for key, value in _TF_PSEUDO.items():
                    resource = resource.replace(key, value)
                resources.append(resource)
            sid = {"sid": statement["Sid"]} if "Sid" in statement else {}
            statements.append({**sid, "effect": "Allow", "actions": statement["Action"], "resources": resources})
        documents[f"{terraform_name(policy.logical_id)}_least_privilege"] = {"statement": statements}
    return {
        "data": {
            "aws_caller_identity": {"current": {}},
            "aws_region": {"current": {}},
            "aws_partition": {"current": {}},
            "aws_iam_policy_document": documents,
        }
    }


def render(policies: list[FunctionPolicy], fmt: str, account: str | None = None, region: str | None = None,
           partition: str = "aws") -> str:
    if fmt == "json":
        return render_json(policies)
    if fmt == "iam":
        return render_iam(policies, account, region, partition)
    if fmt == "cloudformation":
        return _yaml(cloudformation_fragment(policies))
    if fmt == "serverless":
        return _yaml(serverless_fragment(policies))
    if fmt == "terraform":
        return json.dumps(terraform_document(policies), indent=2)
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
