"""Resolve CloudFormation intrinsic functions as far as a template alone allows.

Parameters resolve to their defaults, pseudo parameters and resource attributes stay symbolic:
``!Sub "arn:aws:s3:::${Bucket}/*"`` keeps its placeholders (still an ARN shape, never ``*``),
while a value that depends on something unknowable (``!ImportValue``, a parameter without default)
becomes ``Unknown`` carrying the expression. Nothing here guesses a value into existence.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hullguard.model.app import Unknown

MAX_DEPTH = 40
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


_ARN = "arn:${AWS::Partition}:SERVICE:${AWS::Region}:${AWS::AccountId}:"
# What !GetAtt X.Arn means for common types: an ARN shape with the physical name kept symbolic
# (@ID@ is the logical id), so policies stay analysable ("table/${Orders}" is one table, not "*").
GETATT_ARN = {
    "AWS::DynamoDB::Table": _ARN.replace("SERVICE", "dynamodb") + "table/${@ID@}",
    "AWS::SQS::Queue": _ARN.replace("SERVICE", "sqs") + "${@ID@.QueueName}",
    "AWS::S3::Bucket": "arn:${AWS::Partition}:s3:::${@ID@}",
    "AWS::Kinesis::Stream": _ARN.replace("SERVICE", "kinesis") + "stream/${@ID@}",
    "AWS::Lambda::Function": _ARN.replace("SERVICE", "lambda") + "function:${@ID@}",
    "AWS::Serverless::Function": _ARN.replace("SERVICE", "lambda") + "function:${@ID@}",
    "AWS::IAM::Role": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${@ID@}",
    "AWS::KMS::Key": _ARN.replace("SERVICE", "kms") + "key/${@ID@}",
    "AWS::Logs::LogGroup": _ARN.replace("SERVICE", "logs") + "log-group:${@ID@}:*",
    "AWS::Events::EventBus": _ARN.replace("SERVICE", "events") + "event-bus/${@ID@}",
    "AWS::Cognito::UserPool": _ARN.replace("SERVICE", "cognito-idp") + "userpool/${@ID@}",
}
# Types whose Ref already is the ARN.
REF_IS_ARN = {
    "AWS::SNS::Topic": _ARN.replace("SERVICE", "sns") + "${@ID@.TopicName}",
    "AWS::SecretsManager::Secret": _ARN.replace("SERVICE", "secretsmanager") + "secret:${@ID@}",
    "AWS::StepFunctions::StateMachine": _ARN.replace("SERVICE", "states") + "stateMachine:${@ID@}",
    "AWS::Serverless::StateMachine": _ARN.replace("SERVICE", "states") + "stateMachine:${@ID@}",
    "AWS::IAM::ManagedPolicy": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/${@ID@}",
}


class Resolver:
    """Resolves values of one template: ``resolve(value)`` returns JSON data or ``Unknown``."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
        self.resources: dict[str, Any] = template.get("Resources") or {}
        if not isinstance(self.resources, dict):
            self.resources = {}
        self.parameters: dict[str, Any] = {}
        declared = template.get("Parameters") or {}
        if isinstance(declared, dict):
            for name, spec in declared.items():
                if isinstance(spec, dict) and "Default" in spec:
                    self.parameters[name] = spec["Default"]
        self.parameters.update(parameters or {})
        self.mappings: dict[str, Any] = template.get("Mappings") or {}

    def _type(self, logical_id: str) -> str:
        body = self.resources.get(logical_id)
        return str(body.get("Type", "")) if isinstance(body, dict) else ""

    def resolve(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            return Unknown("<nested too deep>")
        if isinstance(value, list):
            return [self.resolve(v, depth + 1) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key.startswith("Fn::"):
                return self._function(key[4:], arg, depth)
        out = type(value)() if isinstance(value, dict) else {}
        for k, v in value.items():
            out[k] = self.resolve(v, depth + 1)
        if hasattr(value, "lines"):
            out.lines = value.lines  # type: ignore[attr-defined]
            out.line = value.line  # type: ignore[attr-defined]
            out.file = getattr(value, "file", None)  # type: ignore[attr-defined]
        return out

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return Unknown(f"!Ref {name!r}")
        if name in self.parameters:
            return self.parameters[name]
        if name in self.resources:
            arn = REF_IS_ARN.get(self._type(name))
            if arn:
                return arn.replace("@ID@", name)
            return "${" + name + "}"  # a physical id only known at deploy time, kept symbolic
        if name.startswith("AWS::"):
            return "${" + name + "}"
        return Unknown(f"!Ref {name}")

    def _function(self, name: str, arg: Any, depth: int) -> Any:
        if name == "GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
                arn = GETATT_ARN.get(self._type(parts[0])) if parts[1] == "Arn" else None
                if arn:
                    return arn.replace("@ID@", parts[0])
                return "${" + f"{parts[0]}.{parts[1]}" + "}"
            return Unknown(f"!GetAtt {arg!r}")
        if name == "Sub":
            return self._sub(arg, depth)
        if name == "Join":
            if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
                items = self.resolve(arg[1], depth + 1)
                if isinstance(items, list) and all(isinstance(i, (str, int, float)) for i in items):
                    return arg[0].join(str(i) for i in items)
            return Unknown(f"!Join {_short(arg)}")
        if name == "If":
            # Both branches are possible at deploy time; the first is what a default deploy usually picks.
            if isinstance(arg, list) and len(arg) == 3:
                return self.resolve(arg[1], depth + 1)
            return Unknown(f"!If {_short(arg)}")
        if name == "FindInMap":
            if isinstance(arg, list) and len(arg) >= 3:
                keys = [self.resolve(a, depth + 1) for a in arg[:3]]
                try:
                    return self.resolve(self.mappings[keys[0]][keys[1]][keys[2]], depth + 1)
                except (KeyError, TypeError):
                    pass
            return Unknown(f"!FindInMap {_short(arg)}")
        if name == "Select":
            if isinstance(arg, list) and len(arg) == 2:
                items = self.resolve(arg[1], depth + 1)
                try:
                    return items[int(arg[0])]
                except (ValueError, TypeError, IndexError, KeyError):
                    pass
            return Unknown(f"!Select {_short(arg)}")
        return Unknown(f"!{name} {_short(arg)}")

    def _sub(self, arg: Any, depth: int) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            text = arg[0]
            if isinstance(arg[1], dict):
                variables = {k: self.resolve(v, depth + 1) for k, v in arg[1].items()}
        elif isinstance(arg, str):
            text = arg
        else:
            return Unknown(f"!Sub {_short(arg)}")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            value = variables.get(name, self.parameters.get(name))
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return str(value)
            return "${" + name + "}"

        return _SUB_VAR.sub(replace, text)


def ref_target(value: Any) -> str | None:
    """The logical id a ``Ref``/``GetAtt``/``Sub`` value points at, if it names exactly one."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref" and isinstance(arg, str):
            return arg
        if key == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list) and parts and isinstance(parts[0], str):
                return parts[0]
        if key == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) and arg else arg
            if isinstance(text, str):
                names = [m.split(".")[0] for m in _SUB_VAR.findall(text) if not m.startswith("AWS::")]
                if len(names) == 1:
                    return str(names[0])
    if isinstance(value, str) and value.startswith("${") and value.endswith("}") and value.count("${") == 1:
        return value[2:-1].split(".")[0]
    return None


def _short(value: Any) -> str:
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"
