"""CloudFormation and SAM templates (CDK output included) -> ``Application``.

SAM resources are read as written (events, auth, globals) so every finding points at the line the
author wrote; only the execution roles come from AWS's own ``aws-sam-translator``, which expands
policy templates such as ``DynamoDBCrudPolicy`` into the real statements.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from hullguard.model.app import Application, Resource, SourceRef, Unknown
from hullguard.scanner.loaders.cfn_build import TemplateBuilder
from hullguard.scanner.loaders.common import Problem
from hullguard.scanner.loaders.yamlfile import TemplateError, read_template

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
GENERIC_STEMS = {"template", "main", "stack", "cloudformation", "sam", "packaged", "infra", "infrastructure"}


def load_cloudformation(path: Path, root: Path, problems: list[Problem]) -> Application | None:
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    try:
        data = read_template(path)
    except TemplateError as exc:
        problems.append(Problem(rel, exc.line, str(exc)))
        return None
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        problems.append(Problem(rel, None, "not a CloudFormation template: no Resources mapping"))
        return None
    is_sam = _is_sam(data)
    app = Application(
        name=_app_name(path, root),
        root=str(root),
        format="sam" if is_sam else "cloudformation",
        template=rel,
    )
    app.files = [rel]
    translated = _translate_sam(data, rel, problems) if is_sam else None
    TemplateBuilder(app, data, rel, path.parent, root, problems, translated).build()
    _collect_metadata_suppressions(app, data, rel)
    return app


def template_builder(
    app: Application, data: dict[str, Any], rel: str, base: Path, root: Path, problems: list[Problem]
) -> TemplateBuilder:
    """A builder for a template embedded in another format (serverless.yml ``resources``): the caller
    runs ``index_all``, adds its own functions, then ``link_all``."""
    _collect_metadata_suppressions(app, data, rel)
    return TemplateBuilder(app, data, rel, base, root, problems, None)


def _is_sam(data: dict[str, Any]) -> bool:
    transform = data.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    if SAM_TRANSFORM in transforms:
        return True
    resources = data.get("Resources") or {}
    return any(
        isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::Serverless::") for r in resources.values()
    )


def _app_name(path: Path, root: Path) -> str:
    """``orders/template.yaml`` -> ``orders``; ``cdk.out/Orders.template.json`` -> ``Orders``."""
    if path.name.endswith(".template.json"):
        return path.name[: -len(".template.json")]
    if path.stem in GENERIC_STEMS:
        return path.resolve().parent.name
    return path.stem


def _translate_sam(data: dict[str, Any], rel: str, problems: list[Problem]) -> dict[str, Any] | None:
    """Expand the template with aws-sam-translator; None (and a problem) when it refuses."""
    try:
        from samtranslator.model.exceptions import InvalidDocumentException
        from samtranslator.parser.parser import Parser
        from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader  # noqa: F401
        from samtranslator.translator.translator import Translator
    except ImportError:
        problems.append(Problem(rel, None, "aws-sam-translator is not installed; SAM policy templates not expanded"))
        return None
    template = _roles_only(_plain(data))
    template.setdefault("Transform", SAM_TRANSFORM)
    _replace_local_artifacts(template)
    # Stages and copied services repeat one template: translate each distinct text once per process.
    key = json.dumps(template, sort_keys=True, default=str)
    if key in _TRANSLATED:
        return copy.deepcopy(_TRANSLATED[key])
    parameters = {
        "AWS::Region": "us-east-1",
        "AWS::AccountId": "123456789012",
        "AWS::Partition": "aws",
        "AWS::StackName": "stack",
        "AWS::StackId": "stack-id",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::NotificationARNs": [],
    }
    try:
        from samtranslator.translator.arn_generator import ArnGenerator

        # Without a region the translator asks boto for one; a scan must not depend on AWS config.
        ArnGenerator.BOTO_SESSION_REGION_NAME = "us-east-1"
        _share_policy_template_processor()
        from samtranslator.metrics.metrics import Metrics

        metrics = Metrics()
        translator = Translator(_managed_policy_map(), Parser(), boto_session=_offline_session(), metrics=metrics)
        try:
            out = translator.translate(
                template, parameter_values=parameters, get_managed_policy_map=_managed_policy_map
            )
        finally:
            metrics.publish()  # to the translator's no-op publisher; silences its exit-time warning
    except InvalidDocumentException as exc:
        causes = "; ".join(str(c) for c in exc.causes)[:400]
        problems.append(Problem(rel, None, f"SAM translation failed ({causes}); policies read without expansion"))
        return None
    except Exception as exc:
        problems.append(
            Problem(rel, None, f"SAM translation failed ({type(exc).__name__}: {exc}); policies read without expansion")
        )
        return None
    if not isinstance(out, dict):
        return None
    if len(_TRANSLATED) >= _TRANSLATED_MAX:
        _TRANSLATED.pop(next(iter(_TRANSLATED)))
    _TRANSLATED[key] = copy.deepcopy(out)
    return out


_TRANSLATED: dict[str, dict[str, Any]] = {}
_TRANSLATED_MAX = 256


@lru_cache(maxsize=1)
def _share_policy_template_processor() -> None:
    """The translator builds (and JSON-schema-validates) its policy template library for every template,
    ~0.1 s each; the library never changes during a scan, so build it once and hand out that one."""
    from samtranslator.plugins.policies.policy_templates_plugin import PolicyTemplatesForResourcePlugin
    from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor
    from samtranslator.translator import translator as sam_translator

    processor = PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())
    if hasattr(sam_translator, "make_policy_template_for_function_plugin"):
        sam_translator.make_policy_template_for_function_plugin = lambda: PolicyTemplatesForResourcePlugin(processor)


@lru_cache(maxsize=1)
def _offline_session() -> Any:
    """A boto3 session that only names a region: the translator reads it, nothing calls AWS."""
    import boto3

    return boto3.session.Session(region_name="us-east-1", aws_access_key_id="offline", aws_secret_access_key="offline")  # noqa: S106 - placeholder, never sent


@lru_cache(maxsize=1)
def _managed_policy_map() -> dict[str, str]:
    from hullguard.scanner.data import managed_policies

    return {name: str(entry["arn"]) for name, entry in managed_policies().items()}


_LOCAL_ARTIFACT_KEYS = ("CodeUri", "ContentUri", "DefinitionUri")
# Event sources whose SAM expansion adds permissions to the function's own role (the others add
# resource-based permissions or APIs, which are read from the template as written).
_ROLE_EVENTS = {"SQS", "Kinesis", "DynamoDB", "MSK", "MQ", "SelfManagedKafka", "DocumentDB"}
_ROLE_RESOURCES = {"AWS::Serverless::Function", "AWS::Serverless::Connector"}


def _roles_only(template: dict[str, Any]) -> dict[str, Any]:
    """The part of a SAM template that decides execution roles: functions (with the events that add
    role policies) and connectors. Translating only that is several times faster on big templates."""
    resources = {}
    for logical_id, body in (template.get("Resources") or {}).items():
        if not isinstance(body, dict) or body.get("Type") not in _ROLE_RESOURCES:
            continue
        props = body.get("Properties")
        if body.get("Type") == "AWS::Serverless::Function" and isinstance(props, dict):
            events = props.get("Events")
            if isinstance(events, dict):
                kept = {k: e for k, e in events.items() if isinstance(e, dict) and e.get("Type") in _ROLE_EVENTS}
                props = {**props, "Events": kept} if kept else {k: v for k, v in props.items() if k != "Events"}
            props = {
                k: v
                for k, v in props.items()
                if k
                not in ("FunctionUrlConfig", "AutoPublishAlias", "DeploymentPreference", "ProvisionedConcurrencyConfig")
            }
            body = {**body, "Properties": props}
        resources[logical_id] = body
    globals_ = template.get("Globals")
    out = {k: v for k, v in template.items() if k not in ("Resources", "Globals", "Outputs")}
    out["Resources"] = resources
    if isinstance(globals_, dict) and isinstance(globals_.get("Function"), dict):
        function_globals = {
            k: v
            for k, v in globals_["Function"].items()
            if k not in ("FunctionUrlConfig", "AutoPublishAlias", "DeploymentPreference")
        }
        out["Globals"] = {"Function": function_globals}
    return out


def _replace_local_artifacts(template: dict[str, Any]) -> None:
    """Local paths are only valid after `sam package`; the translator wants S3 URIs, so give it one."""
    scopes = [g for g in (template.get("Globals") or {}).values() if isinstance(g, dict)]
    for body in (template.get("Resources") or {}).values():
        if isinstance(body, dict) and isinstance(body.get("Properties"), dict):
            scopes.append(body["Properties"])
    for props in scopes:
        for key in _LOCAL_ARTIFACT_KEYS:
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = "s3://local-artifact/code.zip"


def _plain(value: Any) -> Any:
    """LineDicts back to plain dicts (the translator copies and compares types)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _collect_metadata_suppressions(app: Application, data: dict[str, Any], rel: str) -> None:
    """``Metadata: {hullguard: {suppress: [{id: HG-..., reason: ...}]}}`` on a resource or the template."""
    resources = data.get("Resources") or {}
    scopes: list[tuple[str | None, Any, int | None]] = [(None, data.get("Metadata"), None)]
    for logical_id, body in resources.items():
        if isinstance(body, dict):
            line = getattr(resources, "lines", {}).get(logical_id)
            scopes.append((logical_id, body.get("Metadata"), line))
    for logical_id, metadata, line in scopes:
        if not isinstance(metadata, dict):
            continue
        block = metadata.get("hullguard")
        entries = block.get("suppress") if isinstance(block, dict) else None
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            rule_id = entry.get("id") or entry.get("rule")
            reason = entry.get("reason")
            app.suppressions.append(
                {
                    "rule_id": str(rule_id or ""),
                    "reason": str(reason).strip() if isinstance(reason, str) else "",
                    "logical_id": logical_id,
                    "file": rel,
                    "line": getattr(entry, "line", line),
                }
            )


def unknown_resource(logical_id: str, type_name: str, source: SourceRef) -> Resource:
    return Resource(
        logical_id=logical_id, type=type_name or "Unknown", properties={"_type": Unknown(type_name)}, source=source
    )
