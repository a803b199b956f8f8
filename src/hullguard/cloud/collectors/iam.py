"""IAM collector: execution roles with every policy they carry, read once per account.

``GetAccountAuthorizationDetails`` returns roles with inline and attached policies and customer-managed
policy documents in a few pages; AWS-managed policy documents are fetched once on demand and cached
process-wide (they are the same in every account).
"""

from __future__ import annotations

import threading
import urllib.parse
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from hullguard.cloud.coverage import Coverage
from hullguard.cloud.session import Target
from hullguard.model.app import Policy, Role, SourceRef, Statement

_AWS_MANAGED: dict[str, list[dict[str, Any]]] = {}
_AWS_MANAGED_LOCK = threading.Lock()


def _document(raw: Any) -> dict[str, Any]:
    """Policy documents arrive as dicts from boto3, or URL-encoded JSON strings from some emulators."""
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        import json

        return dict(json.loads(urllib.parse.unquote(raw)))
    return {}


def _statements(document: dict[str, Any], source: SourceRef) -> list[Statement]:
    raw = document.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    return [Statement.from_json(s, source) for s in items if isinstance(s, dict)]


class IamCollector:
    """Roles of one account, collected on first use (thread-safe)."""

    def __init__(self, target: Target, coverage: Coverage) -> None:
        self.target = target
        self.coverage = coverage
        self._lock = threading.Lock()
        self._roles: dict[str, Role] | None = None
        self._managed: dict[str, list[dict[str, Any]]] = {}

    def role(self, arn: str) -> Role:
        """The role with ``arn``; a role we could not read comes back without policies (and a gap)."""
        roles = self._load()
        found = roles.get(arn)
        if found is not None:
            return found
        name = arn.rsplit("/", 1)[-1]
        role = Role(logical_id=name, name=name, arn=arn, source=SourceRef(logical_id=name))
        roles[arn] = role
        return role

    def _load(self) -> dict[str, Role]:
        with self._lock:
            if self._roles is None:
                self._roles = self._collect()
            return self._roles

    def _collect(self) -> dict[str, Role]:
        roles: dict[str, Role] = {}
        try:
            iam = self.target.client("iam", "us-east-1")
            details: list[dict[str, Any]] = []
            for page in iam.get_paginator("get_account_authorization_details").paginate(
                Filter=["Role", "LocalManagedPolicy"]
            ):
                details.extend(page.get("RoleDetailList", []))
                for policy in page.get("Policies", []):
                    default = next((v for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None)
                    if default:
                        self._managed[policy["Arn"]] = _statements_raw(_document(default.get("Document")))
        except (ClientError, BotoCoreError) as exc:
            self.coverage.add(self.target.account, "global", "iam:GetAccountAuthorizationDetails (role policies)", exc)
            return roles
        for detail in details:
            roles[detail["Arn"]] = self._role(iam, detail)
        return roles

    def _role(self, iam: Any, detail: dict[str, Any]) -> Role:
        name = str(detail["RoleName"])
        policies: list[Policy] = []
        for inline in detail.get("RolePolicyList", []):
            ref = SourceRef(logical_id=f"{name}/{inline['PolicyName']}")
            policies.append(Policy(inline["PolicyName"], _statements(_document(inline.get("PolicyDocument")), ref)))
        for attached in detail.get("AttachedManagedPolicies", []):
            arn = attached["PolicyArn"]
            raw = self._managed.get(arn)
            if raw is None:
                raw = self._aws_managed(iam, arn)
            ref = SourceRef(logical_id=arn)
            statements = [Statement.from_json(s, ref) for s in raw]
            policies.append(Policy(attached["PolicyName"], statements, managed_arn=arn, source=ref))
        return Role(logical_id=name, name=name, arn=detail["Arn"], policies=policies, source=SourceRef(logical_id=name))

    def _aws_managed(self, iam: Any, arn: str) -> list[dict[str, Any]]:
        with _AWS_MANAGED_LOCK:
            if arn in _AWS_MANAGED:
                return _AWS_MANAGED[arn]
        try:
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
            raw = _statements_raw(_document(document))
        except (ClientError, BotoCoreError) as exc:
            self.coverage.add(self.target.account, "global", f"iam:GetPolicyVersion {arn}", exc)
            return []
        with _AWS_MANAGED_LOCK:
            _AWS_MANAGED[arn] = raw
        return raw


def _statements_raw(document: dict[str, Any]) -> list[dict[str, Any]]:
    raw = document.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    return [s for s in items if isinstance(s, dict)]
