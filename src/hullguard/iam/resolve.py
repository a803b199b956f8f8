"""From API calls to (IAM action, resource ARN) needs, through the template's environment.

Values read from the environment are replaced by what the template sets them to, as the loader
resolved it: literals, ``${Logical}`` / ``${Logical.Attr}`` references (CloudFormation ``!Ref`` /
``!GetAtt``, kept in ``Fn::Sub`` syntax), or ``Unknown`` (Terraform expressions, ``${ssm:...}``).
ARNs use ``${AWS::Partition}``, ``${AWS::Region}`` and ``${AWS::AccountId}``; nothing is looked
up in a live account. What cannot be known becomes the narrowest wildcard, and a ``Note`` says
where and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from hullguard.iam.calls import ApiCall, EnvVar, Note, Sym, Wild
from hullguard.iam.operations import ServiceCatalog
from hullguard.model.app import Application, Function, Resource, Unknown

PARTITION, REGION, ACCOUNT = "${AWS::Partition}", "${AWS::Region}", "${AWS::AccountId}"

# What !Ref returns for a resource type: "name", "arn", "url" (SQS) or "id".
REF_RETURNS = {
    "AWS::S3::Bucket": "name", "AWS::DynamoDB::Table": "name", "AWS::DynamoDB::GlobalTable": "name",
    "AWS::Serverless::SimpleTable": "name", "AWS::SQS::Queue": "url", "AWS::SNS::Topic": "arn",
    "AWS::Lambda::Function": "name", "AWS::Serverless::Function": "name", "AWS::StepFunctions::StateMachine": "arn",
    "AWS::Serverless::StateMachine": "arn", "AWS::SecretsManager::Secret": "arn", "AWS::SSM::Parameter": "name",
    "AWS::Kinesis::Stream": "name", "AWS::KinesisFirehose::DeliveryStream": "name", "AWS::Events::EventBus": "name",
    "AWS::KMS::Key": "id", "AWS::KMS::Alias": "name", "AWS::Cognito::UserPool": "id", "AWS::Logs::LogGroup": "name",
    "AWS::ApiGatewayV2::Api": "id", "AWS::IoT::TopicRule": "name",
}
_REF = re.compile(r"^\$\{([A-Za-z0-9_:.\-]+)\}$")
_TF_REF = re.compile(r"^(?:data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_\-]+(?:\[[^\]]*\])?\.[a-z_]+$")


def intrinsic_text(value: object) -> str | None:
    """A CloudFormation intrinsic the loader left as JSON, in ``Fn::Sub`` text form when it can be."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref" and isinstance(arg, str):
            return "${" + arg + "}"
        if key == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
                return "${" + f"{parts[0]}.{parts[1]}" + "}"
        if key == "Fn::Sub" and isinstance(arg, str):
            return arg
    return None


@dataclass(frozen=True, slots=True)
class Need:
    """One permission a function needs: ``action`` on ``resource``, and why."""

    action: str
    resource: str
    reason: str  # "handler.py:12 PutObject", "platform: logs"
    review: bool = False  # inferred from a call chosen at run time: its statement is marked for a reviewer


class Resolver:
    """Resolves one function's calls; keeps the notes of what it could not resolve."""

    def __init__(self, app: Application | None, function: Function, services: ServiceCatalog):
        self.app = app
        self.function = function
        self.catalog = services
        self.notes: list[Note] = []
        self.resources: dict[str, Resource] = {r.logical_id: r for r in (app.resources if app else [])}
        self.function_ids = {f.logical_id for f in (app.functions if app else [])}
        self.athena_workgroups: set[str] = set()

    def prepare(self, calls: list[ApiCall]) -> None:
        """Facts one call needs from another call of the same function (Athena query workgroups)."""
        for call in calls:
            if call.service == "athena" and call.operation == "StartQueryExecution":
                self.athena_workgroups.add(self.text(call.params.get("WorkGroup"), call, "WorkGroup")
                                           if "WorkGroup" in call.params else "primary")

    # -- values ------------------------------------------------------------------------
    def text(self, sym: Sym | None, call: ApiCall | None, what: str) -> str:
        """The value as ARN text: environment substituted, unknown parts as ``*``."""
        if sym is None:
            return "*"
        out: list[str] = []
        for part in sym.parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, EnvVar):
                out.append(self._env(part, call, what))
            elif isinstance(part, Wild):
                self._note(call, f"{what}: {part.what or 'a value'} is only known at run time; using *")
                out.append("*")
        return re.sub(r"\*+", "*", "".join(out))

    def _env(self, var: EnvVar, call: ApiCall | None, what: str) -> str:
        env = self.function.environment
        if var.name not in env:
            if var.default is not None:
                return self.text(var.default, call, what)
            self._note(call, f"{what}: environment variable {var.name} is not set in the template; using *")
            return "*"
        value = env[var.name]
        if isinstance(value, Unknown):
            if _TF_REF.match(value.expr):
                return "${" + value.expr + "}"
            self._note(call, f"{what}: environment variable {var.name} = {value.expr} cannot be resolved; using *")
            return "*"
        if isinstance(value, (dict, list)):
            text = intrinsic_text(value)
            if text is None:
                self._note(call, f"{what}: environment variable {var.name} is not a string; using *")
                return "*"
            return text
        return str(value)

    def _note(self, call: ApiCall | None, message: str) -> None:
        note = Note(call.file if call else self.function.source.file, call.line if call else
                    (self.function.source.line or 0), message)
        if note not in self.notes:
            self.notes.append(note)

    def reference(self, value: str) -> tuple[str, str, str] | None:
        """``${Logical}`` / ``${Logical.Attr}`` / ``${aws_x.y.attr}`` -> (target, attribute, what it returns)."""
        match = _REF.match(value)
        if not match:
            return None
        inner = match.group(1)
        if inner.startswith("AWS::"):
            return None
        if _TF_REF.match(inner):
            target, attr = inner.rsplit(".", 1)
            kind = {"arn": "arn", "url": "url", "name": "name", "id": "id"}.get(attr, "name")
            if target.startswith("aws_sqs_queue.") and attr == "id":
                kind = "url"
            return target, attr, kind
        target, _, attr = inner.partition(".")
        resource = self.resources.get(target)
        if attr:
            return target, attr, "arn" if attr.lower().endswith("arn") else "name"
        if resource is not None:
            return target, "", REF_RETURNS.get(resource.type, "name")
        if target in self.function_ids:
            return target, "", "name"
        return target, "", "name"

    def as_arn(self, value: str) -> str | None:
        """The ARN a value denotes, when it is one (a literal ARN or a reference that returns one)."""
        if value.startswith("arn:"):
            return value
        ref = self.reference(value)
        if ref is None:
            return None
        target, _attr, kind = ref
        if kind == "arn":
            return value
        if _TF_REF.match(f"{target}.x"):
            return "${" + target + ".arn}"
        if kind in ("url",) or (kind == "name" and target in self.resources
                                and self.resources[target].type in ("AWS::SQS::Queue",)):
            return "${" + target + ".Arn}"
        return None

    # -- building ARNs ---------------------------------------------------------------------
    def needs(self, call: ApiCall) -> list[Need]:
        reason = f"{call.where()} {call.operation}" + (f" ({call.via})" if call.via else "")
        if call.actions is not None:
            needs = [(a, "") for a in call.actions]
        else:
            needs = [(n.action, n.role) for n in self.catalog.needs(call.service, call.operation)]
        needs += [(a, "") for a in call.extra_actions]
        out: list[Need] = []
        review = bool(call.dynamic)
        for action, role in needs:
            if action.endswith(":*"):
                out.extend(Need(action, r, reason, review) for r in self.service_wildcard_resources(call, action))
                continue
            if not self.catalog.is_known_action(action):
                self._note(call, f"{action} is not in the IAM dataset (unknown operation or new action)")
            for resource in self.resources_for(call, action, role):
                out.append(Need(action, resource, reason, review))
        out.extend(self._dependent(call, reason))
        return out

    def resources_for(self, call: ApiCall, action: str, role: str) -> list[str]:
        info = self.catalog.dataset.action(action)
        if info is not None and info.needs_wildcard_resource:
            return ["*"]
        builder = _BUILDERS.get(call.service)
        if builder is not None:
            built = builder(self, call, action, role)
            if built:
                return built
        for key, sym in call.params.items():  # any parameter that is an ARN of the right service
            value = self.text(sym, None, key) if not sym.is_wild else ""
            arn = self.as_arn(value) if value else None
            if arn and (arn.startswith("${") or arn.split(":")[2] == action.split(":")[0]):
                return [arn]
        self._note(call, f"resource of {action} could not be determined; using *")
        return ["*"]

    def service_wildcard_resources(self, call: ApiCall, action: str) -> list[str]:
        """Resources for ``service:*`` (a method chosen at run time): every resource the call's
        parameters name for any action of the service, never ``*`` unless none can be named."""
        prefix = action.split(":", 1)[0].lower()
        builder = _BUILDERS.get(call.service)
        found: dict[str, None] = {}
        if builder is not None:
            for info in self.catalog.dataset.actions.values():
                if info.service.lower() == prefix and not info.needs_wildcard_resource:
                    found.update(dict.fromkeys(r for r in builder(self, call, info.name, "") if r != "*"))
        if not found:
            self._note(call, f"{action}: no resource could be named from the call's parameters; using *")
            return ["*"]
        return sorted(found)

    def _dependent(self, call: ApiCall, reason: str) -> list[Need]:
        """Permissions a call needs on other resources (RDS Data API reads the secret)."""
        out: list[Need] = []
        if call.service == "rds-data" and "secretArn" in call.params:
            secret = self.text(call.params["secretArn"], call, "secretArn")
            out.append(Need("secretsmanager:GetSecretValue", self.as_arn(secret) or secret_arn(secret), reason))
        return out

    def arn(self, service: str, rest: str, region: bool = True, account: bool = True) -> str:
        return f"arn:{PARTITION}:{service}:{REGION if region else ''}:{ACCOUNT if account else ''}:{rest}"

    def param(self, call: ApiCall, *names: str) -> str | None:
        for name in names:
            if name in call.params:
                return self.text(call.params[name], call, name)
        return None


def secret_arn(name: str) -> str:
    return f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-??????"


def _s3(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    info = r.catalog.dataset.action(action)
    types = set(info.resource_types) if info else set()
    if role == "source":
        source = r.param(call, "CopySource") or "*"
        return [f"arn:{PARTITION}:s3:::{source.lstrip('/')}" if "/" in source else f"arn:{PARTITION}:s3:::*/*"]
    bucket = r.param(call, "Bucket") or "*"
    bucket_arn = r.as_arn(bucket)
    base = bucket_arn or f"arn:{PARTITION}:s3:::{bucket}"
    if "object" in types:
        key = r.param(call, "Key")
        if key is None:
            key = "*"
        return [f"{base}/{key}"]
    if "bucket" in types:
        return [base]
    return []


def _dynamodb(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    table = r.param(call, "TableName", "TableArn", "ResourceArn")
    stream = r.param(call, "StreamArn")
    if stream is not None:
        return [r.as_arn(stream) or r.arn("dynamodb", "table/*/stream/*")]
    if table is None:
        return []
    arn = r.as_arn(table) or r.arn("dynamodb", f"table/{table}")
    index = r.param(call, "IndexName")
    if index is not None and action in ("dynamodb:Query", "dynamodb:Scan"):
        return [f"{arn}/index/{index}"]
    if action.startswith("dynamodb:PartiQL"):
        return [arn, f"{arn}/index/*"] if "*" not in arn else [arn]
    return [arn]


def _sqs(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    value = r.param(call, "QueueUrl", "QueueName")
    if value is None:
        return []
    arn = r.as_arn(value)
    if arn:
        return [arn]
    match = re.match(r"^https?://[^/]+/([^/]+)/([^/?]+)", value)
    if match:
        account = match.group(1) if match.group(1).isdigit() else ACCOUNT
        region = re.search(r"sqs\.([a-z0-9-]+)\.amazonaws", value)
        return [f"arn:{PARTITION}:sqs:{region.group(1) if region else REGION}:{account}:{match.group(2)}"]
    name = value.rsplit("/", 1)[-1] if "/" in value else value
    return [r.arn("sqs", name)]


def _sns(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    value = r.param(call, "TopicArn", "TargetArn")
    if value is None:
        if "PhoneNumber" in call.params:
            return ["*"]
        return []
    return [r.as_arn(value) or r.arn("sns", value.rsplit(":", 1)[-1])]


def _lambda(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    value = r.param(call, "FunctionName")
    if value is None:
        return []
    arn = r.as_arn(value)
    if arn:
        return [arn]
    ref = r.reference(value)
    target = ref[0] if ref else value
    if target in r.function_ids or (target in r.resources and r.resources[target].type in (
            "AWS::Lambda::Function", "AWS::Serverless::Function")):
        return ["${" + target + ".Arn}"]
    return [r.arn("lambda", f"function:{value}")]


def _states(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    value = r.param(call, "stateMachineArn", "executionArn")
    if value is None:
        return []
    arn = r.as_arn(value) or r.arn("states", f"stateMachine:{value}")
    if "executionArn" in call.params and "stateMachineArn" not in call.params:
        return [arn]
    return [arn]


def _secrets(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    value = r.param(call, "SecretId")
    if value is None:
        return []
    return [r.as_arn(value) or secret_arn(value)]


def _ssm(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    name = r.param(call, "Name")
    path = r.param(call, "Path")
    if name is not None:
        return [r.as_arn(name) or r.arn("ssm", f"parameter/{name.lstrip('/')}")]
    if path is not None:
        clean = path.strip("/")
        return [r.arn("ssm", f"parameter/{clean}"), r.arn("ssm", f"parameter/{clean}/*")]
    if "Names" in call.params:
        return [r.arn("ssm", "parameter/*")]
    return []


def _kinesis(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    arn = r.param(call, "StreamARN")
    if arn is not None:
        return [r.as_arn(arn) or arn]
    name = r.param(call, "StreamName")
    return [r.arn("kinesis", f"stream/{name}")] if name is not None else []


def _firehose(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    name = r.param(call, "DeliveryStreamName")
    return [r.arn("firehose", f"deliverystream/{name}")] if name is not None else []


def _events(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    bus = r.param(call, "EventBusName", "Entries.EventBusName") or "default"
    return [r.as_arn(bus) or r.arn("events", f"event-bus/{bus}")]


def _kms(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    key = r.param(call, "KeyId")
    if key is None:
        return []
    arn = r.as_arn(key)
    if arn:
        return [arn]
    if key.startswith("alias/"):
        r._note(call, f"{action} with alias {key}: the key behind an alias is not known statically; using key/*")
        return [r.arn("kms", "key/*")]
    return [r.arn("kms", f"key/{key}")]


def _logs(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    group = r.param(call, "logGroupName")
    return [r.arn("logs", f"log-group:{group}:*")] if group is not None else []


def _cognito(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    pool = r.param(call, "UserPoolId")
    return [r.arn("cognito-idp", f"userpool/{pool}")] if pool is not None else []


def _ses(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    source = r.param(call, "Source", "FromEmailAddress")
    if source is None or "*" in source:
        return [r.arn("ses", "identity/*")]
    address = source.rsplit("<", 1)[-1].rstrip(">").strip()
    domain = address.split("@", 1)[-1]
    return [r.arn("ses", f"identity/{address}"), r.arn("ses", f"identity/{domain}")]


def _execute_api(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    method = {"PostToConnection": "POST", "GetConnection": "GET", "DeleteConnection": "DELETE"}.get(
        call.operation, "*")
    return [r.arn("execute-api", f"*/*/{method}/@connections/*")]


def _iot(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    topic = r.param(call, "topic")
    if topic is not None:
        return [r.arn("iot", f"topic/{topic}")]
    thing = r.param(call, "thingName")
    return [r.arn("iot", f"thing/{thing}")] if thing is not None else []


def _bedrock(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    model = r.param(call, "modelId")
    if model is None:
        return []
    return [r.as_arn(model) or f"arn:{PARTITION}:bedrock:{REGION}::foundation-model/{model}"]


def _sagemaker(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    name = r.param(call, "EndpointName")
    return [r.arn("sagemaker", f"endpoint/{name.lower()}")] if name is not None else []


def _rds_data(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    arn = r.param(call, "resourceArn")
    return [r.as_arn(arn) or arn] if arn is not None else []


def _athena(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    group = r.param(call, "WorkGroup")
    if group is not None:
        return [r.arn("athena", f"workgroup/{group}")]
    if call.operation in ("StartQueryExecution", "ListQueryExecutions"):
        return [r.arn("athena", "workgroup/primary")]  # the workgroup AWS uses when none is named
    # GetQueryResults & co. act on a query id: the workgroups the function starts queries in
    groups = sorted(r.athena_workgroups) or ["*"]
    return [r.arn("athena", f"workgroup/{g}") for g in groups]


def _glue(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    job = r.param(call, "JobName")
    return [r.arn("glue", f"job/{job}")] if job is not None else []


def _sts(r: Resolver, call: ApiCall, action: str, role: str) -> list[str]:
    arn = r.param(call, "RoleArn")
    return [r.as_arn(arn) or arn] if arn is not None else []


_BUILDERS: dict[str, Callable[[Resolver, ApiCall, str, str], list[str]]] = {
    "s3": _s3, "dynamodb": _dynamodb, "dynamodbstreams": _dynamodb, "sqs": _sqs, "sns": _sns, "lambda": _lambda,
    "stepfunctions": _states, "secretsmanager": _secrets, "ssm": _ssm, "kinesis": _kinesis, "firehose": _firehose,
    "events": _events, "kms": _kms, "logs": _logs, "cognito-idp": _cognito, "ses": _ses, "sesv2": _ses,
    "apigatewaymanagementapi": _execute_api, "iot-data": _iot, "bedrock-runtime": _bedrock,
    "sagemaker-runtime": _sagemaker, "rds-data": _rds_data, "athena": _athena, "glue": _glue, "sts": _sts,
}
