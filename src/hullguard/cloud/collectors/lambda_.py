"""Lambda collector: every function of one account and region as the shared application model.

Region-wide listings (functions, event source mappings, code signing configs) are paginated once;
the per-function reads (``GetFunction`` for tags and concurrency, ``GetPolicy``,
``GetFunctionUrlConfig``, ``GetFunctionEventInvokeConfig``) run on a bounded thread pool. A 404 means
"not configured"; any other error on one call is a coverage gap for that function, never a crash.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from hullguard.cloud.collectors.facts import FunctionFacts, LiveRegion, layer_account
from hullguard.cloud.collectors.iam import IamCollector
from hullguard.cloud.coverage import Coverage, is_not_found
from hullguard.cloud.protection import protection_signals
from hullguard.cloud.session import Target
from hullguard.cloud.triggers import mapping_trigger, policy_permissions
from hullguard.model.app import Application, Function, FunctionUrl, Role, SourceRef

Progress = Callable[[int, int], None]  # (functions described so far, functions listed so far)


def _unqualified(arn: str) -> str:
    """``arn:aws:lambda:r:a:function:name[:qualifier]`` -> name."""
    parts = str(arn).split(":")
    return parts[6] if len(parts) > 6 else str(arn)


class LambdaCollector:
    def __init__(
        self,
        target: Target,
        region: str,
        iam: IamCollector,
        coverage: Coverage,
        workers: int = 8,
        progress: Progress | None = None,
    ) -> None:
        self.target = target
        self.region = region
        self.iam = iam
        self.coverage = coverage
        self.workers = workers
        self.progress = progress
        self.client = target.client("lambda", region)

    def _gap(self, scope: str, exc: BaseException) -> None:
        self.coverage.add(self.target.account, self.region, scope, exc)

    def collect(self) -> LiveRegion:
        app = Application(
            name=f"{self.target.account}/{self.region}",
            root=f"aws://{self.target.account}/{self.region}",
            format="live",
            region=self.region,
            account=self.target.account,
        )
        live = LiveRegion(app)
        try:
            configs = [
                c for page in self.client.get_paginator("list_functions").paginate() for c in page.get("Functions", [])
            ]
        except (ClientError, BotoCoreError) as exc:
            self._gap("lambda:ListFunctions (whole region)", exc)
            return live
        mappings = self._mappings()
        signing = self._code_signing()
        roles: dict[str, Role] = {}
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="hg-lambda") as pool:
            results = list(pool.map(lambda c: self._describe(c, mappings, signing), configs))
        for done, (function, facts) in enumerate(results, start=1):
            if function.role is not None and function.role.arn:
                # One Role object per ARN, so rules see a shared role as shared.
                function.role = roles.setdefault(str(function.role.arn), function.role)
            app.functions.append(function)
            live.facts[str(function.name)] = facts
            if self.progress:
                self.progress(done, len(configs))
        app.roles = list(roles.values())
        return live

    def _mappings(self) -> dict[str, list[dict[str, Any]]]:
        by_function: dict[str, list[dict[str, Any]]] = defaultdict(list)
        try:
            for page in self.client.get_paginator("list_event_source_mappings").paginate():
                for mapping in page.get("EventSourceMappings", []):
                    by_function[_unqualified(mapping.get("FunctionArn", ""))].append(mapping)
        except (ClientError, BotoCoreError) as exc:
            self._gap("lambda:ListEventSourceMappings (stream/queue triggers unknown)", exc)
        return by_function

    def _code_signing(self) -> dict[str, str]:
        by_function: dict[str, str] = {}
        try:
            for page in self.client.get_paginator("list_code_signing_configs").paginate():
                for csc in page.get("CodeSigningConfigs", []):
                    arn = csc["CodeSigningConfigArn"]
                    pages = self.client.get_paginator("list_functions_by_code_signing_config").paginate(
                        CodeSigningConfigArn=arn
                    )
                    for fpage in pages:
                        for fn_arn in fpage.get("FunctionArns", []):
                            by_function[_unqualified(fn_arn)] = arn
        except (ClientError, BotoCoreError) as exc:
            self._gap("lambda:ListCodeSigningConfigs (code signing unknown)", exc)
        return by_function

    def _call(self, scope: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            if not is_not_found(exc):
                self._gap(scope, exc)
            return None

    def _describe(
        self, config: dict[str, Any], mappings: dict[str, list[dict[str, Any]]], signing: dict[str, str]
    ) -> tuple[Function, FunctionFacts]:
        name = str(config["FunctionName"])
        arn = str(config["FunctionArn"])
        full = self._call(f"lambda:GetFunction {name}", self.client.get_function, FunctionName=name) or {}
        policy = self._call(f"lambda:GetPolicy {name}", self.client.get_policy, FunctionName=name)
        url = self._call(f"lambda:GetFunctionUrlConfig {name}", self.client.get_function_url_config, FunctionName=name)
        invoke = self._call(
            f"lambda:GetFunctionEventInvokeConfig {name}",
            self.client.get_function_event_invoke_config,
            FunctionName=name,
        )
        environment = dict((config.get("Environment") or {}).get("Variables") or {})
        layers = [str(layer["Arn"]) for layer in config.get("Layers") or []]
        try:
            permissions, triggers = policy_permissions((policy or {}).get("Policy"), name)
        except ValueError as exc:
            self.coverage.add(self.target.account, self.region, f"lambda:GetPolicy {name}", f"unreadable policy: {exc}")
            permissions, triggers = [], []
        triggers.extend(mapping_trigger(m) for m in mappings.get(name, []))
        destinations: dict[str, Any] = {}
        for key, label in (("OnFailure", "on_failure"), ("OnSuccess", "on_success")):
            dest = ((invoke or {}).get("DestinationConfig") or {}).get(key, {}).get("Destination")
            if dest:
                destinations[label] = dest
        function = Function(
            logical_id=name,
            name=name,
            runtime=config.get("Runtime") or ("container-image" if config.get("PackageType") == "Image" else None),
            handler=config.get("Handler"),
            environment=environment,
            environment_kms_key=config.get("KMSKeyArn"),
            timeout=config.get("Timeout"),
            memory=config.get("MemorySize"),
            architecture=(config.get("Architectures") or ["x86_64"])[0],
            reserved_concurrency=(full.get("Concurrency") or {}).get("ReservedConcurrentExecutions"),
            dlq=(config.get("DeadLetterConfig") or {}).get("TargetArn"),
            destinations=destinations,
            tracing=(config.get("TracingConfig") or {}).get("Mode") == "Active",
            vpc=_vpc(config.get("VpcConfig")),
            layers=list(layers),
            url=FunctionUrl(auth_type=url.get("AuthType"), cors=url.get("Cors")) if url else None,
            code_signing=signing.get(name),
            role=self.iam.role(str(config["Role"])) if config.get("Role") else None,
            triggers=triggers,
            permissions=permissions,
            tags=dict(full.get("Tags") or {}),
            log_group=(config.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{name}",
            last_modified=config.get("LastModified"),
            source=SourceRef(logical_id=name),
        )
        signals = protection_signals(function.handler, layers, environment)
        function.protected = bool(signals)
        facts = FunctionFacts(
            arn=arn,
            package_type=str(config.get("PackageType", "Zip")),
            code_size=config.get("CodeSize"),
            state=config.get("State"),
            layer_accounts=sorted({a for a in (layer_account(x) for x in layers) if a}),
            protection_signals=signals,
        )
        return function, facts


def _vpc(config: dict[str, Any] | None) -> dict[str, Any] | None:
    if not config or not config.get("VpcId"):
        return None
    return {
        "vpc_id": config.get("VpcId"),
        "subnets": list(config.get("SubnetIds") or []),
        "security_groups": list(config.get("SecurityGroupIds") or []),
    }
