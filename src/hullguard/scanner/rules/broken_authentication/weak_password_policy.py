"""Cognito user pools whose password policy is weaker than NIST/AWS defaults."""

from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules.base import Rule

MIN_LENGTH = 8


class WeakPasswordPolicy(Rule):
    id = "HG-AUTH-004"
    severity = Severity.MEDIUM
    risk = "broken-authentication"
    title = "Cognito user pool allows weak passwords"
    description = (
        "The user pool's password policy is shorter than 8 characters or requires no character classes, making "
        "credential stuffing and guessing practical against the API's users."
    )
    remediation = "Set MinimumLength to at least 8 (12+ preferred) and require numbers, symbols and mixed case."
    references = ("https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html",)

    def check(self, app: Application, ctx: ScanContext) -> Iterator[Finding]:
        for pool in app.resources_of_type("AWS::Cognito::UserPool"):
            policies = pool.properties.get("Policies") or {}
            policy = policies.get("PasswordPolicy") if isinstance(policies, dict) else None
            if policy is None:
                policy = pool.properties.get("password_policy") or [None]
                policy = policy[0] if isinstance(policy, list) and policy else None
                if isinstance(policy, dict):
                    policy = {
                        "MinimumLength": policy.get("minimum_length"),
                        "RequireNumbers": policy.get("require_numbers"),
                        "RequireSymbols": policy.get("require_symbols"),
                        "RequireUppercase": policy.get("require_uppercase"),
                    }
            if not isinstance(policy, dict):
                continue  # Cognito's default policy (8 chars, all classes) applies
            weak = []
            length = policy.get("MinimumLength")
            if isinstance(length, int) and length < MIN_LENGTH:
                weak.append(f"minimum length {length}")
            missing = [
                k[7:].lower()
                for k in ("RequireNumbers", "RequireSymbols", "RequireUppercase")
                if policy.get(k) is False
            ]
            if missing:
                weak.append("does not require " + ", ".join(missing))
            if weak:
                yield self.finding(
                    app, f"user pool {pool.logical_id}: " + "; ".join(weak), pool.source, resource=pool.logical_id
                )
