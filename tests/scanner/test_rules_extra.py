"""Rule behaviour beyond the PASS/FAIL fixtures: variants a single fixture pair cannot show."""

from __future__ import annotations

from pathlib import Path

from scanner_testutil import TODAY

from hullguard.scanner.rules import rule_by_id
from hullguard.scanner.scan import scan

BUCKET = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      CorsConfiguration:
        CorsRules:
          - AllowedOrigins: ['*']
            AllowedMethods: [METHODS]
"""


def _messages(tmp_path: Path, text: str, rule_id: str) -> list[str]:
    (tmp_path / "template.yaml").write_text(text)
    rule = rule_by_id(rule_id)
    assert rule is not None
    return [f.message for f in scan(tmp_path, rules=[rule], today=TODAY).findings]


def test_bucket_cors_open_to_any_origin_for_writes(tmp_path: Path) -> None:
    assert _messages(tmp_path, BUCKET.replace("METHODS", "GET, PUT"), "HG-CFG-003") == [
        "bucket Uploads accepts PUT from any origin"
    ]
    assert _messages(tmp_path, BUCKET.replace("METHODS", "GET, HEAD"), "HG-CFG-003") == []


def test_unresolved_values_are_not_judged(tmp_path: Path) -> None:
    template = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Runtime:
    Type: String
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: !Ref Runtime
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/fn
      Timeout: !Ref Runtime
      Code: {ZipFile: "def handler(e, c): return 1"}
"""
    assert _messages(tmp_path, template, "HG-CFG-006") == []


DATA_STORES = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Flag:
    Type: String
Resources:
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt FnRole.Arn
      Code: {ZipFile: "def handler(event, context): return 1"}
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: VALUE_STATUS}
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: VALUE}
      SSESpecification: {SSEEnabled: VALUE, SSEType: KMS, KMSMasterKeyId: alias/orders}
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: VALUE
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: items}
  Items:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}
  ListItems:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Items
      HttpMethod: GET
      AuthorizationType: AWS_IAM
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: prod, DeploymentId: abc123, TracingEnabled: VALUE,
                 CacheClusterEnabled: VALUE}
"""
DATA_STORE_RULES = ("HG-CFG-007", "HG-CFG-008", "HG-CFG-009", "HG-CFG-010", "HG-LOG-004", "HG-DOS-006")


def _data_store_findings(tmp_path: Path, value: str, status: str) -> dict[str, list[str]]:
    (tmp_path / "template.yaml").write_text(DATA_STORES.replace("VALUE_STATUS", status).replace("VALUE", value))
    found: dict[str, list[str]] = {}
    for rule_id in DATA_STORE_RULES:
        rule = rule_by_id(rule_id)
        assert rule is not None
        report = scan(tmp_path, rules=[rule], today=TODAY)
        assert not report.all_problems, report.all_problems
        found[rule_id] = [f"{f.severity.value} {f.message}" for f in report.findings]
    return found


def test_data_store_settings_switched_off_are_reported_once_each(tmp_path: Path) -> None:
    found = _data_store_findings(tmp_path, "false", "Suspended")
    assert found == {
        "HG-CFG-007": ["low bucket Uploads keeps no previous versions"],
        "HG-CFG-008": ["low table Orders cannot be restored to a point in time"],
        "HG-CFG-009": ["info table Orders uses an AWS-owned or AWS-managed key"],
        "HG-CFG-010": ["low queue Jobs turns server-side encryption off"],
        "HG-LOG-004": ["low API Api stage is not traced"],
        "HG-DOS-006": ["info API Api answers every GET from the function"],
    }


def test_data_store_settings_written_as_strings_or_unresolved_are_not_reported(tmp_path: Path) -> None:
    assert _data_store_findings(tmp_path, '"true"', "Enabled") == {rule: [] for rule in DATA_STORE_RULES}
    # !Ref of a parameter without a default cannot be resolved: never reported by itself.
    assert _data_store_findings(tmp_path, "!Ref Flag", "!Ref Flag") == {rule: [] for rule in DATA_STORE_RULES}


def _api_rule_messages(tmp_path: Path, stages: str) -> dict[str, list[str]]:
    head = DATA_STORES.split("  Stage:\n")[0].replace("VALUE_STATUS", "Enabled").replace("VALUE", "true")
    (tmp_path / "template.yaml").write_text(head + stages)
    found: dict[str, list[str]] = {}
    for rule_id in ("HG-LOG-004", "HG-DOS-006"):
        rule = rule_by_id(rule_id)
        assert rule is not None
        found[rule_id] = [f.message for f in scan(tmp_path, rules=[rule], today=TODAY).findings]
    return found


def test_stage_made_by_a_deployment_is_read_from_its_stage_description(tmp_path: Path) -> None:
    deployment = """\
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: ListItems
    Properties:
      RestApiId: !Ref Api
      StageName: prod
      StageDescription: {TracingEnabled: true, CacheClusterEnabled: true, CacheClusterSize: "0.5"}
"""
    assert _api_rule_messages(tmp_path, deployment) == {"HG-LOG-004": [], "HG-DOS-006": []}
    bare = deployment.replace(
        '      StageDescription: {TracingEnabled: true, CacheClusterEnabled: true, CacheClusterSize: "0.5"}\n', ""
    )
    assert _api_rule_messages(tmp_path, bare) == {
        "HG-LOG-004": ["API Api stage is not traced"],
        "HG-DOS-006": ["API Api answers every GET from the function"],
    }


def test_one_untraced_stage_is_enough_to_report_and_one_cached_stage_enough_to_pass(tmp_path: Path) -> None:
    stages = """\
  Prod:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: prod, DeploymentId: abc, TracingEnabled: true,
                 CacheClusterEnabled: true}
  Dev:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: dev, DeploymentId: abc}
"""
    assert _api_rule_messages(tmp_path, stages) == {"HG-LOG-004": ["API Api stage is not traced"], "HG-DOS-006": []}


def test_vpc_settings_that_cannot_be_resolved_are_not_reported_as_missing(tmp_path: Path) -> None:
    service = """\
service: api
provider:
  name: aws
  runtime: python3.12
  vpc: VPC
functions:
  list:
    handler: app.handler
"""
    rule = rule_by_id("HG-CFG-011")
    assert rule is not None
    (tmp_path / "serverless.yml").write_text(service.replace("VPC", "${ssm:/network/lambda-vpc}"))
    assert scan(tmp_path, rules=[rule], today=TODAY).findings == []
    (tmp_path / "serverless.yml").write_text(service.replace("  vpc: VPC\n", ""))
    assert [f.function for f in scan(tmp_path, rules=[rule], today=TODAY).findings] == ["list"]
