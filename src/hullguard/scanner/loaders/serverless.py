"""Serverless Framework (v3/v4) ``serverless.yml`` -> ``Application``.

Logical ids are the function keys as written (``createUser``). Functions without a role of their
own share the framework's default role ``IamRoleLambdaExecution`` (provider ``iam.role.statements``
or legacy ``iamRoleStatements``); per-function ``iamRoleStatements`` (serverless-iam-roles-per-function)
give a function its own role. The ``resources`` section is CloudFormation and is loaded as such.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hullguard.model.app import (
    Api,
    Application,
    Function,
    FunctionUrl,
    Policy,
    Role,
    Route,
    SourceRef,
    Statement,
    Trigger,
    Unknown,
)
from hullguard.scanner.loaders.common import (
    Problem,
    as_list,
    line_of,
    managed_policy,
    mapping,
    statements_from_document,
    switched_on,
)
from hullguard.scanner.loaders.intrinsics import Resolver
from hullguard.scanner.loaders.slsvars import CircularReference, Variables
from hullguard.scanner.loaders.yamlfile import LineDict, TemplateError, read_template

DEFAULT_ROLE = "IamRoleLambdaExecution"
REST_API = "ApiGatewayRestApi"
HTTP_API = "HttpApi"
WEBSOCKET_API = "WebsocketsApi"
SIMPLE_EVENTS = {
    "sns": "sns",
    "s3": "s3",
    "schedule": "schedule",
    "eventBridge": "eventbridge",
    "cloudwatchEvent": "eventbridge",
    "cloudwatchLog": "cloudwatch-logs",
    "cognitoUserPool": "cognito",
    "alb": "alb",
    "alexaSkill": "alexa",
    "alexaSmartHome": "alexa",
    "iot": "iot",
    "iotFleetProvisioning": "iot",
    "msk": "kafka",
    "kafka": "kafka",
    "activemq": "mq",
    "rabbitmq": "mq",
}


def load_serverless(path: Path, root: Path, problems: list[Problem]) -> Application | None:
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    try:
        raw = read_template(path)
    except TemplateError as exc:
        problems.append(Problem(rel, exc.line, str(exc)))
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(rel, None, "not a serverless.yml: the top level is not a mapping"))
        return None
    variables = Variables(raw, path.parent)
    try:
        doc = variables.resolve(raw)
    except CircularReference as exc:
        problems.append(Problem(rel, None, f"{exc}; variables left unresolved"))
        doc = raw
    for message in variables.problems:
        problems.append(Problem(rel, None, f"${{file(...)}}: {message}"))
    _resolve_intrinsics(doc)
    app = ServerlessBuilder(doc, rel, path.parent, root, problems).build()
    app.files = [rel, *sorted(_relative(p, root) for p in variables.files)]
    return app


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _resolve_intrinsics(doc: dict[str, Any]) -> None:
    """CloudFormation intrinsics in provider/functions (``Fn::GetAtt: [Queue, Arn]`` in events and role
    statements) resolve against the ``resources`` section; ``resources`` itself stays raw for linking."""
    declared: dict[str, Any] = {}
    for block in as_list(doc.get("resources")):
        if isinstance(block, dict) and isinstance(block.get("Resources"), dict):
            declared.update(block["Resources"])
    resolver = Resolver({"Resources": declared})
    for key in ("provider", "functions"):
        if isinstance(doc.get(key), dict):
            doc[key] = resolver.resolve(doc[key])


class ServerlessBuilder:
    def __init__(self, doc: dict[str, Any], rel: str, base: Path, root: Path, problems: list[Problem]) -> None:
        self.doc, self.rel, self.base, self.root, self.problems = doc, rel, base, root, problems
        provider = doc.get("provider")
        self.provider: dict[str, Any] = provider if isinstance(provider, dict) else LineDict()
        service = doc.get("service")
        name = service.get("name") if isinstance(service, dict) else service
        self.app = Application(name=str(name or base.name), root=str(root), format="serverless", template=rel)
        self.app.region = self.provider.get("region", "us-east-1")
        self.apis: dict[str, Api] = {}

    def src(self, mapping: Any, key: str | None, logical_id: str | None) -> SourceRef:
        line = line_of(mapping, key) if key else getattr(mapping, "line", None)
        return SourceRef(self.file_for(mapping), line, logical_id)

    def file_for(self, mapping: Any) -> str:
        """The file a mapping was written in: serverless.yml, or a file it includes with ${file(...)}."""
        origin = getattr(mapping, "file", None)
        if not origin:
            return self.rel
        try:
            return Path(origin).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return self.rel

    def build(self) -> Application:
        from hullguard.scanner.loaders.cloudformation import template_builder

        builders = []
        for block in as_list(self.doc.get("resources")):
            if isinstance(block, dict) and isinstance(block.get("Resources"), dict):
                builder = template_builder(self.app, block, self.file_for(block), self.base, self.root, self.problems)
                builder.index_all()
                builders.append(builder)
        functions = _merge_function_blocks(self.doc.get("functions"))
        default_role = self._default_role()
        if isinstance(functions, dict):
            for key, body in functions.items():
                if isinstance(body, dict):
                    self.app.functions.append(self._function(str(key), body, functions, default_role))
                else:
                    self.problems.append(Problem(self.rel, line_of(functions, key), f"function {key} is not a mapping"))
        elif functions is not None:
            self.problems.append(Problem(self.rel, line_of(self.doc, "functions"), "functions is not a mapping"))
        if default_role is not None and any(f.role is default_role for f in self.app.functions):
            self.app.roles.append(default_role)
        for builder in builders:
            for fn in self.app.functions:
                # The framework names a function's CloudFormation resource <Key>LambdaFunction.
                builder.add_function(fn, f"{fn.logical_id[:1].upper()}{fn.logical_id[1:]}LambdaFunction")
            builder.link_all()
        self._api_settings()
        self._extensions()
        return self.app

    def _extensions(self) -> None:
        """``resources.extensions.<Key>LambdaFunction.Properties`` are merged into the generated function."""
        extensions = (
            self.doc.get("resources", {}).get("extensions") if isinstance(self.doc.get("resources"), dict) else None
        )
        if not isinstance(extensions, dict):
            return
        for fn in self.app.functions:
            body = extensions.get(f"{fn.logical_id[:1].upper()}{fn.logical_id[1:]}LambdaFunction")
            props = body.get("Properties") if isinstance(body, dict) else None
            if not isinstance(props, dict):
                continue
            if props.get("CodeSigningConfigArn") is not None:
                fn.code_signing = props["CodeSigningConfigArn"]
            if props.get("ReservedConcurrentExecutions") is not None:
                fn.reserved_concurrency = _int(props["ReservedConcurrentExecutions"])
            if isinstance(props.get("TracingConfig"), dict):
                fn.tracing = props["TracingConfig"].get("Mode") == "Active"

    # -- roles ----------------------------------------------------------------------------------
    def _default_role(self) -> Role | None:
        iam = mapping(self.provider.get("iam"))
        role_cfg = iam.get("role")
        if isinstance(role_cfg, (str, Unknown)):
            return self._named_role(role_cfg, self.src(iam, "role", None))
        source = self.src(self.provider, "iam" if iam else "iamRoleStatements", DEFAULT_ROLE)
        role = Role(logical_id=DEFAULT_ROLE, source=source)
        role.policies.append(_logging_policy(source))
        statements: list[Any] = []
        managed: list[Any] = []
        statements_src = source
        if isinstance(role_cfg, dict):
            statements = as_list(role_cfg.get("statements"))
            managed = as_list(role_cfg.get("managedPolicies"))
            statements_src = self.src(role_cfg, "statements", DEFAULT_ROLE)
        statements += as_list(self.provider.get("iamRoleStatements"))
        managed += as_list(self.provider.get("iamManagedPolicies"))
        if "iamRoleStatements" in self.provider:
            statements_src = self.src(self.provider, "iamRoleStatements", DEFAULT_ROLE)
        if statements:
            role.policies.append(
                Policy(
                    name=f"{DEFAULT_ROLE}-statements",
                    statements=statements_from_document(statements, statements_src),
                    source=statements_src,
                )
            )
        for arn in managed:
            role.policies.append(managed_policy(arn, statements_src))
        return role

    def _named_role(self, value: Any, source: SourceRef) -> Role:
        for role in self.app.roles:  # a role declared in `resources`
            if role.logical_id == value:
                return role
        return Role(logical_id=str(value), arn=value, source=source)

    def _function_role(self, key: str, body: dict[str, Any], default_role: Role | None) -> Role | None:
        if body.get("role") is not None:
            return self._named_role(body["role"], self.src(body, "role", key))
        own = as_list(body.get("iamRoleStatements"))
        if own or body.get("iamRoleStatementsInherit"):
            source = self.src(body, "iamRoleStatements", key)
            role = Role(logical_id=f"{key[:1].upper()}{key[1:]}IamRoleLambdaExecution", source=source)
            role.policies.append(_logging_policy(source))
            role.policies.append(
                Policy(name=f"{key}-statements", statements=statements_from_document(own, source), source=source)
            )
            if body.get("iamRoleStatementsInherit") and default_role is not None:
                role.policies.extend(default_role.policies[1:])
            self.app.roles.append(role)
            return role
        return default_role

    # -- functions ------------------------------------------------------------------------------
    def _function(self, key: str, body: dict[str, Any], functions: Any, default_role: Role | None) -> Function:
        p = self.provider
        fn = Function(logical_id=key, source=SourceRef(self.file_for(body), line_of(functions, key), key))
        fn.name = body.get("name") or f"{self.app.name}-{self.provider.get('stage', 'dev')}-{key}"
        fn.runtime = body.get("runtime", p.get("runtime"))
        fn.handler = body.get("handler")
        env = LineDict()
        for source in (p.get("environment"), body.get("environment")):
            if isinstance(source, dict):
                env.update({str(k): v for k, v in source.items()})
                env.lines.update(getattr(source, "lines", {}))
        fn.environment = env
        fn.environment_kms_key = body.get("kmsKeyArn", p.get("kmsKeyArn"))
        fn.timeout = _int(body.get("timeout", p.get("timeout", 6)))
        fn.memory = _int(body.get("memorySize", p.get("memorySize", 1024)))
        fn.architecture = str(body.get("architecture", p.get("architecture", "x86_64")))
        fn.reserved_concurrency = _int(body.get("reservedConcurrency"))
        fn.dlq = body.get("onError")
        destinations = body.get("destinations")
        if isinstance(destinations, dict):
            for cfg_key, name in (("onFailure", "on_failure"), ("onSuccess", "on_success")):
                if destinations.get(cfg_key) is not None:
                    fn.destinations[name] = destinations[cfg_key]
        tracing = body.get(
            "tracing", (p.get("tracing") or {}).get("lambda") if isinstance(p.get("tracing"), dict) else None
        )
        fn.tracing = None if tracing is None else tracing in (True, "Active", "active")
        vpc = body.get("vpc", p.get("vpc"))
        # vpc: ${file(vpc.yml)} that cannot be read is kept as unresolved subnets, not as "no VPC".
        fn.vpc = vpc if isinstance(vpc, dict) else {"subnetIds": vpc} if isinstance(vpc, Unknown) else None
        fn.layers = as_list(body.get("layers", p.get("layers")))
        fn.tags = (
            {**(p.get("tags") or {}), **(body.get("tags") or {})}
            if isinstance(body.get("tags") or {}, dict) and isinstance(p.get("tags") or {}, dict)
            else {}
        )
        fn.code_path = self._code_dir()
        fn.role = self._function_role(key, body, default_role)
        url = body.get("url")
        if url:
            auth = url.get("authorizer") if isinstance(url, dict) else None
            fn.url = FunctionUrl(
                auth_type="AWS_IAM" if str(auth).lower() == "aws_iam" else "NONE",
                cors=_cors(url.get("cors")) if isinstance(url, dict) else None,
                source=self.src(body, "url", key),
            )
            fn.triggers.append(Trigger(kind="function-url", source=fn.url.source))
        events = body.get("events")
        for index, event in enumerate(as_list(events)):
            if isinstance(event, dict) and len(event) >= 1:
                kind, spec = next(iter(event.items()))
                line = line_of(event, kind) or (getattr(events, "line", None) if index == 0 else None)
                self._event(fn, str(kind), spec, SourceRef(self.file_for(event), line, key))
        return fn

    def _code_dir(self) -> str | None:
        try:
            return self.base.resolve().relative_to(self.root.resolve()).as_posix() or "."
        except ValueError:
            return None

    def _event(self, fn: Function, kind: str, spec: Any, source: SourceRef) -> None:
        if kind == "http":
            self._http_event(fn, spec, source)
        elif kind == "httpApi":
            self._http_api_event(fn, spec, source)
        elif kind == "websocket":
            api = self._api(WEBSOCKET_API, "websocket", source)
            route = spec.get("route") if isinstance(spec, dict) else spec
            authorizer = spec.get("authorizer") if isinstance(spec, dict) else None
            api.routes.append(
                Route(
                    method="WS",
                    path=str(route),
                    authorizer=_authorizer_name(authorizer),
                    function=fn.logical_id,
                    source=source,
                )
            )
            fn.triggers.append(Trigger(kind="websocket", api_id=WEBSOCKET_API, source=source))
        elif kind in ("sqs", "stream"):
            self._stream_event(fn, kind, spec, source)
        elif kind in SIMPLE_EVENTS:
            arn = spec.get("arn") or spec.get("bucket") or spec.get("topicName") if isinstance(spec, dict) else spec
            trigger = Trigger(kind=SIMPLE_EVENTS[kind], source_arn=arn, source=source, details={"event": kind})
            fn.triggers.append(trigger)
        else:
            fn.triggers.append(Trigger(kind="other", source=source, details={"event": kind}))

    def _stream_event(self, fn: Function, kind: str, spec: Any, source: SourceRef) -> None:
        cfg = spec if isinstance(spec, dict) else {"arn": spec}
        arn = cfg.get("arn")
        if kind == "sqs":
            trigger_kind = "sqs"
        else:
            declared = str(cfg.get("type", "")).lower()
            trigger_kind = (
                declared
                if declared in ("dynamodb", "kinesis")
                else ("dynamodb" if ":dynamodb:" in str(arn) or "Table" in str(arn) else "kinesis")
            )
        trigger = Trigger(kind=trigger_kind, source_arn=arn, batch_size=_int(cfg.get("batchSize")), source=source)
        destinations = cfg.get("destinations")
        if isinstance(destinations, dict) and destinations.get("onFailure") is not None:
            on_failure = destinations["onFailure"]
            trigger.on_failure = on_failure.get("arn") if isinstance(on_failure, dict) else on_failure
        trigger.report_batch_item_failures = cfg.get("functionResponseType") == "ReportBatchItemFailures"
        trigger.details["bisect"] = bool(cfg.get("bisectBatchOnFunctionError"))
        fn.triggers.append(trigger)

    def _http_event(self, fn: Function, spec: Any, source: SourceRef) -> None:
        if isinstance(spec, str):
            method, _, path = spec.partition(" ")
            cfg: dict[str, Any] = {}
        elif isinstance(spec, dict):
            cfg = spec
            method, path = str(cfg.get("method", "ANY")), str(cfg.get("path", "/"))
        else:
            return
        api = self._api(REST_API, "rest", source)
        route = Route(
            method=method.upper(),
            path="/" + path.strip().lstrip("/"),
            authorizer=_authorizer_name(cfg.get("authorizer")),
            api_key_required=bool(cfg.get("private")),
            function=fn.logical_id,
            source=source,
        )
        api.routes.append(route)
        if cfg.get("cors"):
            api.cors = _cors(cfg.get("cors"))
        fn.triggers.append(Trigger(kind="rest-api", api_id=REST_API, source=source))

    def _http_api_event(self, fn: Function, spec: Any, source: SourceRef) -> None:
        if isinstance(spec, str):
            cfg: dict[str, Any] = {}
            method, _, path = spec.partition(" ") if spec != "*" else ("*", "", "*")
        elif isinstance(spec, dict):
            cfg = spec
            method, path = str(cfg.get("method", "*")), str(cfg.get("path", "*"))
        else:
            return
        api = self._api(HTTP_API, "http", source)
        route = Route(
            method=method.upper(),
            path=path or "*",
            authorizer=_authorizer_name(cfg.get("authorizer")),
            function=fn.logical_id,
            source=source,
        )
        api.routes.append(route)
        fn.triggers.append(Trigger(kind="http-api", api_id=HTTP_API, source=source))

    def _api(self, logical_id: str, kind: str, source: SourceRef) -> Api:
        api = self.apis.get(logical_id)
        if api is None:
            api = Api(logical_id=logical_id, kind=kind, source=source)
            self.apis[logical_id] = api
            self.app.apis.append(api)
        return api

    def _api_settings(self) -> None:
        p = self.provider
        gateway = mapping(p.get("apiGateway"))
        rest = self.apis.get(REST_API)
        if rest is not None:
            plan = gateway.get("usagePlan") or p.get("usagePlan")
            if gateway.get("apiKeys") or p.get("apiKeys") or plan:
                rest.usage_plan = True
            for entry in as_list(plan):
                throttle = entry.get("throttle") if isinstance(entry, dict) else None
                if throttle is None and isinstance(entry, dict):
                    nested = next(iter(entry.values()), None)
                    throttle = nested.get("throttle") if isinstance(nested, dict) else None
                if isinstance(throttle, dict):
                    rest.throttling = {"rate": throttle.get("rateLimit"), "burst": throttle.get("burstLimit")}
            logs = mapping(p.get("logs"))
            rest.access_logging = bool(logs.get("restApi"))
            rest.tracing = switched_on(mapping(p.get("tracing")).get("apiGateway"))
            # Core Serverless has no stage cache setting; the serverless-api-gateway-caching plugin adds one.
            rest.cache = switched_on(mapping(mapping(self.doc.get("custom")).get("apiGatewayCaching")).get("enabled"))
            rest.endpoint_type = str(p.get("endpointType", "EDGE")).upper()
        http = self.apis.get(HTTP_API)
        if http is not None:
            cfg = mapping(p.get("httpApi"))
            if cfg.get("cors"):
                http.cors = _cors(cfg.get("cors"))
            logs = mapping(p.get("logs"))
            http.access_logging = bool(logs.get("httpApi"))
            throttle = cfg.get("throttle") if isinstance(cfg.get("throttle"), dict) else None
            if throttle:
                http.throttling = {"rate": throttle.get("rateLimit"), "burst": throttle.get("burstLimit")}


def _merge_function_blocks(functions: Any) -> Any:
    """``functions:`` may be a list of mappings (``- ${file(a/sls.yml):functions}``): merge them, keeping
    each key's line in the file it came from."""
    if not isinstance(functions, list):
        return functions
    merged = LineDict()
    for block in functions:
        if isinstance(block, dict):
            merged.update(block)
            merged.lines.update(getattr(block, "lines", {}))
    return merged


def _logging_policy(source: SourceRef) -> Policy:
    """What the framework always grants its default role: writing the function's own logs."""
    statement = Statement(
        effect="Allow",
        actions=["logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents"],
        resources=["arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/*"],
        source=source,
    )
    return Policy(name="serverless-logging", statements=[statement], source=source)


def _authorizer_name(value: Any) -> str | None:
    if value is None or value is False:
        return None
    if isinstance(value, dict):
        kind = value.get("type") or value.get("name") or value.get("arn") or value.get("id") or "CUSTOM"
        return "AWS_IAM" if str(kind).lower() == "aws_iam" else str(kind)
    return "AWS_IAM" if str(value).lower() == "aws_iam" else str(value)


def _cors(value: Any) -> dict[str, Any] | None:
    if value is True:
        return {"AllowOrigins": ["*"]}
    if isinstance(value, dict):
        origins = value.get("origins", value.get("origin", value.get("allowedOrigins", "*")))
        return {"AllowOrigins": as_list(origins), **dict(value.items())}
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None or isinstance(value, Unknown):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
