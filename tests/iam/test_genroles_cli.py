"""`hullguard gen-roles` and `hullguard iam analyze` end to end on tests/iam/fixtures/shop."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hullguard.cli.main import app

SHOP = Path(__file__).parent / "fixtures" / "shop"
POLICIES = Path(__file__).parent / "policies"
runner = CliRunner()
P, RA = "arn:${AWS::Partition}", "${AWS::Region}:${AWS::AccountId}"


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short tags as plain values, enough to check structure."""


_CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node)
                                 if isinstance(node, yaml.ScalarNode) else loader.construct_sequence(node))


def statements_by_action(doc: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for statement in doc["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in statement["Action"]:
            out.setdefault(action, []).extend(statement["Resource"])
    return out


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    target = tmp_path / "shop"
    shutil.copytree(SHOP, target)
    return target


def test_json_contract(shop: Path) -> None:
    result = runner.invoke(app, ["gen-roles", str(shop), "--format", "json"])
    assert result.exit_code == 0, result.output
    documents = json.loads(result.stdout)
    assert set(documents) == {"checkout", "storefront", "CheckoutFunction", "StorefrontFunction"}
    for doc in documents.values():
        assert doc["Version"] == "2012-10-17" and isinstance(doc["Statement"], list)
    checkout = statements_by_action(documents["CheckoutFunction"])
    assert checkout == {
        "dynamodb:PutItem": [f"{P}:dynamodb:{RA}:table/${{OrdersTable}}"],
        "s3:PutObject": [f"{P}:s3:::${{ReceiptsBucket}}/receipts/*.json"],
        "sqs:SendMessage": ["${EventsQueue.Arn}"],
        "logs:CreateLogGroup": [f"{P}:logs:{RA}:log-group:/aws/lambda/${{AWS::StackName}}-CheckoutFunction-*:*"],
        "logs:CreateLogStream": [f"{P}:logs:{RA}:log-group:/aws/lambda/${{AWS::StackName}}-CheckoutFunction-*:*"],
        "logs:PutLogEvents": [f"{P}:logs:{RA}:log-group:/aws/lambda/${{AWS::StackName}}-CheckoutFunction-*:*"],
    }
    storefront = statements_by_action(documents["StorefrontFunction"])
    assert storefront["dynamodb:GetItem"] == [f"{P}:dynamodb:{RA}:table/${{OrdersTable}}"]
    assert storefront["xray:PutTraceSegments"] == ["*"]
    serverless = statements_by_action(documents["checkout"])
    assert serverless["sqs:SendMessage"] == [f"{P}:sqs:us-east-1:123456789012:shop-events-dev"]
    assert "logs:CreateLogGroup" not in serverless  # the framework creates the log group itself
    # the unresolved key is reported on stderr with file and line, never on stdout
    assert "src/receipts.py:9: Key: order['id'] is only known at run time; using *" in result.stderr


def test_cloudformation_serverless_and_terraform_formats(shop: Path) -> None:
    cfn = runner.invoke(app, ["gen-roles", str(shop / "template.yaml"), "--format", "cloudformation", "-q"])
    assert cfn.exit_code == 0, cfn.output
    resources = yaml.safe_load(cfn.stdout)["Resources"]
    policy = resources["CheckoutFunction"]["Properties"]["Policies"][0]["Statement"]
    assert {"Fn::Sub": f"{P}:dynamodb:{RA}:table/${{OrdersTable}}"} in [r for s in policy for r in s["Resource"]]

    sls = runner.invoke(app, ["gen-roles", str(shop / "serverless.yml"), "--format", "serverless", "-q"])
    fragment = yaml.safe_load(sls.stdout)
    assert set(fragment["functions"]) == {"checkout", "storefront"}
    assert fragment["plugins"] == ["serverless-iam-roles-per-function"]

    tf = runner.invoke(app, ["gen-roles", str(shop / "template.yaml"), "--format", "terraform", "-q"])
    data = json.loads(tf.stdout)["data"]
    doc = data["aws_iam_policy_document"]["CheckoutFunction_least_privilege"]
    resources_tf = [r for s in doc["statement"] for r in s["resources"]]
    assert ("arn:${data.aws_partition.current.partition}:dynamodb:${data.aws_region.current.name}:"
            "${data.aws_caller_identity.current.account_id}:table/${OrdersTable}") in resources_tf

    plain = runner.invoke(app, ["gen-roles", str(shop / "serverless.yml"), "--format", "iam", "--account",
                                "123456789012", "--region", "us-east-1", "-q"])
    assert "arn:aws:dynamodb:us-east-1:123456789012:table/shop-orders-dev" in plain.stdout


def test_diff_reports_excess_with_severity(shop: Path) -> None:
    result = runner.invoke(app, ["gen-roles", str(shop / "template.yaml"), "--diff", "--format", "json", "-q"])
    assert result.exit_code == 1
    reports = {r["function"]: r for r in json.loads(result.stdout)}
    checkout = reports["CheckoutFunction"]
    assert checkout["severity"] == "critical"
    excess = {e["action"]: e for e in checkout["excess"]}
    assert excess["lambda:CreateFunction"]["impact"].startswith("privilege escalation")
    assert excess["dynamodb:PutItem"]["kind"] == "broader-resource"  # needed, but granted on "*"
    assert "dynamodb:PutItem" in [e["action"] for e in checkout["excess"]]
    # the SAM policy template grants reads on the table; the code needs only GetItem
    storefront = {e["action"] for e in reports["StorefrontFunction"]["excess"]}
    assert "dynamodb:Scan" in storefront and "dynamodb:GetItem" not in storefront
    assert [m["action"] for m in reports["StorefrontFunction"]["missing"]] == [
        "xray:PutTraceSegments", "xray:PutTelemetryRecords"] or reports["StorefrontFunction"]["missing"] == []


def test_write_keeps_comments_and_leaves_no_excess(shop: Path) -> None:
    template = shop / "template.yaml"
    before = template.read_text()
    result = runner.invoke(app, ["gen-roles", str(template), "--write", "-q"])
    assert result.exit_code == 0, result.output
    after = template.read_text()
    assert "# Globals kept on purpose: --write must leave them, and this comment, untouched." in after
    assert after.split("Resources:")[0] == before.split("Resources:")[0]
    assert "!Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}" in after
    body = yaml.load(after, Loader=_CfnLoader)
    assert body["Resources"]["StorefrontFunction"]["Properties"]["Policies"][0]["Statement"]
    diff = runner.invoke(app, ["gen-roles", str(template), "--diff", "--format", "json", "-q"])
    assert diff.exit_code == 0, diff.stdout
    for report in json.loads(diff.stdout):
        # only what SAM itself adds remains, at low severity: AWSLambdaBasicExecutionRole (logs on "*") and,
        # with tracing, AWSXrayWriteOnlyAccess's sampling reads
        assert {e["action"].split(":")[0] for e in report["excess"]} <= {"logs", "xray"}
        assert all(e["severity"] == "low" for e in report["excess"]) and not report["missing"]


def test_write_serverless_per_function_statements(shop: Path) -> None:
    config = shop / "serverless.yml"
    result = runner.invoke(app, ["gen-roles", str(config), "--write", "-q"])
    assert result.exit_code == 0, result.output
    text = config.read_text()
    assert "# one role for everything: what --write replaces with per-function statements" in text
    data = yaml.safe_load(text)
    assert data["plugins"] == ["serverless-iam-roles-per-function"]
    statements = data["functions"]["checkout"]["iamRoleStatements"]
    join = next(s["Resource"][0] for s in statements if s["Action"] == ["dynamodb:PutItem"])
    assert join == {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":dynamodb:", {"Ref": "AWS::Region"}, ":",
                                      {"Ref": "AWS::AccountId"}, ":table/shop-orders-dev"]]}


def test_bad_input(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["gen-roles", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no such file or directory" in missing.stderr
    empty = runner.invoke(app, ["gen-roles", str(tmp_path)])
    assert empty.exit_code == 2 and "no serverless application found" in empty.stderr
    bad_format = runner.invoke(app, ["gen-roles", str(SHOP), "--format", "xml"])
    assert bad_format.exit_code == 2 and "unknown format" in bad_format.stderr


def test_handler_without_code_still_gets_platform_permissions(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: ghost\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  ghost:\n"
        "    handler: missing.handler\n")
    result = runner.invoke(app, ["gen-roles", str(tmp_path)])
    assert result.exit_code == 0
    assert "logs:PutLogEvents" in statements_by_action(json.loads(result.stdout)["ghost"])
    assert "handler file for 'missing.handler' not found" in result.stderr


def test_iam_analyze_policy_file_and_project() -> None:
    escalation = runner.invoke(app, ["iam", "analyze", str(POLICIES / "lambda_passrole_escalation.json"),
                                     "--format", "json"])
    assert escalation.exit_code == 1
    kinds = {i["kind"] for i in json.loads(escalation.stdout)[0]["issues"]}
    assert "privilege-escalation" in kinds
    clean = runner.invoke(app, ["iam", "analyze", str(POLICIES / "least_privilege.json")])
    assert clean.exit_code == 0 and "no issues" in clean.stdout
    project = runner.invoke(app, ["iam", "analyze", str(SHOP / "template.yaml"), "--format", "json"])
    subjects = {s["name"]: s for s in json.loads(project.stdout)}
    checkout = next(s for s in subjects.values() if "CheckoutFunction" in s["functions"])
    assert {"service-wildcard", "privilege-escalation"} <= {i["kind"] for i in checkout["issues"]}
    not_json = runner.invoke(app, ["iam", "analyze", str(SHOP / "src" / "checkout.py")])
    assert not_json.exit_code == 2


def test_terraform_project_and_write(tmp_path: Path) -> None:
    project = tmp_path / "shop_tf"
    shutil.copytree(SHOP.parent / "shop_tf", project)
    result = runner.invoke(app, ["gen-roles", str(project)])
    assert result.exit_code == 0, result.output
    checkout = statements_by_action(json.loads(result.stdout)["aws_lambda_function.checkout"])
    # the zip in filename is a build artifact: the handler is found in src/ and its imports followed
    assert checkout["dynamodb:PutItem"] == ["${aws_dynamodb_table.orders.arn}"]
    assert checkout["sqs:SendMessage"] == ["${aws_sqs_queue.events.arn}"]
    assert checkout["s3:PutObject"] == [f"{P}:s3:::receipts-bucket/receipts/*.json"]
    before = (project / "main.tf").read_text()
    written = runner.invoke(app, ["gen-roles", str(project), "--write", "-q"])
    assert written.exit_code == 0
    assert (project / "main.tf").read_text() == before  # HCL is never rewritten
    data = json.loads((project / "checkout_least_privilege.tf.json").read_text())["data"]
    assert "checkout_least_privilege" in data["aws_iam_policy_document"]


def test_same_logical_id_in_two_templates_is_prefixed_everywhere(tmp_path: Path) -> None:
    for variant in ("blue", "green"):
        shutil.copytree(SHOP, tmp_path / variant, ignore=shutil.ignore_patterns("serverless.yml"))
    documents = json.loads(runner.invoke(app, ["gen-roles", str(tmp_path), "-q"]).stdout)
    assert set(documents) == {f"{v}/template.yaml#{f}" for v in ("blue", "green")
                              for f in ("CheckoutFunction", "StorefrontFunction")}


def test_write_plain_cloudformation_roles(tmp_path: Path) -> None:
    project = tmp_path / "plain"
    shutil.copytree(SHOP.parent / "plain_cfn", project)
    template = project / "template.yaml"
    result = runner.invoke(app, ["gen-roles", str(template), "--write"])
    assert result.exit_code == 0, result.output
    assert "analysing src/checkout.py, the only file matching the handler" in result.stderr
    body = yaml.load(template.read_text(), Loader=_CfnLoader)
    resources = body["Resources"]
    # its own role is rewritten in place: name and trust policy kept, the managed policy gone
    own = resources["CheckoutRole"]["Properties"]
    assert own["RoleName"] == "checkout-role" and "ManagedPolicyArns" not in own
    actions = {a for s in own["Policies"][0]["PolicyDocument"]["Statement"] for a in s["Action"]}
    assert {"dynamodb:PutItem", "s3:PutObject", "sqs:SendMessage"} <= actions
    # a role two functions share is left alone; each gets a new role of its own
    assert resources["SharedRole"]["Properties"]["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert resources["DailyReport"]["Properties"]["Role"] == "DailyReportRole.Arn"
    assert resources["DailyReportRole"]["Type"] == "AWS::IAM::Role"
    assert resources["WeeklyReport"]["Properties"]["Role"] == "WeeklyReportRole.Arn"


def test_write_leaves_roles_defined_outside_the_framework(tmp_path: Path) -> None:
    project = tmp_path / "single"
    shutil.copytree(SHOP / "src", project / "src")
    config = project / "serverless.yml"
    config.write_text("service: single\nprovider:\n  name: aws\n  runtime: python3.12\n"
                      "  iam:\n    role: arn:aws:iam::123456789012:role/platform-managed\n"
                      "functions:\n  checkout:\n    handler: src/checkout.handler\n")
    before = config.read_text()
    result = runner.invoke(app, ["gen-roles", str(config), "--write", "-q"])
    assert result.exit_code == 0
    assert config.read_text() == before
    assert "checkout uses the role arn:aws:iam::123456789012:role/platform-managed" in result.stderr


def test_run_time_dispatch_is_granted_marked_and_reported(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import os\nimport boto3\n\ns3 = boto3.client('s3')\n"
        "ACTIONS = {'archive': 'put_object', 'purge': 'delete_object'}\n\n\n"
        "def handler(event, context):\n    method = getattr(s3, ACTIONS[event['action']])\n"
        "    return method(Bucket=os.environ['BUCKET'], Key=event['key'])\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Archive:\n    Type: AWS::S3::Bucket\n"
        "  Archiver:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n"
        "      Handler: app.handler\n      Runtime: python3.12\n      Environment:\n        Variables:\n"
        "          BUCKET: !Ref Archive\n")
    result = runner.invoke(app, ["gen-roles", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    marked = [s for s in json.loads(result.stdout)["Archiver"]["Statement"] if "Sid" in s]
    assert marked == [{"Sid": "ReviewInferred1", "Effect": "Allow", "Action": ["s3:DeleteObject", "s3:PutObject"],
                       "Resource": [f"{P}:s3:::${{Archive}}/*"]}]
    assert "src/app.py:9: method of the s3 client chosen at run time" in result.stderr
    assert "put_object, delete_object" in result.stderr
    terraform = runner.invoke(app, ["gen-roles", str(tmp_path), "--format", "terraform"])
    assert terraform.exit_code == 0, terraform.output
    assert '"sid": "ReviewInferred1"' in terraform.stdout
    cloudformation = runner.invoke(app, ["gen-roles", str(tmp_path), "--format", "cloudformation"])
    assert "Sid: ReviewInferred1" in cloudformation.stdout
