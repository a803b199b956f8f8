"""AWS Config custom-rule handler: ``hullguard.cloud.config_rules.handler.handler``.

One function serves every hullguard Config rule; each ``AWS::Config::ConfigRule`` names the rule it
runs in its input parameters (``{"rules": "HG-AUDIT-002"}``). Understood messages:

- ``ConfigurationItemChangeNotification``: the changed function is evaluated;
- ``OversizedConfigurationItemChangeNotification``: the item is too large to ship, so it is read back
  with ``GetResourceConfigHistory``;
- ``ScheduledNotification``: every function of the region is evaluated;
- ``eventLeftScope`` or a deleted item: ``NOT_APPLICABLE``.

Rules judge the region as the collectors see it (a shared role needs the other functions), so the
handler collects the region with the same code as ``hullguard audit`` and reports each function.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import boto3

from hullguard.cloud.collectors.facts import LiveRegion
from hullguard.cloud.config_rules.evaluations import Evaluation, parse_time, put_evaluations
from hullguard.cloud.coverage import Coverage
from hullguard.cloud.rules import RULES, RuleContext, rule_by_id
from hullguard.cloud.session import Target, client_config

log = logging.getLogger("hullguard.config_rules")
DELETED = {"ResourceDeleted", "ResourceDeletedNotRecorded", "ResourceNotRecorded"}
LAMBDA_TYPE = "AWS::Lambda::Function"

Collector = Callable[[Target, str, Coverage], LiveRegion]


def _default_collector(target: Target, region: str, coverage: Coverage) -> LiveRegion:
    from hullguard.cloud.collectors.iam import IamCollector
    from hullguard.cloud.collectors.lambda_ import LambdaCollector

    return LambdaCollector(target, region, IamCollector(target, coverage), coverage, workers=8).collect()


def configuration_item(invoking: dict[str, Any], config_client: Any) -> dict[str, Any] | None:
    """The item the notification is about; oversized items are fetched from the history API."""
    kind = invoking.get("messageType")
    if kind == "ConfigurationItemChangeNotification":
        item = invoking.get("configurationItem")
        return dict(item) if isinstance(item, dict) else None
    if kind == "OversizedConfigurationItemChangeNotification":
        summary = invoking.get("configurationItemSummary") or {}
        answer = config_client.get_resource_config_history(
            resourceType=summary["resourceType"],
            resourceId=summary["resourceId"],
            laterTime=parse_time(summary.get("configurationItemCaptureTime")),
            limit=1,
        )
        items = answer.get("configurationItems") or []
        if not items:
            return None
        item = dict(items[0])
        # The history API returns the configuration as a JSON string; the notification as an object.
        if isinstance(item.get("configuration"), str):
            try:
                item["configuration"] = json.loads(item["configuration"])
            except json.JSONDecodeError:
                item["configuration"] = {}
        return item
    return None


def evaluate_event(
    event: dict[str, Any],
    session: boto3.Session | None = None,
    collector: Collector = _default_collector,
) -> list[Evaluation]:
    """Evaluations for one Config rule invocation (not yet sent)."""
    invoking = json.loads(event["invokingEvent"])
    params = json.loads(event.get("ruleParameters") or "{}")
    wanted = [r.strip() for r in str(params.get("rules", "")).split(",") if r.strip()]
    rules = [rule_by_id(r) for r in wanted] if wanted else [r for r in RULES if r.config_rule]
    unused_days = int(params.get("unusedDays", 0) or 0)
    trusted = frozenset(a.strip() for a in str(params.get("trustedLayerAccounts", "")).split(",") if a.strip())
    session = session or boto3.Session()
    region = str(session.region_name or "us-east-1")
    account = str(event.get("accountId") or invoking.get("awsAccountId") or "")
    kind = invoking.get("messageType")
    ordering = parse_time(invoking.get("notificationCreationTime"))

    only: str | None = None
    if kind in ("ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification"):
        config_client = session.client("config", region_name=region, config=client_config())
        item = configuration_item(invoking, config_client)
        if item is None:
            return []
        resource_id = str(item.get("resourceId") or item.get("resourceName") or "")
        resource_type = str(item.get("resourceType") or LAMBDA_TYPE)
        ordering = parse_time(item.get("configurationItemCaptureTime"))
        if (
            event.get("eventLeftScope")
            or item.get("configurationItemStatus") in DELETED
            or resource_type != LAMBDA_TYPE
        ):
            return [Evaluation(resource_id, "NOT_APPLICABLE", ordering, resource_type=resource_type)]
        configuration = item.get("configuration") or {}
        only = str(configuration.get("functionName") or item.get("resourceName") or resource_id)
    elif kind != "ScheduledNotification":
        log.warning("hullguard config rule: ignoring message type %r", kind)
        return []

    coverage = Coverage()
    target = Target(account, session)
    live = collector(target, region, coverage)
    if any(r.id == "HG-AUDIT-001" for r in rules) and kind == "ScheduledNotification":
        try:
            from hullguard.cloud.cloudtrail.console_lookup import mark_console_functions

            mark_console_functions(target, live, coverage)
        except ImportError:  # DuckDB not packaged with the function: console rule reports insufficient data
            coverage.add(account, region, "console lookup", "duckdb not installed", reason="error")
    if unused_days:
        from hullguard.cloud.collectors.usage import collect_invocations

        collect_invocations(target, live, unused_days, coverage)
    for gap in coverage.sorted():
        log.warning("hullguard config rule: %s", gap)

    ctx = RuleContext(unused_days=unused_days, trusted_layer_accounts=trusted)
    violations: dict[str, list[str]] = {}
    for rule in rules:
        for function, message, _detail in rule.check(live, ctx):
            if function is not None:
                violations.setdefault(str(function.name), []).append(f"{rule.id}: {message}")
    names = [str(f.name) for f in live.app.functions]
    if only is not None:
        if only not in names:
            return [Evaluation(only, "NOT_APPLICABLE", ordering)]
        names = [only]
    # A denied read means "compliant" cannot be claimed; an endpoint lacking an optional API does not.
    blocking = [g for g in coverage.gaps if g.reason in ("access-denied", "expired-credentials")]
    out: list[Evaluation] = []
    for name in names:
        if name in violations:
            out.append(Evaluation(name, "NON_COMPLIANT", ordering, "; ".join(violations[name])))
        elif blocking:
            out.append(Evaluation(name, "INSUFFICIENT_DATA", ordering, str(blocking[0])))
        else:
            out.append(Evaluation(name, "COMPLIANT", ordering))
    return out


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point for every hullguard AWS Config rule."""
    session = boto3.Session()
    evaluations = evaluate_event(event, session)
    config_client = session.client("config", config=client_config())
    calls = put_evaluations(config_client, evaluations, str(event.get("resultToken", "")))
    counts: dict[str, int] = {}
    for evaluation in evaluations:
        counts[evaluation.compliance] = counts.get(evaluation.compliance, 0) + 1
    return {"evaluations": len(evaluations), "put_calls": calls, "compliance": counts}
