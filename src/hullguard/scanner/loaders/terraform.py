"""Terraform modules (one directory of ``*.tf``) -> ``Application`` via python-hcl2.

Logical ids are Terraform addresses (``aws_lambda_function.api``). References such as
``aws_iam_role.api.arn`` link resources; variables resolve to their defaults; anything else that
is an expression stays ``Unknown``. ``jsonencode({...})`` policies are read as HCL objects.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from hullguard.model.app import (
    Api,
    Application,
    Function,
    FunctionUrl,
    Permission,
    Policy,
    Resource,
    Role,
    Route,
    SourceRef,
    Statement,
    Trigger,
    Unknown,
)
from hullguard.scanner.loaders.cfn_build import PRINCIPAL_KINDS, stream_kind
from hullguard.scanner.loaders.common import Problem, as_list, managed_policy, statements_from_document, switched_on
from hullguard.scanner.loaders.yamlfile import LineDict

MAX_TF_BYTES = 5 * 1024 * 1024
_REF = re.compile(r"^\$\{([a-zA-Z0-9_\-]+(?:\.[a-zA-Z0-9_\-\[\]\"*]+)+)\}$")
_VAR_REF = re.compile(r"\$\{var\.([A-Za-z0-9_-]+)\}")
_BLOCK = re.compile(r'^[ \t]*(resource|data)\s+"([^"]+)"\s+"([^"]+)"', re.MULTILINE)
TYPE_MAP = {
    "aws_s3_bucket": "AWS::S3::Bucket",
    "aws_s3_bucket_policy": "AWS::S3::BucketPolicy",
    "aws_s3_bucket_public_access_block": "AWS::S3::PublicAccessBlock",
    "aws_s3_bucket_acl": "AWS::S3::BucketAcl",
    "aws_sqs_queue": "AWS::SQS::Queue",
    "aws_sns_topic": "AWS::SNS::Topic",
    "aws_dynamodb_table": "AWS::DynamoDB::Table",
    "aws_kinesis_stream": "AWS::Kinesis::Stream",
    "aws_cognito_user_pool": "AWS::Cognito::UserPool",
    "aws_cloudwatch_log_group": "AWS::Logs::LogGroup",
    "aws_secretsmanager_secret": "AWS::SecretsManager::Secret",
    "aws_kms_key": "AWS::KMS::Key",
}


class _Module:
    def __init__(self, directory: Path, root: Path, problems: list[Problem]) -> None:
        self.directory, self.root, self.problems = directory, root, problems
        self.blocks: dict[str, tuple[dict[str, Any], SourceRef]] = {}  # address -> (body, source)
        self.variables: dict[str, Any] = {}
        self.texts: dict[str, list[str]] = {}  # file -> lines, to find where attributes were written

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def read(self) -> None:
        import hcl2
        from hcl2.utils import SerializationOptions

        options = SerializationOptions(strip_string_quotes=True, explicit_blocks=False)
        for path in sorted(self.directory.glob("*.tf")):
            rel = self.rel(path)
            try:
                if path.stat().st_size > MAX_TF_BYTES:
                    self.problems.append(Problem(rel, None, "file larger than 5 MB; skipped"))
                    continue
                text = path.read_text(encoding="utf-8")
                data = hcl2.load(io.StringIO(text), serialization_options=options)
            except UnicodeDecodeError:
                self.problems.append(Problem(rel, None, "not UTF-8 text"))
                continue
            except Exception as exc:
                line = getattr(exc, "line", None)
                message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
                self.problems.append(Problem(rel, line if isinstance(line, int) else None, f"invalid HCL: {message}"))
                continue
            self.texts[rel] = text.splitlines()
            lines = {
                (m.group(1), m.group(2), m.group(3)): text.count("\n", 0, m.start()) + 1 for m in _BLOCK.finditer(text)
            }
            for block_kind in ("resource", "data"):
                for entry in as_list(data.get(block_kind)):
                    for type_name, named in (entry or {}).items():
                        for name, body in (named or {}).items():
                            body = body[0] if isinstance(body, list) and body else body
                            prefix = "data." if block_kind == "data" else ""
                            address = f"{prefix}{type_name}.{name}"
                            line = lines.get((block_kind, type_name, name))
                            self.blocks[address] = (
                                body if isinstance(body, dict) else {},
                                SourceRef(rel, line, address),
                            )
            for entry in as_list(data.get("variable")):
                for name, body in (entry or {}).items():
                    body = body[0] if isinstance(body, list) and body else body
                    if isinstance(body, dict) and "default" in body:
                        self.variables[name] = body["default"]


def load_terraform(directory: Path, root: Path, problems: list[Problem]) -> Application | None:
    module = _Module(directory, root, problems)
    module.read()
    if not any(a.startswith("aws_lambda_function.") for a in module.blocks):
        return None  # a Terraform module without functions is not a serverless app
    rel_dir = module.rel(directory) if directory != root else "."
    app = Application(
        name=directory.name if directory != root else root.name, root=str(root), format="terraform", template=rel_dir
    )
    app.files = sorted(module.rel(p) for p in directory.glob("*.tf"))
    _Builder(app, module).build()
    return app


class _Builder:
    def __init__(self, app: Application, module: _Module) -> None:
        self.app, self.m = app, module
        self.functions: dict[str, Function] = {}
        self.roles: dict[str, Role] = {}
        self.documents: dict[str, list[Statement]] = {}
        self.policies: dict[str, Policy] = {}

    def blocks(self, type_name: str) -> list[tuple[str, dict[str, Any], SourceRef]]:
        return [(a, b, s) for a, (b, s) in self.m.blocks.items() if a.rsplit(".", 1)[0] == type_name]

    def value(self, raw: Any) -> Any:
        """Resolve an HCL value: literals stay, var.x -> default, other expressions -> Unknown."""
        if isinstance(raw, list):
            return [self.value(v) for v in raw]
        if isinstance(raw, dict):
            return {k: self.value(v) for k, v in raw.items() if not k.startswith("__")}
        if isinstance(raw, str) and raw.startswith("${") and raw.endswith("}") and raw.count("${") == 1:
            inner = raw[2:-1]
            if inner.startswith("var.") and inner[4:] in self.m.variables:
                return self.m.variables[inner[4:]]
            return Unknown(inner)
        if isinstance(raw, str) and "${var." in raw:
            # "orders-${var.stage}": interpolate defaults, keep other references symbolic.
            return _VAR_REF.sub(lambda m: str(self.m.variables.get(m.group(1), m.group(0))), raw)
        return raw

    @staticmethod
    def target(raw: Any) -> str | None:
        """``${aws_iam_role.api.arn}`` -> ``aws_iam_role.api``."""
        if isinstance(raw, str):
            match = _REF.match(raw)
            if match:
                parts = match.group(1).split(".")
                if parts[0] == "data" and len(parts) >= 3:
                    return ".".join(parts[:3])
                return ".".join(parts[:2])
        return None

    def build(self) -> None:
        for address, body, source in self.blocks("data.aws_iam_policy_document"):
            self.documents[address] = self._policy_document(body, source)
        for address, body, source in self.blocks("aws_iam_policy"):
            self.policies[address] = Policy(
                name=str(self.value(body.get("name", address))),
                statements=self._policy_value(body.get("policy"), source),
                source=source,
            )
        for address, body, source in self.blocks("aws_iam_role"):
            role = Role(logical_id=address, name=self.value(body.get("name")), source=source)
            for inline in as_list(body.get("inline_policy")):
                if isinstance(inline, dict):
                    role.policies.append(
                        Policy(
                            name=str(self.value(inline.get("name", "inline"))),
                            statements=self._policy_value(inline.get("policy"), source),
                            source=source,
                        )
                    )
            for arn in as_list(body.get("managed_policy_arns")):
                self._attach(role, arn, source)
            self.roles[address] = role
            self.app.roles.append(role)
        for address, body, source in self.blocks("aws_iam_role_policy"):
            attached = self.roles.get(self.target(body.get("role")) or "")
            if attached is not None:
                attached.policies.append(
                    Policy(
                        name=str(self.value(body.get("name", address))),
                        statements=self._policy_value(body.get("policy"), source),
                        source=source,
                    )
                )
        for _address, body, source in self.blocks("aws_iam_role_policy_attachment") + self.blocks(
            "aws_iam_policy_attachment"
        ):
            for role_ref in as_list(body.get("role")) + as_list(body.get("roles")):
                target = self.roles.get(self.target(role_ref) or "")
                if target is not None:
                    self._attach(target, body.get("policy_arn"), source)
        for address, body, source in self.blocks("aws_lambda_function"):
            fn = self._function(address, body, source)
            self.functions[address] = fn
            self.app.functions.append(fn)
        self._links()
        for address, (body, source) in self.m.blocks.items():
            if address.startswith("data."):
                continue
            type_name = address.rsplit(".", 1)[0]
            self.app.resources.append(Resource(address, TYPE_MAP.get(type_name, type_name), self.value(body), source))

    def _attach(self, role: Role, arn: Any, source: SourceRef) -> None:
        target = self.target(arn)
        if target in self.policies:
            role.policies.append(self.policies[target])
        else:
            role.policies.append(managed_policy(self.value(arn), source))

    def _policy_document(self, body: dict[str, Any], source: SourceRef) -> list[Statement]:
        out = []
        for st in as_list(body.get("statement")):
            if not isinstance(st, dict):
                continue
            data: dict[str, Any] = {"Effect": self.value(st.get("effect", "Allow"))}
            for key, name in (
                ("actions", "Action"),
                ("not_actions", "NotAction"),
                ("resources", "Resource"),
                ("not_resources", "NotResource"),
                ("sid", "Sid"),
            ):
                if key in st:
                    data[name] = self.value(st[key])
            principals = as_list(st.get("principals"))
            if principals:
                data["Principal"] = {
                    str(p.get("type")): self.value(p.get("identifiers")) for p in principals if isinstance(p, dict)
                }
            conditions: dict[str, dict[str, Any]] = {}
            for cond in as_list(st.get("condition")):
                if isinstance(cond, dict):
                    conditions.setdefault(str(cond.get("test")), {})[str(cond.get("variable"))] = self.value(
                        cond.get("values")
                    )
            if conditions:
                data["Condition"] = conditions
            out.append(Statement.from_json(data, source))
        return out

    def _policy_value(self, raw: Any, source: SourceRef) -> list[Statement]:
        """A ``policy`` argument: a data document reference, jsonencode(...), heredoc JSON or a JSON string."""
        target = self.target(raw)
        if target in self.documents:
            return self.documents[target]
        if isinstance(raw, str):
            text = raw
            if text.startswith("<<"):
                text = text.split("\n", 1)[1].rsplit("\n", 1)[0] if "\n" in text else ""
            if text.startswith("${jsonencode(") and text.endswith(")}"):
                text = _hcl_object_to_json(text[len("${jsonencode(") : -2])
            try:
                return statements_from_document(json.loads(text), source)
            except (json.JSONDecodeError, ValueError):
                return []
        if isinstance(raw, dict):
            return statements_from_document(self.value(raw), source)
        return []

    def _function(self, address: str, body: dict[str, Any], source: SourceRef) -> Function:
        v = self.value
        fn = Function(
            logical_id=address,
            name=v(body.get("function_name")),
            runtime=v(body.get("runtime")),
            handler=v(body.get("handler")),
            source=source,
        )
        env = as_list(body.get("environment"))
        if env and isinstance(env[0], dict) and isinstance(env[0].get("variables"), dict):
            environment = LineDict({str(k): v(val) for k, val in env[0]["variables"].items() if not k.startswith("__")})
            environment.lines = self._attribute_lines(source, list(environment))
            fn.environment = environment
        fn.environment_kms_key = v(body.get("kms_key_arn"))
        fn.timeout = _int(v(body.get("timeout", 3)))
        fn.memory = _int(v(body.get("memory_size", 128)))
        fn.reserved_concurrency = _int(v(body.get("reserved_concurrent_executions")))
        if fn.reserved_concurrency == -1:
            fn.reserved_concurrency = None
        dlq = as_list(body.get("dead_letter_config"))
        if dlq and isinstance(dlq[0], dict):
            fn.dlq = v(dlq[0].get("target_arn"))
        tracing = as_list(body.get("tracing_config"))
        if tracing and isinstance(tracing[0], dict):
            fn.tracing = v(tracing[0].get("mode")) == "Active"
        vpc = as_list(body.get("vpc_config"))
        fn.vpc = v(vpc[0]) if vpc and isinstance(vpc[0], dict) else None
        fn.layers = as_list(v(body.get("layers")))
        fn.code_signing = v(body.get("code_signing_config_arn"))
        fn.tags = v(body.get("tags")) if isinstance(body.get("tags"), dict) else {}
        role = self.roles.get(self.target(body.get("role")) or "")
        fn.role = (
            role
            if role is not None
            else (
                Role(logical_id=str(v(body.get("role"))), arn=v(body.get("role")), source=source)
                if body.get("role")
                else None
            )
        )
        fn.code_path = self._code_path(body)
        return fn

    def _rest_path(self, resource_id: Any) -> str:
        """``aws_api_gateway_resource`` chain -> ``/orders/{id}``; the root resource is ``/``."""
        parts: list[str] = []
        target = self.target(resource_id)
        seen: set[str] = set()
        while target and target.startswith("aws_api_gateway_resource.") and target not in seen:
            seen.add(target)
            body = self.m.blocks.get(target, ({}, None))[0]
            parts.append(str(self.value(body.get("path_part", ""))))
            target = self.target(body.get("parent_id"))
        return "/" + "/".join(reversed(parts))

    def _attribute_lines(self, source: SourceRef, names: list[str]) -> dict[str, int]:
        """Where each ``name =`` is written inside the block that starts at ``source``."""
        text = self.m.texts.get(source.file, [])
        out: dict[str, int] = {}
        start = (source.line or 1) - 1
        for number in range(start, min(len(text), start + 400)):
            stripped = text[number].lstrip()
            for name in names:
                if name not in out and (
                    stripped.startswith(f"{name} ")
                    or stripped.startswith(f"{name}=")
                    or stripped.startswith(f'"{name}"')
                ):
                    out[name] = number + 1
        return out

    def _code_path(self, body: dict[str, Any]) -> str | None:
        filename = body.get("filename")
        candidates = []
        if isinstance(filename, str) and not filename.startswith("${"):
            candidates.append(filename)
        for _, archive, _ in self.blocks("data.archive_file"):
            for key in ("source_dir", "source_file"):
                value = archive.get(key)
                if isinstance(value, str):
                    value = value.replace("${path.module}/", "")
                    if "${" not in value:
                        candidates.append(value)
        for candidate in candidates:
            path = (self.m.directory / candidate.replace("${path.module}/", "")).resolve()
            directory = path if path.is_dir() else path.parent
            if path.suffix == ".zip":
                directory = path.with_suffix("")
                if not directory.is_dir():
                    directory = path.parent
            try:
                return directory.relative_to(self.m.root.resolve()).as_posix() or "."
            except ValueError:
                continue
        return None

    def _function_for(self, raw: Any) -> Function | None:
        return self.functions.get(self.target(raw) or "")

    def _links(self) -> None:
        v = self.value
        for _address, body, source in self.blocks("aws_lambda_permission"):
            fn = self._function_for(body.get("function_name"))
            if fn is None:
                continue
            principal = v(body.get("principal"))
            fn.permissions.append(
                Permission(
                    principal=principal,
                    action=str(v(body.get("action"))),
                    source_arn=v(body.get("source_arn")),
                    source_account=v(body.get("source_account")),
                    function_url_auth_type=v(body.get("function_url_auth_type")),
                    source=source,
                )
            )
            kind = PRINCIPAL_KINDS.get(str(principal))
            if kind and kind != "rest-api" and not any(t.kind == kind for t in fn.triggers):
                fn.triggers.append(Trigger(kind=kind, source_arn=v(body.get("source_arn")), source=source))
        for _address, body, source in self.blocks("aws_lambda_event_source_mapping"):
            fn = self._function_for(body.get("function_name"))
            if fn is None:
                continue
            arn_ref = self.target(body.get("event_source_arn")) or ""
            kind = stream_kind(
                {"aws_sqs_queue": ":sqs:", "aws_kinesis_stream": ":kinesis:", "aws_dynamodb_table": ":dynamodb:"}.get(
                    arn_ref.split(".")[0], str(body.get("event_source_arn"))
                )
            )
            trigger = Trigger(
                kind=kind,
                source_arn=v(body.get("event_source_arn")),
                batch_size=_int(v(body.get("batch_size"))),
                source=source,
            )
            dest = as_list(body.get("destination_config"))
            if dest and isinstance(dest[0], dict):
                failure = as_list(dest[0].get("on_failure"))
                if failure and isinstance(failure[0], dict):
                    trigger.on_failure = v(failure[0].get("destination_arn"))
            trigger.report_batch_item_failures = "ReportBatchItemFailures" in as_list(
                v(body.get("function_response_types"))
            )
            trigger.details["bisect"] = bool(v(body.get("bisect_batch_on_function_error")))
            fn.triggers.append(trigger)
        for _address, body, source in self.blocks("aws_lambda_function_url"):
            fn = self._function_for(body.get("function_name"))
            if fn is not None:
                cors = as_list(body.get("cors"))
                fn.url = FunctionUrl(
                    auth_type=v(body.get("authorization_type")),
                    cors=v(cors[0]) if cors and isinstance(cors[0], dict) else None,
                    source=source,
                )
                fn.triggers.append(Trigger(kind="function-url", source=source))
        for _address, body, _source in self.blocks("aws_lambda_function_event_invoke_config"):
            fn = self._function_for(body.get("function_name"))
            dest = as_list(body.get("destination_config"))
            if fn is not None and dest and isinstance(dest[0], dict):
                failure = as_list(dest[0].get("on_failure"))
                if failure and isinstance(failure[0], dict):
                    fn.destinations["on_failure"] = v(failure[0].get("destination"))
        self._apis()

    def _apis(self) -> None:
        v = self.value
        apis: dict[str, Api] = {}
        for address, body, source in self.blocks("aws_apigatewayv2_api"):
            kind = "websocket" if str(v(body.get("protocol_type"))).upper() == "WEBSOCKET" else "http"
            cors = as_list(body.get("cors_configuration"))
            apis[address] = Api(
                logical_id=address,
                kind=kind,
                source=source,
                cors=v(cors[0]) if cors and isinstance(cors[0], dict) else None,
            )
        for address, _body, source in self.blocks("aws_api_gateway_rest_api"):
            apis[address] = Api(logical_id=address, kind="rest", source=source)
        integrations = {a: b for a, b, _ in self.blocks("aws_apigatewayv2_integration")}
        integrations.update({a: b for a, b, _ in self.blocks("aws_api_gateway_integration")})
        for _address, body, source in self.blocks("aws_apigatewayv2_route"):
            api = apis.get(self.target(body.get("api_id")) or "")
            if api is None:
                continue
            method, _, path = str(v(body.get("route_key", "$default"))).partition(" ")
            auth = str(v(body.get("authorization_type", "NONE"))).upper()
            target_text = str(body.get("target", ""))
            integration = next((i for a, i in integrations.items() if a in target_text), None)
            fn = self._function_for(integration.get("integration_uri")) if integration else None
            api.routes.append(
                Route(
                    method=method.upper(),
                    path=path or method,
                    source=source,
                    authorizer=None if auth == "NONE" else auth,
                    function=fn.logical_id if fn else None,
                )
            )
            if fn:
                fn.triggers.append(
                    Trigger(
                        kind="http-api" if api.kind == "http" else "websocket", api_id=api.logical_id, source=source
                    )
                )
        for address, body, source in self.blocks("aws_api_gateway_method"):
            api = apis.get(self.target(body.get("rest_api_id")) or "")
            if api is None:
                continue
            auth = str(v(body.get("authorization", "NONE"))).upper()
            integration = next(
                (
                    i
                    for a, i in integrations.items()
                    if self.target(i.get("http_method")) == address
                    or (
                        self.target(i.get("resource_id")) == self.target(body.get("resource_id"))
                        and self.target(i.get("rest_api_id")) == api.logical_id
                    )
                ),
                None,
            )
            fn = self._function_for(integration.get("uri")) if integration else None
            api.routes.append(
                Route(
                    method=str(v(body.get("http_method"))).upper(),
                    path=self._rest_path(body.get("resource_id")),
                    authorizer=None if auth == "NONE" else auth,
                    api_key_required=bool(v(body.get("api_key_required"))),
                    function=fn.logical_id if fn else None,
                    source=source,
                )
            )
            if fn:
                fn.triggers.append(Trigger(kind="rest-api", api_id=api.logical_id, source=source))
        for _address, body, _source in self.blocks("aws_apigatewayv2_stage") + self.blocks("aws_api_gateway_stage"):
            api = apis.get(self.target(body.get("api_id") or body.get("rest_api_id")) or "")
            if api is None:
                continue
            api.access_logging = bool(body.get("access_log_settings"))
            if api.kind == "rest":  # every stage traced; a cache on any stage (as for CloudFormation)
                traced = switched_on(v(body.get("xray_tracing_enabled")))
                api.tracing = traced if api.tracing is None else api.tracing and traced
                api.cache = bool(api.cache) or switched_on(v(body.get("cache_cluster_enabled")))
            settings = as_list(body.get("default_route_settings"))
            if settings and isinstance(settings[0], dict) and "throttling_rate_limit" in settings[0]:
                api.throttling = {
                    "rate": v(settings[0].get("throttling_rate_limit")),
                    "burst": v(settings[0].get("throttling_burst_limit")),
                }
        for _address, body, _source in self.blocks("aws_api_gateway_usage_plan"):
            for stage in as_list(body.get("api_stages")):
                api = apis.get(self.target(stage.get("api_id")) or "") if isinstance(stage, dict) else None
                if api is not None:
                    api.usage_plan = True
        self.app.apis.extend(apis.values())


def _hcl_object_to_json(text: str) -> str:
    """``{Version = "2012-10-17", Statement = [{Effect = "Allow"}]}`` -> JSON text (best effort)."""
    converted = re.sub(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*=", r'\1"\2":', text)
    return re.sub(r'"\$\{([^}"]*)\}"', r'"${\1}"', converted)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None or isinstance(value, Unknown):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
