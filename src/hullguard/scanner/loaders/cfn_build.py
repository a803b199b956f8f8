"""Build the application model from one CloudFormation/SAM template's ``Resources``.

Two passes: first every resource is indexed (roles, functions, APIs), then the resources that refer
to others (permissions, event source mappings, API methods, policies attached to roles) are linked.
"""

from __future__ import annotations

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
from hullguard.scanner.loaders.intrinsics import Resolver, ref_target
from hullguard.scanner.loaders.yamlfile import LineDict

SAM_EVENT_KINDS = {
    "Api": "rest-api",
    "HttpApi": "http-api",
    "S3": "s3",
    "SNS": "sns",
    "SQS": "sqs",
    "Kinesis": "kinesis",
    "DynamoDB": "dynamodb",
    "Schedule": "schedule",
    "ScheduleV2": "schedule",
    "CloudWatchEvent": "eventbridge",
    "EventBridgeRule": "eventbridge",
    "CloudWatchLogs": "cloudwatch-logs",
    "Cognito": "cognito",
    "IoTRule": "iot",
    "AlexaSkill": "alexa",
    "MSK": "kafka",
    "SelfManagedKafka": "kafka",
    "MQ": "mq",
    "DocumentDB": "other",
}
PRINCIPAL_KINDS = {
    "s3.amazonaws.com": "s3",
    "sns.amazonaws.com": "sns",
    "events.amazonaws.com": "eventbridge",
    "apigateway.amazonaws.com": "rest-api",
    "elasticloadbalancing.amazonaws.com": "alb",
    "logs.amazonaws.com": "cloudwatch-logs",
    "cognito-idp.amazonaws.com": "cognito",
    "iot.amazonaws.com": "iot",
    "alexa-appkit.amazon.com": "alexa",
    "ses.amazonaws.com": "ses",
    "scheduler.amazonaws.com": "schedule",
    "secretsmanager.amazonaws.com": "secrets-manager",
    "config.amazonaws.com": "config",
}
KNOWN_PREFIXES = ("AWS::", "Custom::", "Alexa::")


def stream_kind(arn: Any) -> str:
    text = str(arn)
    for marker, kind in (
        (":sqs:", "sqs"),
        ("Queue", "sqs"),
        (":kinesis:", "kinesis"),
        ("Stream", "kinesis"),
        (":dynamodb:", "dynamodb"),
        ("Table", "dynamodb"),
        (":kafka:", "kafka"),
        (":mq:", "mq"),
    ):
        if marker in text:
            return kind
    return "other"


class TemplateBuilder:
    def __init__(
        self,
        app: Application,
        data: dict[str, Any],
        rel: str,
        base: Path,
        root: Path,
        problems: list[Problem],
        translated: dict[str, Any] | None,
    ) -> None:
        self.app, self.data, self.rel, self.base, self.root = app, data, rel, base, root
        self.problems = problems
        self.translated = translated
        self.resolver = Resolver(data)
        self.resources: dict[str, Any] = data.get("Resources") or {}
        self.globals: dict[str, Any] = data.get("Globals") or {} if isinstance(data.get("Globals"), dict) else {}
        self.functions: dict[str, Function] = {f.logical_id: f for f in app.functions}
        self.roles: dict[str, Role] = {r.logical_id: r for r in app.roles}
        self.apis: dict[str, Api] = {a.logical_id: a for a in app.apis}
        self.api_resources: dict[str, Any] = {}
        self.sam_api_auth: dict[str, tuple[Any, bool]] = {}  # SAM API -> (DefaultAuthorizer, ApiKeyRequired)

    # -- helpers -------------------------------------------------------------------------------
    def src(self, logical_id: str | None, line: int | None = None) -> SourceRef:
        if line is None and logical_id is not None:
            line = line_of(self.resources, logical_id)
        return SourceRef(self.rel, line, logical_id)

    def r(self, value: Any) -> Any:
        return self.resolver.resolve(value)

    def props(self, body: Any) -> dict[str, Any]:
        props = body.get("Properties") if isinstance(body, dict) else None
        return props if isinstance(props, dict) else {}

    # -- passes ---------------------------------------------------------------------------------
    def build(self) -> None:
        self.index_all()
        self.link_all()

    def add_function(self, fn: Function, *aliases: str) -> None:
        """Make a function declared outside the template (serverless.yml) linkable by its ids."""
        for name in (fn.logical_id, *aliases):
            self.functions[name] = fn

    def index_all(self) -> None:
        # Roles first: functions link to them while being indexed.
        items = sorted(
            self.resources.items(),
            key=lambda kv: not (isinstance(kv[1], dict) and kv[1].get("Type") == "AWS::IAM::Role"),
        )
        for logical_id, body in items:
            if not isinstance(body, dict):
                self.problems.append(
                    Problem(self.rel, line_of(self.resources, logical_id), f"resource {logical_id} is not a mapping")
                )
                continue
            type_name = body.get("Type")
            if not isinstance(type_name, str):
                self.problems.append(
                    Problem(self.rel, line_of(self.resources, logical_id), f"resource {logical_id} has no Type")
                )
                continue
            if not type_name.startswith(KNOWN_PREFIXES):
                self.problems.append(
                    Problem(
                        self.rel,
                        line_of(self.resources, logical_id),
                        f"resource {logical_id} has unknown type {type_name!r}; skipped",
                    )
                )
                continue
            self._index(logical_id, type_name, body)

    def link_all(self) -> None:
        for logical_id, api in list(self.apis.items()):
            body = self.resources.get(logical_id)
            props = self.props(body)
            definition = props.get("DefinitionBody") or props.get("Body")
            if isinstance(definition, dict):
                self._openapi(api, definition)
        for logical_id, body in self.resources.items():
            if isinstance(body, dict) and isinstance(body.get("Type"), str):
                self._link(logical_id, body["Type"], body)
        self._implicit_sam_apis()

    def _index(self, logical_id: str, type_name: str, body: dict[str, Any]) -> None:
        props = self.props(body)
        if type_name == "AWS::IAM::Role":
            self.roles[logical_id] = self._role(logical_id, props)
            self.app.roles.append(self.roles[logical_id])
        elif type_name == "AWS::Lambda::Function":
            fn = self._lambda_function(logical_id, props)
            self.functions[logical_id] = fn
            self.app.functions.append(fn)
        elif type_name == "AWS::Serverless::Function":
            fn = self._sam_function(logical_id, props)
            self.functions[logical_id] = fn
            self.app.functions.append(fn)
        elif type_name in ("AWS::ApiGateway::RestApi", "AWS::Serverless::Api"):
            self._add_api(logical_id, "rest", props, sam=type_name.startswith("AWS::Serverless"))
        elif type_name in ("AWS::ApiGatewayV2::Api", "AWS::Serverless::HttpApi"):
            kind = "websocket" if str(self.r(props.get("ProtocolType"))).upper() == "WEBSOCKET" else "http"
            self._add_api(logical_id, kind, props, sam=type_name.startswith("AWS::Serverless"))
        elif type_name == "AWS::ApiGateway::Resource":
            self.api_resources[logical_id] = props
        resolved = self.r(props)
        properties = resolved if isinstance(resolved, dict) else {}  # Properties: !Ref X is not a mapping
        self.app.resources.append(Resource(logical_id, type_name, properties, self.src(logical_id)))

    def _link(self, logical_id: str, type_name: str, body: dict[str, Any]) -> None:
        props = self.props(body)
        linker = {
            "AWS::IAM::Policy": self._attach_policy,
            "AWS::IAM::ManagedPolicy": self._attach_policy,
            "AWS::Lambda::Permission": self._permission,
            "AWS::Lambda::EventSourceMapping": self._event_source_mapping,
            "AWS::Lambda::Url": self._function_url,
            "AWS::Lambda::EventInvokeConfig": self._invoke_config,
            "AWS::ApiGateway::Method": self._rest_method,
            "AWS::ApiGatewayV2::Route": self._http_route,
            "AWS::ApiGateway::UsagePlan": self._usage_plan,
            "AWS::ApiGateway::Stage": self._rest_stage,
            "AWS::ApiGateway::Deployment": self._rest_deployment,
            "AWS::ApiGatewayV2::Stage": self._http_stage,
            "AWS::Logs::LogGroup": self._log_group,
        }.get(type_name)
        if linker:
            linker(logical_id, props)

    # -- roles ----------------------------------------------------------------------------------
    def _role(self, logical_id: str, props: dict[str, Any], source: SourceRef | None = None) -> Role:
        source = source or self.src(logical_id)
        role = Role(logical_id=logical_id, name=self.r(props.get("RoleName")), source=source)
        for index, entry in enumerate(as_list(props.get("Policies"))):
            if not isinstance(entry, dict):
                continue
            name = self.r(entry.get("PolicyName")) or f"inline-{index}"
            line = getattr(entry, "line", None) or source.line
            psrc = SourceRef(source.file, line, source.logical_id)
            statements = statements_from_document(self.r(entry.get("PolicyDocument")), psrc)
            role.policies.append(Policy(name=str(name), statements=statements, source=psrc))
        for arn in as_list(props.get("ManagedPolicyArns")):
            target = ref_target(arn)
            if target and target in self.resources:
                continue  # customer managed policy in this template: attached in _attach_policy
            role.policies.append(
                managed_policy(
                    self.r(arn),
                    SourceRef(source.file, line_of(props, "ManagedPolicyArns") or source.line, source.logical_id),
                )
            )
        return role

    def _attach_policy(self, logical_id: str, props: dict[str, Any]) -> None:
        src = self.src(logical_id)
        name = self.r(props.get("PolicyName") or props.get("ManagedPolicyName")) or logical_id
        statements = statements_from_document(self.r(props.get("PolicyDocument")), src)
        for ref in as_list(props.get("Roles")):
            role = self.roles.get(ref_target(ref) or "")
            if role is not None:
                role.policies.append(Policy(name=str(name), statements=list(statements), source=src))
        for role in self.roles.values():
            # A role listing this managed policy in ManagedPolicyArns.
            body = self.resources.get(role.logical_id)
            arns = self.props(body).get("ManagedPolicyArns") if isinstance(body, dict) else None
            if any(ref_target(a) == logical_id for a in as_list(arns)):
                role.policies.append(Policy(name=str(name), statements=list(statements), source=src))

    def _function_role(self, fn: Function, role_value: Any) -> None:
        target = ref_target(role_value)
        if target and target in self.roles:
            fn.role = self.roles[target]
        elif role_value is not None:
            value = self.r(role_value)
            fn.role = Role(logical_id=str(value), arn=value, source=fn.source)

    # -- functions ------------------------------------------------------------------------------
    def _common_function(self, fn: Function, props: dict[str, Any]) -> None:
        r = self.r
        fn.name = r(props.get("FunctionName"))
        fn.runtime = r(props.get("Runtime"))
        fn.handler = r(props.get("Handler"))
        env = props.get("Environment")
        variables = env.get("Variables") if isinstance(env, dict) else None
        if isinstance(variables, dict):
            environment = LineDict({str(k): r(v) for k, v in variables.items()})
            environment.lines = dict(getattr(variables, "lines", {}))
            fn.environment = environment
        fn.environment_kms_key = r(props.get("KmsKeyArn"))
        fn.timeout = _int(r(props.get("Timeout")))
        fn.memory = _int(r(props.get("MemorySize")))
        architectures = r(props.get("Architectures"))
        if isinstance(architectures, list) and architectures:
            fn.architecture = str(architectures[0])
        fn.reserved_concurrency = _int(r(props.get("ReservedConcurrentExecutions")))
        dlq = props.get("DeadLetterConfig")
        if isinstance(dlq, dict) and dlq.get("TargetArn") is not None:
            fn.dlq = r(dlq.get("TargetArn"))
        tracing = props.get("TracingConfig")
        if isinstance(tracing, dict):
            fn.tracing = str(r(tracing.get("Mode"))) == "Active"
        vpc = props.get("VpcConfig")
        if isinstance(vpc, dict):
            fn.vpc = r(vpc)
        fn.layers = list(r(as_list(props.get("Layers"))))
        fn.code_signing = r(props.get("CodeSigningConfigArn"))
        tags = r(props.get("Tags"))
        if isinstance(tags, list):
            fn.tags = {str(t.get("Key")): t.get("Value") for t in tags if isinstance(t, dict)}
        elif isinstance(tags, dict):
            fn.tags = dict(tags)
        logging = props.get("LoggingConfig")
        if isinstance(logging, dict) and logging.get("LogGroup") is not None:
            fn.log_group = r(logging.get("LogGroup"))

    def _lambda_function(self, logical_id: str, props: dict[str, Any]) -> Function:
        fn = Function(logical_id=logical_id, source=self.src(logical_id))
        self._common_function(fn, props)
        code = props.get("Code")
        if isinstance(code, dict) and isinstance(code.get("ZipFile"), (str, dict)):
            fn.code_path = None  # inline code: nothing on disk to read
        self._function_role(fn, props.get("Role"))
        return fn

    def _sam_function(self, logical_id: str, raw_props: dict[str, Any]) -> Function:
        globals_fn = mapping(self.globals.get("Function"))
        props = _merge_globals(globals_fn or {}, raw_props)
        fn = Function(logical_id=logical_id, source=self.src(logical_id))
        self._common_function(fn, props)
        if "Tracing" in props:
            fn.tracing = str(self.r(props.get("Tracing"))) == "Active"
        if isinstance(props.get("DeadLetterQueue"), dict):
            fn.dlq = self.r(props["DeadLetterQueue"].get("TargetArn"))
        invoke = props.get("EventInvokeConfig")
        if isinstance(invoke, dict):
            self._destinations(fn, invoke.get("DestinationConfig"))
        code_uri = self.r(props.get("CodeUri"))
        if isinstance(code_uri, str) and not code_uri.startswith("s3://"):
            fn.code_path = self._relative_dir(code_uri)
        elif code_uri is None and props.get("InlineCode") is None:
            fn.code_path = self._relative_dir(".")
        url = props.get("FunctionUrlConfig")
        if isinstance(url, dict):
            fn.url = FunctionUrl(
                auth_type=self.r(url.get("AuthType")),
                cors=self.r(url.get("Cors")),
                source=SourceRef(self.rel, line_of(props, "FunctionUrlConfig"), logical_id),
            )
            fn.triggers.append(Trigger(kind="function-url", source=fn.url.source))
        self._sam_role(fn, props)
        events = props.get("Events")
        if isinstance(events, dict):
            for event_id, event in events.items():
                if isinstance(event, dict):
                    self._sam_event(fn, str(event_id), event, line_of(events, event_id))
        return fn

    def _relative_dir(self, code_uri: str) -> str | None:
        path = (self.base / code_uri).resolve()
        try:
            rel = path.relative_to(self.root.resolve())
        except ValueError:
            return None
        return rel.as_posix() or "."

    def _destinations(self, fn: Function, config: Any) -> None:
        if not isinstance(config, dict):
            return
        for key, name in (("OnFailure", "on_failure"), ("OnSuccess", "on_success")):
            entry = config.get(key)
            if isinstance(entry, dict):
                fn.destinations[name] = self.r(entry.get("Destination")) or self.r(entry.get("Type"))

    def _sam_role(self, fn: Function, props: dict[str, Any]) -> None:
        if props.get("Role") is not None:
            self._function_role(fn, props.get("Role"))
            return
        role_id = f"{fn.logical_id}Role"
        translated_role = None
        if self.translated:
            body = (self.translated.get("Resources") or {}).get(role_id)
            if isinstance(body, dict) and body.get("Type") == "AWS::IAM::Role":
                translated_role = body
        source = SourceRef(self.rel, line_of(props, "Policies") or fn.source.line, fn.logical_id)
        if translated_role is not None:
            role = self._role(role_id, translated_role.get("Properties") or {}, source)
            self._restore_policy_lines(role, as_list(props.get("Policies")))
        else:
            role = Role(logical_id=role_id, source=source)
            for entry in as_list(props.get("Policies")):
                value = self.r(entry)
                if isinstance(value, str):
                    role.policies.append(managed_policy(value, source))
                elif isinstance(value, dict) and "Statement" in value:
                    role.policies.append(
                        Policy(name="inline", statements=statements_from_document(value, source), source=source)
                    )
                elif isinstance(value, dict):
                    names = ", ".join(value)
                    role.policies.append(Policy(name=f"<unexpanded {names}>", source=source))
            role.policies.append(managed_policy("AWSLambdaBasicExecutionRole", source))
        # Statements in Policies point at the line of their own statement; managed ones at Policies.
        self.app.roles.append(role)
        self.roles[role_id] = role
        fn.role = role

    def _restore_policy_lines(self, role: Role, written: list[Any]) -> None:
        """The translator names inline policies <Role>Policy<N> after Policies[N]: point each expanded
        statement back at the line where its entry was written."""
        for policy in role.policies:
            suffix = policy.name.rsplit("Policy", 1)[-1]
            if not suffix.isdigit() or int(suffix) >= len(written):
                continue
            entry = written[int(suffix)]
            line = getattr(entry, "line", None)
            originals = as_list(entry.get("Statement")) if isinstance(entry, dict) else []
            for index, statement in enumerate(policy.statements):
                original = originals[index] if index < len(originals) else None
                own = line_of(original, "Effect") if isinstance(original, dict) else None
                statement.source = SourceRef(self.rel, own or line, role.source.logical_id)
            policy.source = SourceRef(self.rel, line, role.source.logical_id)

    def _sam_event(self, fn: Function, event_id: str, event: dict[str, Any], line: int | None) -> None:
        kind_name = str(event.get("Type"))
        props = mapping(event.get("Properties"))
        kind = SAM_EVENT_KINDS.get(kind_name, "other")
        source = SourceRef(self.rel, line, fn.logical_id)
        trigger = Trigger(kind=kind, source=source, details={"event": event_id, "type": kind_name})
        r = self.r
        if kind in ("sqs", "kinesis", "dynamodb", "kafka", "mq"):
            trigger.source_arn = r(props.get("Queue") or props.get("Stream") or props.get("Broker"))
            trigger.batch_size = _int(r(props.get("BatchSize")))
            dest = props.get("DestinationConfig")
            if isinstance(dest, dict) and isinstance(dest.get("OnFailure"), dict):
                trigger.on_failure = r(dest["OnFailure"].get("Destination"))
            trigger.report_batch_item_failures = "ReportBatchItemFailures" in as_list(
                r(props.get("FunctionResponseTypes"))
            )
            trigger.details["bisect"] = bool(r(props.get("BisectBatchOnFunctionError")))
        elif kind in ("sns", "s3"):
            trigger.source_arn = r(props.get("Topic") or props.get("Bucket"))
        elif kind in ("rest-api", "http-api"):
            api_ref = props.get("RestApiId") if kind == "rest-api" else props.get("ApiId")
            api_id = ref_target(api_ref) if api_ref is not None else None
            if api_id is None:
                api_id = "ServerlessRestApi" if kind == "rest-api" else "ServerlessHttpApi"
            trigger.api_id = api_id
            auth = mapping(props.get("Auth"))
            method = str(r(props.get("Method", "ANY"))).upper()
            path = str(r(props.get("Path", "/")))
            route = Route(method=method, path=path, function=fn.logical_id, source=source)
            if "Authorizer" in auth:
                authorizer = r(auth.get("Authorizer"))
                route.authorizer = None if authorizer == "NONE" else str(authorizer)
                trigger.details["explicit_auth"] = True
            if "ApiKeyRequired" in auth:
                route.api_key_required = bool(r(auth.get("ApiKeyRequired")))
                trigger.details["explicit_api_key"] = True
            trigger.details["route"] = route
        self_triggers = fn.triggers
        self_triggers.append(trigger)

    # -- APIs -----------------------------------------------------------------------------------
    def _add_api(self, logical_id: str, kind: str, props: dict[str, Any], sam: bool) -> Api:
        api = self.apis.get(logical_id)
        if api is None:
            api = Api(logical_id=logical_id, kind=kind, source=self.src(logical_id))
            self.apis[logical_id] = api
            self.app.apis.append(api)
        if not sam:
            if kind == "http":
                api.cors = self.r(props.get("CorsConfiguration"))
            return api
        global_key = "Api" if kind == "rest" else "HttpApi"
        merged = _merge_globals(self.globals.get(global_key) or {}, props)
        auth = mapping(merged.get("Auth"))
        self.sam_api_auth[logical_id] = (
            self.r(auth.get("DefaultAuthorizer")),
            bool(self.r(auth.get("ApiKeyRequired"))),
        )
        plan = auth.get("UsagePlan")
        if isinstance(plan, dict) and str(self.r(plan.get("CreateUsagePlan", "NONE"))) != "NONE":
            api.usage_plan = True
            throttle = plan.get("Throttle")
            if isinstance(throttle, dict):
                api.throttling = {
                    "rate": self.r(throttle.get("RateLimit")),
                    "burst": self.r(throttle.get("BurstLimit")),
                }
        api.cors = self.r(merged.get("Cors") if kind == "rest" else merged.get("CorsConfiguration"))
        for setting in as_list(merged.get("MethodSettings")):
            if isinstance(setting, dict) and ("ThrottlingRateLimit" in setting or "ThrottlingBurstLimit" in setting):
                api.throttling = {
                    "rate": self.r(setting.get("ThrottlingRateLimit")),
                    "burst": self.r(setting.get("ThrottlingBurstLimit")),
                }
        route_settings = merged.get("DefaultRouteSettings")
        if isinstance(route_settings, dict) and "ThrottlingRateLimit" in route_settings:
            api.throttling = {
                "rate": self.r(route_settings.get("ThrottlingRateLimit")),
                "burst": self.r(route_settings.get("ThrottlingBurstLimit")),
            }
        if merged.get("AccessLogSetting") is not None or merged.get("AccessLogSettings") is not None:
            api.access_logging = True
        elif sam:
            api.access_logging = False
        if kind == "rest":
            api.tracing = switched_on(self.r(merged.get("TracingEnabled")))
            api.cache = switched_on(self.r(merged.get("CacheClusterEnabled")))
        endpoint = merged.get("EndpointConfiguration")
        if isinstance(endpoint, dict):
            api.endpoint_type = str(self.r(endpoint.get("Type")))
        elif isinstance(endpoint, str):
            api.endpoint_type = endpoint
        return api

    def _implicit_sam_apis(self) -> None:
        """Attach SAM event routes to their API (implicit ServerlessRestApi/HttpApi created on demand)."""
        for fn in self.functions.values():
            for trigger in fn.triggers:
                route = trigger.details.pop("route", None)
                if not isinstance(route, Route) or trigger.api_id is None:
                    continue
                api = self.apis.get(trigger.api_id)
                if api is None:
                    kind = "rest" if trigger.kind == "rest-api" else "http"
                    api = self._add_api(trigger.api_id, kind, {}, sam=True)
                    api.source = trigger.source
                default_auth, default_key = self.sam_api_auth.get(api.logical_id, (None, False))
                if not trigger.details.get("explicit_auth") and default_auth not in (None, "NONE"):
                    route.authorizer = str(default_auth)
                if not trigger.details.get("explicit_api_key") and default_key:
                    route.api_key_required = True
                api.routes.append(route)

    def _openapi(self, api: Api, definition: dict[str, Any]) -> None:
        from hullguard.scanner.loaders.openapi import openapi_routes

        for found in openapi_routes(definition):
            function = found.function if found.function in self.functions else None
            route = Route(
                method=found.method,
                path=found.path,
                authorizer=found.authorizer,
                api_key_required=found.api_key_required,
                function=function,
                source=SourceRef(self.rel, found.line or api.source.line, api.logical_id),
            )
            api.routes.append(route)
            if function is not None:
                kind = "rest-api" if api.kind == "rest" else "http-api"
                self.functions[function].triggers.append(Trigger(kind=kind, api_id=api.logical_id, source=route.source))

    def _rest_path(self, resource_ref: Any) -> str:
        parts: list[str] = []
        target = ref_target(resource_ref)
        seen: set[str] = set()
        while target and target in self.api_resources and target not in seen:
            seen.add(target)
            props = self.api_resources[target]
            parts.append(str(self.r(props.get("PathPart"))))
            target = ref_target(props.get("ParentId"))
        return "/" + "/".join(reversed(parts))

    def _rest_method(self, logical_id: str, props: dict[str, Any]) -> None:
        api_id = ref_target(props.get("RestApiId")) or ""
        api = self.apis.get(api_id) or self._add_api(api_id or "RestApi", "rest", {}, sam=False)
        auth = str(self.r(props.get("AuthorizationType", "NONE"))).upper()
        integration = mapping(props.get("Integration"))
        target = ref_target(integration.get("Uri"))
        function = target if target in self.functions else None
        route = Route(
            method=str(self.r(props.get("HttpMethod", "ANY"))).upper(),
            path=self._rest_path(props.get("ResourceId")),
            authorizer=None if auth == "NONE" else auth,
            api_key_required=bool(self.r(props.get("ApiKeyRequired"))),
            function=function,
            source=self.src(logical_id),
        )
        api.routes.append(route)
        if function:
            self.functions[function].triggers.append(
                Trigger(kind="rest-api", api_id=api.logical_id, source=route.source)
            )

    def _http_route(self, logical_id: str, props: dict[str, Any]) -> None:
        api_id = ref_target(props.get("ApiId")) or ""
        api = self.apis.get(api_id) or self._add_api(api_id or "HttpApi", "http", {}, sam=False)
        auth = str(self.r(props.get("AuthorizationType", "NONE"))).upper()
        route_key = str(self.r(props.get("RouteKey", "$default")))
        method, _, path = route_key.partition(" ")
        target_ref = props.get("Target")
        integration_id = ref_target(target_ref)
        function = None
        if integration_id and isinstance(self.resources.get(integration_id), dict):
            uri = self.props(self.resources[integration_id]).get("IntegrationUri")
            candidate = ref_target(uri)
            function = candidate if candidate in self.functions else None
        route = Route(
            method=method.upper(),
            path=path or method,
            authorizer=None if auth == "NONE" else auth,
            api_key_required=bool(self.r(props.get("ApiKeyRequired"))),
            function=function,
            source=self.src(logical_id),
        )
        api.routes.append(route)
        if function:
            kind = "websocket" if api.kind == "websocket" else "http-api"
            self.functions[function].triggers.append(Trigger(kind=kind, api_id=api.logical_id, source=route.source))

    def _usage_plan(self, logical_id: str, props: dict[str, Any]) -> None:
        throttle = self.r(props.get("Throttle"))
        for stage in as_list(props.get("ApiStages")):
            api = self.apis.get(ref_target(stage.get("ApiId")) or "") if isinstance(stage, dict) else None
            if api is not None:
                api.usage_plan = True
                if isinstance(throttle, dict):
                    api.throttling = {"rate": throttle.get("RateLimit"), "burst": throttle.get("BurstLimit")}

    def _rest_stage(self, logical_id: str, props: dict[str, Any]) -> None:
        api = self.apis.get(ref_target(props.get("RestApiId")) or "")
        if api is None:
            return
        api.access_logging = props.get("AccessLogSetting") is not None
        self._stage_monitoring(api, props)
        for setting in as_list(props.get("MethodSettings")):
            if isinstance(setting, dict) and "ThrottlingRateLimit" in setting:
                api.throttling = {
                    "rate": self.r(setting.get("ThrottlingRateLimit")),
                    "burst": self.r(setting.get("ThrottlingBurstLimit")),
                }

    def _rest_deployment(self, logical_id: str, props: dict[str, Any]) -> None:
        """A Deployment with ``StageName`` creates that stage, configured by its ``StageDescription``."""
        api = self.apis.get(ref_target(props.get("RestApiId")) or "")
        if api is not None and props.get("StageName") is not None:
            self._stage_monitoring(api, mapping(props.get("StageDescription")))

    def _stage_monitoring(self, api: Api, stage: dict[str, Any]) -> None:
        # Tracing counts only when every stage has it (an untraced stage is where an attack goes unseen);
        # a cache on any stage counts (a cache on dev is not needed).
        traced = switched_on(self.r(stage.get("TracingEnabled")))
        api.tracing = traced if api.tracing is None else api.tracing and traced
        api.cache = bool(api.cache) or switched_on(self.r(stage.get("CacheClusterEnabled")))

    def _http_stage(self, logical_id: str, props: dict[str, Any]) -> None:
        api = self.apis.get(ref_target(props.get("ApiId")) or "")
        if api is None:
            return
        api.access_logging = props.get("AccessLogSettings") is not None
        settings = props.get("DefaultRouteSettings")
        if isinstance(settings, dict) and "ThrottlingRateLimit" in settings:
            api.throttling = {
                "rate": self.r(settings.get("ThrottlingRateLimit")),
                "burst": self.r(settings.get("ThrottlingBurstLimit")),
            }

    # -- function-side links ---------------------------------------------------------------------
    def _function_for(self, value: Any) -> Function | None:
        target = ref_target(value)
        if target and target in self.functions:
            return self.functions[target]
        resolved = self.r(value)
        for fn in self.functions.values():
            if fn.name is not None and resolved == fn.name:
                return fn
        return None

    def _permission(self, logical_id: str, props: dict[str, Any]) -> None:
        fn = self._function_for(props.get("FunctionName"))
        if fn is None:
            return
        principal = self.r(props.get("Principal"))
        permission = Permission(
            principal=principal,
            action=str(self.r(props.get("Action", "lambda:InvokeFunction"))),
            source_arn=self.r(props.get("SourceArn")),
            source_account=self.r(props.get("SourceAccount")),
            function_url_auth_type=self.r(props.get("FunctionUrlAuthType")),
            source=self.src(logical_id),
        )
        fn.permissions.append(permission)
        kind = PRINCIPAL_KINDS.get(str(principal))
        if kind and kind not in ("rest-api",) and not any(t.kind == kind for t in fn.triggers):
            fn.triggers.append(Trigger(kind=kind, source_arn=permission.source_arn, source=permission.source))

    def _event_source_mapping(self, logical_id: str, props: dict[str, Any]) -> None:
        fn = self._function_for(props.get("FunctionName"))
        if fn is None:
            return
        arn = props.get("EventSourceArn")
        kind = stream_kind((ref_target(arn) and self._type_of(ref_target(arn) or "")) or self.r(arn))
        if props.get("SelfManagedEventSource") is not None or props.get("AmazonManagedKafkaEventSourceConfig"):
            kind = "kafka"
        trigger = Trigger(
            kind=kind,
            source_arn=self.r(arn),
            batch_size=_int(self.r(props.get("BatchSize"))),
            source=self.src(logical_id),
        )
        dest = props.get("DestinationConfig")
        if isinstance(dest, dict) and isinstance(dest.get("OnFailure"), dict):
            trigger.on_failure = self.r(dest["OnFailure"].get("Destination"))
        trigger.report_batch_item_failures = "ReportBatchItemFailures" in as_list(
            self.r(props.get("FunctionResponseTypes"))
        )
        trigger.details["bisect"] = bool(self.r(props.get("BisectBatchOnFunctionError")))
        fn.triggers.append(trigger)

    def _type_of(self, logical_id: str) -> str:
        body = self.resources.get(logical_id)
        type_name = body.get("Type") if isinstance(body, dict) else None
        return {
            "AWS::SQS::Queue": ":sqs:",
            "AWS::Kinesis::Stream": ":kinesis:",
            "AWS::DynamoDB::Table": ":dynamodb:",
            "AWS::MSK::Cluster": ":kafka:",
        }.get(str(type_name), "")

    def _function_url(self, logical_id: str, props: dict[str, Any]) -> None:
        fn = self._function_for(props.get("TargetFunctionArn"))
        if fn is not None:
            fn.url = FunctionUrl(
                auth_type=self.r(props.get("AuthType")), cors=self.r(props.get("Cors")), source=self.src(logical_id)
            )
            fn.triggers.append(Trigger(kind="function-url", source=fn.url.source))

    def _invoke_config(self, logical_id: str, props: dict[str, Any]) -> None:
        fn = self._function_for(props.get("FunctionName"))
        if fn is not None:
            self._destinations(fn, props.get("DestinationConfig"))

    def _log_group(self, logical_id: str, props: dict[str, Any]) -> None:
        name = props.get("LogGroupName")
        target = ref_target(name)
        if target in self.functions:
            self.functions[target].log_group = self.r(name)


def _merge_globals(defaults: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """SAM Globals: resource values win; Environment.Variables and Tags are merged key by key."""
    if not defaults:
        return props
    merged = type(props)() if isinstance(props, dict) else {}
    if hasattr(props, "lines"):
        merged.lines = dict(props.lines)  # type: ignore[attr-defined]
        merged.line = props.line  # type: ignore[attr-defined]
    for key, value in defaults.items():
        merged[key] = value
    for key, value in props.items():
        base = merged.get(key)
        if isinstance(base, dict) and isinstance(value, dict) and key in ("Environment", "Tags"):
            combined = _line_merge(base, value)
            for k, v in value.items():
                if isinstance(base.get(k), dict) and isinstance(v, dict):
                    combined[k] = _line_merge(base[k], v)
            merged[key] = combined
        else:
            merged[key] = value
    return merged


def _line_merge(base: dict[str, Any], override: dict[str, Any]) -> LineDict:
    """Merge two mappings keeping where each key was written (Globals keys point at Globals)."""
    out = LineDict({**base, **override})
    out.line = getattr(override, "line", None) or getattr(base, "line", None)
    out.lines = {**getattr(base, "lines", {}), **getattr(override, "lines", {})}
    return out


def _int(value: Any) -> int | None:
    if isinstance(value, (bool, Unknown)):
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
