"""Loaders: each input format becomes the same model, bad files become problems, never tracebacks."""

from __future__ import annotations

from pathlib import Path

from scanner_testutil import EXAMPLES, FIXTURES

from hullguard.model.app import Application, Function, Unknown
from hullguard.scanner.loaders import load_applications

LOADERS = FIXTURES / "loaders"


def _only(root: Path) -> Application:
    result = load_applications(root)
    assert len(result.applications) == 1, [a.template for a in result.applications]
    return result.applications[0]


def _actions(fn: Function) -> set[str]:
    assert fn.role is not None
    return {a for s in fn.role.statements() for a in s.actions}


def test_serverless_and_sam_examples_give_the_same_functions_and_triggers() -> None:
    result = load_applications(EXAMPLES / "vulnerable")
    assert result.problems == []
    by_format = {a.format: a for a in result.applications}
    sls, sam = by_format["serverless"], by_format["sam"]
    assert [f.logical_id for f in sls.functions] == [
        "createOrder",
        "getOrder",
        "processPayment",
        "exportReport",
        "thumbnail",
        "legacyExport",
    ]
    pairs = zip(sls.functions, sam.functions, strict=True)
    for a, b in pairs:
        assert a.handler == b.handler and a.runtime == b.runtime
        assert sorted(t.kind for t in a.triggers) == sorted(t.kind for t in b.triggers)
        assert a.code_path == b.code_path == "."


def test_sam_policy_templates_are_expanded_by_the_translator_and_point_at_their_line() -> None:
    sam = next(a for a in load_applications(EXAMPLES / "vulnerable").applications if a.format == "sam")
    create = sam.function("CreateOrderFunction")
    assert create is not None and create.role is not None
    crud = [s for s in create.role.statements() if "dynamodb:PutItem" in s.actions]
    assert crud, "DynamoDBCrudPolicy was not expanded"
    assert (
        crud[0].resources[0] == "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"
    )
    assert crud[0].source.file == "template.yaml" and crud[0].source.line == 38
    admin = sam.function("GetOrderFunction")
    assert admin is not None and admin.role is not None
    assert "arn:aws:iam::aws:policy/AdministratorAccess" in {p.managed_arn for p in admin.role.policies}
    assert _actions(admin) >= {"*"}


def test_serverless_function_gets_source_line_env_lines_and_unknown_for_ssm() -> None:
    app = _only(LOADERS / "sls-vars")
    fn = app.function("getItem")
    assert fn is not None
    assert fn.source.file == "serverless.yml" and fn.source.line == 14
    assert fn.runtime == "python3.12" and fn.timeout == 12
    assert fn.environment["TABLE"] == "orders-dev"
    assert fn.environment["SECRET"] == Unknown("${ssm:/vars/secret}")
    assert fn.environment["HOME_DIR"] == "/home/app"
    statement = fn.role.statements()[-1] if fn.role else None
    assert statement is not None
    assert statement.resources == ["arn:aws:dynamodb:us-east-1:*:table/orders-dev"]
    assert app.apis[0].routes[0].authorizer == "AWS_IAM"


def test_terraform_module_links_roles_policies_triggers_and_routes() -> None:
    app = _only(LOADERS / "terraform")
    assert app.format == "terraform"
    fn = app.function("aws_lambda_function.api")
    assert fn is not None and fn.role is not None
    text = (LOADERS / "terraform" / "main.tf").read_text().splitlines()
    assert fn.source.file == "main.tf" and fn.source.line is not None
    assert text[fn.source.line - 1] == 'resource "aws_lambda_function" "api" {'
    assert fn.name == "orders-api-dev" and fn.reserved_concurrency == 5 and fn.tracing is True
    assert {"dynamodb:PutItem", "dynamodb:GetItem", "logs:CreateLogStream"} <= _actions(fn)
    assert "AWSXRayDaemonWriteAccess" in {p.name for p in fn.role.policies}
    assert fn.code_path == "src"
    assert sorted(t.kind for t in fn.triggers) == ["http-api", "http-api", "sqs"]
    routes = {r.path: r.authorizer for r in app.apis[0].routes}
    assert routes == {"/orders/{id}": "JWT", "/health": None}


def test_cdk_output_is_read_as_cloudformation() -> None:
    result = load_applications(LOADERS / "cdk.out")
    app = result.applications[0]
    assert app.name == "OrdersStack" and app.format == "cloudformation"
    fn = app.function("Handler886CB40B")
    assert fn is not None and fn.url is not None and fn.url.auth_type == "NONE"
    assert "s3:*" in _actions(fn)
    assert "AWSLambdaBasicExecutionRole" in {p.name for p in fn.role.policies}  # type: ignore[union-attr]


def test_broken_inputs_become_problems_with_file_and_line_and_the_rest_still_loads() -> None:
    result = load_applications(LOADERS / "broken")
    messages = {(p.file, p.line): p.message for p in result.problems}
    assert ("bad-indent.yaml", 5) in messages and "invalid YAML" in messages[("bad-indent.yaml", 5)]
    assert any(f == "bad.json" and "invalid" in m for (f, _), m in messages.items())
    assert any(f == "main.tf" and "invalid HCL" in m for (f, _), m in messages.items())
    assert ("unknown-type.yaml", 3) in messages and "Acme::Widget::Gadget" in messages[("unknown-type.yaml", 3)]
    assert any(f == "circular/serverless.yml" and "circular" in m for (f, _), m in messages.items())
    loaded = {a.template for a in result.applications}
    assert "unknown-type.yaml" in loaded  # the known resources of that template still load
    assert "circular/serverless.yml" in loaded


def test_huge_template_is_reported_not_parsed(tmp_path: Path) -> None:
    big = tmp_path / "template.yaml"
    with big.open("w") as handle:
        handle.write("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n")
        handle.write("# " + "x" * (21 * 1024 * 1024) + "\n")
    result = load_applications(tmp_path)
    assert result.applications == []
    assert "limit" in result.problems[0].message


def test_deep_nesting_does_not_crash(tmp_path: Path) -> None:
    deep = "[" * 5000 + "]" * 5000
    (tmp_path / "template.yaml").write_text(f"AWSTemplateFormatVersion: '2010-09-09'\nResources: {{X: {deep}}}\n")
    result = load_applications(tmp_path)
    assert result.problems  # reported, no exception


def test_serverless_functions_and_resources_included_from_other_files_point_into_them() -> None:
    app = _only(LOADERS / "sls-include")
    fn = app.function("orderManager")
    assert fn is not None and fn.source.file == "fn/sls.yml" and fn.source.line == 2
    assert fn.triggers[0].source.file == "fn/sls.yml"
    assert fn.role is not None and fn.role.logical_id == "orderRole"
    assert fn.role.source.file == "fn/resources.yml" and fn.role.source.line == 2
    assert fn.role.statements()[0].actions == ["dynamodb:*"]


OPENAPI_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: "2.0"
        securityDefinitions:
          cognito:
            type: apiKey
            name: Authorization
            in: header
            x-amazon-apigateway-authtype: cognito_user_pools
          api_key:
            type: apiKey
            name: x-api-key
            in: header
        paths:
          /orders:
            post:
              security:
                - cognito: []
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Orders.Arn}/invocations
            get:
              security:
                - api_key: []
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Orders.Arn}/invocations
          /total:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Orders.Arn}/invocations
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): return 1"
"""


def test_openapi_definition_body_routes_keep_their_security_and_function(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(OPENAPI_TEMPLATE)
    app = _only(tmp_path)
    routes = {
        (r.method, r.path): (r.authorizer, r.api_key_required, r.function, r.source.line) for r in app.apis[0].routes
    }
    assert routes == {
        ("POST", "/orders"): ("cognito_user_pools", False, "Orders", 22),
        ("GET", "/orders"): (None, True, "Orders", 29),
        ("POST", "/total"): (None, False, "Orders", 37),
    }
    fn = app.function("Orders")
    assert fn is not None and [t.kind for t in fn.triggers] == ["rest-api"] * 3


def test_terraform_rest_api_paths_follow_the_resource_chain(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text((LOADERS / "terraform-rest.tf.txt").read_text())
    app = _only(tmp_path)
    routes = [(r.method, r.path, r.authorizer, r.function) for r in app.apis[0].routes]
    assert routes == [("GET", "/orders/{id}", None, "aws_lambda_function.api")]
    assert [t.kind for t in app.functions[0].triggers] == ["rest-api"]
