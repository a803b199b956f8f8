"""The account-only rules. The first four are PureSec's ``lambda-config-rules``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from hullguard.cloud.collectors.facts import LiveRegion
from hullguard.cloud.rules.base import AccountRule, Hit, RuleContext
from hullguard.events.schema import Severity
from hullguard.model.app import Statement
from hullguard.model.finding import Finding

PURESEC = "https://github.com/puresec/lambda-config-rules"


def _console_created(live: LiveRegion, ctx: RuleContext) -> Iterable[Hit]:
    for function in live.app.functions:
        evidence = live.facts[str(function.name)].console_evidence
        if evidence:
            yield (
                function,
                f"{function.name} was created or changed from the AWS console: {evidence[0]}",
                {"evidence": evidence},
            )


def _shared_role(live: LiveRegion, ctx: RuleContext) -> Iterable[Hit]:
    users: dict[str, list[str]] = defaultdict(list)
    for function in live.app.functions:
        if function.role is not None and function.role.arn:
            users[str(function.role.arn)].append(str(function.name))
    for function in live.app.functions:
        if function.role is None or not function.role.arn:
            continue
        names = users[str(function.role.arn)]
        if len(names) > 1:
            others = sorted(n for n in names if n != function.name)
            yield (
                function,
                (
                    f"{function.name} shares its role {function.role.name} with {len(others)} other function(s): "
                    + ", ".join(others[:5])
                    + (" ..." if len(others) > 5 else "")
                ),
                {"resource": str(function.role.arn), "role": str(function.role.name), "shared_with": others},
            )


# Trigger kinds that are the same family for "several trigger types" (an API is an API).
_FAMILY = {"rest-api": "api", "http-api": "api", "websocket": "api", "function-url": "url", "schedule": "eventbridge"}


def _several_triggers(live: LiveRegion, ctx: RuleContext) -> Iterable[Hit]:
    for function in live.app.functions:
        kinds = sorted({_FAMILY.get(t.kind, t.kind) for t in function.triggers})
        if len(kinds) > 1:
            yield (
                function,
                f"{function.name} is triggered by {len(kinds)} kinds of sources: {', '.join(kinds)}",
                {"trigger_kinds": kinds},
            )


def wildcard_actions(statement: Statement) -> list[str]:
    """The actions of an Allow statement that grant more than one named action, including NotAction."""
    if statement.effect != "Allow":
        return []
    found = [a for a in statement.actions if "*" in a]
    if statement.not_actions:
        found.append("NotAction: " + ", ".join(statement.not_actions))
    return found


def _wildcard_permissions(live: LiveRegion, ctx: RuleContext) -> Iterable[Hit]:
    for function in live.app.functions:
        if function.role is None:
            continue
        wild: list[str] = []
        policies: list[str] = []
        for policy in function.role.policies:
            for statement in policy.statements:
                found = wildcard_actions(statement)
                if found:
                    wild.extend(found)
                    policies.append(policy.managed_arn or policy.name)
        if wild:
            unique = sorted(set(wild))
            yield (
                function,
                (f"{function.name}'s role {function.role.name} allows wildcard actions: " + ", ".join(unique[:6])),
                {
                    "resource": str(function.role.arn),
                    "role": str(function.role.name),
                    "actions": unique,
                    "policies": sorted(set(policies)),
                },
            )


def _cross_account_layers(live: LiveRegion, ctx: RuleContext) -> Iterable[Hit]:
    for function in live.app.functions:
        facts = live.facts[str(function.name)]
        foreign = [a for a in facts.layer_accounts if a != live.account and a not in ctx.trusted_layer_accounts]
        if foreign:
            layers = [str(x) for x in function.layers if any(f":{a}:" in str(x) for a in foreign)]
            yield (
                function,
                (
                    f"{function.name} runs code from layers owned by other accounts ({', '.join(foreign)}): "
                    + ", ".join(layers)
                ),
                {"layers": layers, "accounts": foreign},
            )


def _public_policy(live: LiveRegion, ctx: RuleContext) -> Iterable[Hit]:
    for function in live.app.functions:
        for permission in function.permissions:
            principal = str(permission.principal)
            if principal != "*" or permission.source_arn or permission.source_account:
                continue
            if permission.action.lower() == "lambda:invokefunctionurl":
                continue  # judged by the URL rule with its auth type
            sid = permission.source.logical_id or "?"
            yield (
                function,
                (f"{function.name}'s resource policy (statement {sid}) lets anyone call {permission.action}"),
                {"statement": sid, "action": permission.action},
            )


def _url_auth_none(live: LiveRegion, ctx: RuleContext) -> Iterable[Hit]:
    for function in live.app.functions:
        if function.url is not None and str(function.url.auth_type).upper() == "NONE":
            cors = function.url.cors or {}
            yield (
                function,
                (f"{function.name} has a function URL with AuthType NONE: anyone on the internet can invoke it"),
                {"cors_origins": list(cors.get("AllowOrigins") or [])},
            )


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        # Lambda writes 2024-01-02T03:04:05.000+0000
        return dt.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def _unused(live: LiveRegion, ctx: RuleContext) -> Iterable[Hit]:
    if ctx.unused_days <= 0:
        return
    horizon = ctx.now - dt.timedelta(days=ctx.unused_days)
    for function in live.app.functions:
        facts = live.facts[str(function.name)]
        modified = _parse_time(function.last_modified)
        if facts.invocations is None or facts.invocations > 0:
            continue
        if modified is not None and modified > horizon:
            continue  # deployed recently: too early to call it unused
        yield (
            function,
            (
                f"{function.name} was not invoked in the last {ctx.unused_days} days"
                + (f" (last modified {function.last_modified})" if function.last_modified else "")
            ),
            {"days": ctx.unused_days},
        )


def _unprotected(live: LiveRegion, ctx: RuleContext) -> Iterable[Hit]:
    for function in live.app.functions:
        if function.protected is False:
            yield function, f"{function.name} is not protected by hullguard (no layer, wrapper or handler found)", {}


RULES: tuple[AccountRule, ...] = (
    AccountRule(
        "HG-AUDIT-001",
        "Function created or changed from the AWS console",
        Severity.HIGH,
        "out-of-band-deployment",
        "A function deployed from the console bypassed code review, CI/CD and its security gates (PureSec rule 1).",
        "Deploy functions only from CI/CD; restrict lambda:CreateFunction/Update* to the pipeline roles with an SCP.",
        _console_created,
        (PURESEC,),
    ),
    AccountRule(
        "HG-AUDIT-002",
        "Execution role shared by several functions",
        Severity.MEDIUM,
        "over-privileged",
        "Functions sharing a role each get the union of permissions all of them need (PureSec rule 2).",
        "Give every function its own role with only what that function calls (`hullguard gen-roles`).",
        _shared_role,
        (PURESEC,),
    ),
    AccountRule(
        "HG-AUDIT-003",
        "Function invoked by several kinds of trigger",
        Severity.LOW,
        "insecure-configuration",
        "A function reachable from several event sources must validate every event shape; one trigger type per "
        "function keeps input handling and permissions narrow (PureSec rule 3).",
        "Split the function so each one handles a single trigger type.",
        _several_triggers,
        (PURESEC,),
    ),
    AccountRule(
        "HG-AUDIT-004",
        "Function role allows wildcard actions",
        Severity.HIGH,
        "over-privileged",
        "An Allow with `*` in an action (or NotAction) grants actions nobody reviewed (PureSec rule 4).",
        "Replace wildcards with the exact actions and resources the function uses.",
        _wildcard_permissions,
        (PURESEC,),
    ),
    AccountRule(
        "HG-AUDIT-005",
        "Layer from another AWS account",
        Severity.MEDIUM,
        "ungoverned-assets",
        "Layer code runs inside the function with its role; a layer owned by another account can change under you.",
        "Publish vetted copies of third-party layers in your own account, or pin trusted publishers "
        "with --trusted-layer-account.",
        _cross_account_layers,
    ),
    AccountRule(
        "HG-AUDIT-006",
        "Resource policy lets anyone invoke the function",
        Severity.CRITICAL,
        "broken-authentication",
        "A resource-policy statement with principal `*` and no source ARN/account condition makes the function "
        "invocable by any AWS account.",
        "Remove the statement or restrict it with AWS:SourceArn / AWS:SourceAccount / aws:PrincipalOrgID.",
        _public_policy,
        config_rule=False,  # AWS's lambda-function-public-access-prohibited covers it
    ),
    AccountRule(
        "HG-AUDIT-007",
        "Function URL without authentication",
        Severity.HIGH,
        "broken-authentication",
        "A function URL with AuthType NONE is a public HTTPS endpoint; the function must authenticate callers itself.",
        "Use AuthType AWS_IAM, or put API Gateway with an authorizer in front of the function.",
        _url_auth_none,
    ),
    AccountRule(
        "HG-AUDIT-008",
        "Function not invoked for a long time",
        Severity.LOW,
        "ungoverned-assets",
        "Forgotten functions keep their permissions and triggers, and stop getting patched.",
        "Delete functions nobody uses, or document their owner in a tag.",
        _unused,
    ),
    AccountRule(
        "HG-AUDIT-009",
        "Function not protected by hullguard",
        Severity.INFO,
        "ungoverned-assets",
        "No hullguard layer, wrapper or handler was found: the function runs without the event firewall and runtime "
        "protection.",
        "Add the hullguard layer and set AWS_LAMBDA_EXEC_WRAPPER, or decorate the handler with @protect.",
        _unprotected,
        config_rule=False,
    ),
)


def rule_by_id(rule_id: str) -> AccountRule:
    for rule in RULES:
        if rule.id == rule_id:
            return rule
    raise KeyError(rule_id)


def evaluate_live(regions: list[LiveRegion], ctx: RuleContext | None = None) -> list[Finding]:
    """Every account rule over every collected region."""
    context = ctx or RuleContext()
    return [finding for live in regions for rule in RULES for finding in rule.run(live, context)]
