"""Application model shared by the posture scanner, least-privilege IAM and the cloud audit.

Loaders (serverless.yml, SAM, CloudFormation, Terraform, a live account) fill these dataclasses;
rules only read them. A value a loader could not resolve (``${ssm:...}``, an unresolved ``!Ref``)
is an ``Unknown`` carrying the original expression, never a guess: rules must treat it as UNKNOWN,
not as a pass (house rule 8).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that could not be resolved statically; ``expr`` is what the template said."""

    expr: str

    def __str__(self) -> str:
        return f"<unknown {self.expr}>"


# A template value after resolution: plain JSON data, or Unknown where resolution stopped.
Value = Any


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where something was declared: file relative to the scanned root, 1-based line, logical id."""

    file: str = ""
    line: int | None = None
    logical_id: str | None = None


@dataclass(slots=True)
class Statement:
    """One IAM policy statement, normalised: every list field is a list, even when written as a string."""

    effect: str = "Allow"
    actions: list[str] = field(default_factory=list)
    not_actions: list[str] = field(default_factory=list)
    resources: list[Value] = field(default_factory=list)
    not_resources: list[Value] = field(default_factory=list)
    principals: dict[str, list[Value]] | None = None  # resource policies only; {"AWS": ["*"]}
    conditions: dict[str, Any] = field(default_factory=dict)
    sid: str = ""
    source: SourceRef = field(default_factory=SourceRef)

    @classmethod
    def from_json(cls, data: dict[str, Any], source: SourceRef | None = None) -> Statement:
        """Build from an IAM JSON statement (``Effect``/``Action``/``Resource``...)."""

        def as_list(value: Any) -> list[Any]:
            if value is None:
                return []
            return list(value) if isinstance(value, list) else [value]

        principal = data.get("Principal")
        principals: dict[str, list[Value]] | None = None
        if principal == "*":
            principals = {"AWS": ["*"]}
        elif isinstance(principal, dict):
            principals = {str(k): as_list(v) for k, v in principal.items()}
        return cls(
            effect=str(data.get("Effect", "Allow")),
            actions=[str(a) for a in as_list(data.get("Action"))],
            not_actions=[str(a) for a in as_list(data.get("NotAction"))],
            resources=as_list(data.get("Resource")),
            not_resources=as_list(data.get("NotResource")),
            principals=principals,
            conditions=dict(data.get("Condition") or {}),
            sid=str(data.get("Sid", "")),
            source=source or SourceRef(),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Effect": self.effect}
        if self.sid:
            out["Sid"] = self.sid
        if self.actions:
            out["Action"] = self.actions
        if self.not_actions:
            out["NotAction"] = self.not_actions
        if self.resources:
            out["Resource"] = [str(r) for r in self.resources]
        if self.not_resources:
            out["NotResource"] = [str(r) for r in self.not_resources]
        if self.conditions:
            out["Condition"] = self.conditions
        return out


@dataclass(slots=True)
class Policy:
    """A named set of statements: inline, customer-managed, or AWS-managed (``managed_arn``)."""

    name: str
    statements: list[Statement] = field(default_factory=list)
    managed_arn: str | None = None
    source: SourceRef = field(default_factory=SourceRef)


@dataclass(slots=True)
class Role:
    """An execution role and everything it grants."""

    logical_id: str
    name: Value = None
    arn: Value = None
    policies: list[Policy] = field(default_factory=list)
    source: SourceRef = field(default_factory=SourceRef)

    def statements(self) -> list[Statement]:
        return [s for p in self.policies for s in p.statements]


@dataclass(slots=True)
class Trigger:
    """An event source of a function.

    ``kind`` is one of: http-api, rest-api, websocket, alb, function-url, s3, sqs, sns, kinesis,
    dynamodb, kafka, mq, schedule, eventbridge, cloudwatch-logs, cognito, iot, alexa, lex, ses,
    appsync, config, secrets-manager, direct, other.
    """

    kind: str
    source_arn: Value = None  # queue/stream/topic/bucket ARN or name when known
    api_id: str | None = None  # logical id of the Api for HTTP triggers
    batch_size: int | None = None
    on_failure: Value = None  # destination or DLQ for async/stream sources
    report_batch_item_failures: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    source: SourceRef = field(default_factory=SourceRef)


@dataclass(slots=True)
class Route:
    """One HTTP route of an API; ``authorizer`` is None when the route is open."""

    method: str
    path: str
    authorizer: str | None = None  # "AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM", "JWT", or a name
    api_key_required: bool = False
    function: str | None = None  # logical id of the integrated function
    source: SourceRef = field(default_factory=SourceRef)


@dataclass(slots=True)
class Api:
    """An API Gateway REST/HTTP/WebSocket API (or ALB) in front of functions."""

    logical_id: str
    kind: str  # "rest", "http", "websocket", "alb"
    routes: list[Route] = field(default_factory=list)
    throttling: dict[str, Any] | None = None  # {"rate": .., "burst": ..} when declared
    usage_plan: bool = False
    cors: dict[str, Any] | None = None
    endpoint_type: str | None = None
    access_logging: bool | None = None
    tracing: bool | None = None  # X-Ray tracing on the stage (REST APIs); None = not stated
    cache: bool | None = None  # stage cache cluster enabled (REST APIs); None = not stated
    source: SourceRef = field(default_factory=SourceRef)


@dataclass(slots=True)
class FunctionUrl:
    auth_type: Value = "AWS_IAM"
    cors: dict[str, Any] | None = None
    source: SourceRef = field(default_factory=SourceRef)


@dataclass(slots=True)
class Permission:
    """A statement of a function's resource-based policy (``AWS::Lambda::Permission``, AddPermission)."""

    principal: Value
    action: str = "lambda:InvokeFunction"
    source_arn: Value = None
    source_account: Value = None
    function_url_auth_type: Value = None
    source: SourceRef = field(default_factory=SourceRef)


@dataclass(slots=True)
class Function:
    logical_id: str
    name: Value = None
    runtime: Value = None
    handler: Value = None
    code_path: str | None = None  # directory holding the handler's code, relative to the root
    environment: dict[str, Value] = field(default_factory=dict)
    environment_kms_key: Value = None
    timeout: int | None = None
    memory: int | None = None
    architecture: str = "x86_64"
    reserved_concurrency: int | None = None
    dlq: Value = None
    destinations: dict[str, Value] = field(default_factory=dict)  # {"on_failure": arn, ...}
    tracing: bool | None = None
    vpc: dict[str, Any] | None = None
    layers: list[Value] = field(default_factory=list)
    url: FunctionUrl | None = None
    code_signing: Value = None
    role: Role | None = None
    triggers: list[Trigger] = field(default_factory=list)
    permissions: list[Permission] = field(default_factory=list)
    tags: dict[str, Value] = field(default_factory=dict)
    log_group: Value = None
    last_modified: str | None = None  # live accounts only
    protected: bool | None = None  # hullguard detected (layer/handler/wrapper); None = unknown
    source: SourceRef = field(default_factory=SourceRef)


@dataclass(slots=True)
class Resource:
    """Any other declared resource (bucket, table, queue, user pool...), kept for rules and ARNs."""

    logical_id: str
    type: str  # CloudFormation type name, e.g. "AWS::S3::Bucket" (Terraform types are mapped)
    properties: dict[str, Value] = field(default_factory=dict)
    source: SourceRef = field(default_factory=SourceRef)


@dataclass(slots=True)
class Application:
    """Everything one deployable app (or one account/region) consists of."""

    name: str
    root: str  # scanned directory (absolute) or "aws://account/region"
    format: str  # "serverless", "sam", "cloudformation", "terraform", "live"
    template: str = ""  # file relative to the scanned root
    functions: list[Function] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    apis: list[Api] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    region: Value = None
    account: Value = None
    problems: list[str] = field(default_factory=list)  # what the loader could not read, with file:line
    # Declared suppressions (template Metadata / config): {"rule_id", "reason", "logical_id", "file", "line"}.
    suppressions: list[dict[str, Any]] = field(default_factory=list)
    # Every file the app was read from (template and the files it includes), relative to the scanned root.
    files: list[str] = field(default_factory=list)

    def function(self, logical_id: str) -> Function | None:
        return next((f for f in self.functions if f.logical_id == logical_id), None)

    def resources_of_type(self, type_name: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_name]
