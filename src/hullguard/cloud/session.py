"""Sessions, accounts and regions: who the audit runs as and where.

Credentials come the usual boto3 way (``--profile``, environment, SSO, instance role). Every client
uses botocore's ``adaptive`` retry mode, which backs off on throttling and rate-limits the client
itself, so the parallel collectors respect API limits. boto3 honours ``AWS_ENDPOINT_URL`` (and
``AWS_ENDPOINT_URL_<SERVICE>``) on its own, which is how the whole audit runs against a local moto server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from hullguard.cloud.coverage import Coverage

SESSION_NAME = "hullguard-audit"
DEFAULT_ORG_ROLE = "HullguardAuditRole"
# Regions AWS enables by default; anything else is opt-in and skipped unless the account enabled it.
DEFAULT_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
)


def client_config(pool: int = 16, attempts: int = 8) -> Config:
    """Retries with backoff and client-side rate limiting on throttling; a pool wide enough for our threads."""
    return Config(
        retries={"mode": "adaptive", "max_attempts": attempts},
        max_pool_connections=pool,
        connect_timeout=10,
        read_timeout=30,
        user_agent_extra="hullguard-audit",
    )


@dataclass
class Target:
    """One AWS account to audit, with the session that reads it."""

    account: str
    session: boto3.Session
    name: str = ""
    via_role: str | None = None
    config: Config = field(default_factory=client_config)

    def client(self, service: str, region: str | None = None) -> Any:
        return self.session.client(service, region_name=region, config=self.config)  # type: ignore[call-overload]


def base_session(profile: str | None = None, region: str | None = None) -> boto3.Session:
    return boto3.Session(profile_name=profile, region_name=region or None)


def caller_account(session: boto3.Session, config: Config | None = None) -> str:
    sts = session.client("sts", config=config or client_config(), region_name=session.region_name or "us-east-1")
    return str(sts.get_caller_identity()["Account"])


def assume(session: boto3.Session, role_arn: str, external_id: str | None = None) -> boto3.Session:
    """A session for ``role_arn``; raises the botocore error when the role cannot be assumed."""
    sts = session.client("sts", config=client_config(), region_name=session.region_name or "us-east-1")
    kwargs: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME, "DurationSeconds": 3600}
    if external_id:
        kwargs["ExternalId"] = external_id
    creds = sts.assume_role(**kwargs)["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=session.region_name,
    )


def account_of_role(role_arn: str) -> str:
    parts = role_arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise ValueError(f"not an IAM role ARN: {role_arn!r}")
    return parts[4]


def role_name_of(role_arn: str) -> str:
    return role_arn.split(":", 5)[5].split("/")[-1]


def resolve_targets(
    session: boto3.Session,
    coverage: Coverage,
    role_arn: str | None = None,
    organization: bool = False,
    role_name: str | None = None,
    external_id: str | None = None,
) -> list[Target]:
    """The accounts to audit: the caller's own, one assumed role, or every active account of the organization.

    An account whose role cannot be assumed becomes a coverage gap, the others are still audited.
    """
    if not organization:
        if role_arn:
            account = account_of_role(role_arn)
            try:
                return [Target(account, assume(session, role_arn, external_id), via_role=role_arn)]
            except (ClientError, BotoCoreError) as exc:
                coverage.add(account, "", f"sts:AssumeRole {role_arn}", exc, reason="assume-failed")
                return []
        return [Target(caller_account(session), session)]

    own = caller_account(session)
    name = role_name or (role_name_of(role_arn) if role_arn else DEFAULT_ORG_ROLE)
    org = session.client("organizations", config=client_config(), region_name=session.region_name or "us-east-1")
    accounts: list[tuple[str, str]] = []
    for page in org.get_paginator("list_accounts").paginate():
        for acct in page.get("Accounts", []):
            if acct.get("Status", "ACTIVE") == "ACTIVE":
                accounts.append((str(acct["Id"]), str(acct.get("Name", ""))))
    targets: list[Target] = []
    for account, label in accounts:
        if account == own:
            targets.append(Target(account, session, name=label))
            continue
        arn = f"arn:aws:iam::{account}:role/{name}"
        try:
            targets.append(Target(account, assume(session, arn, external_id), name=label, via_role=arn))
        except (ClientError, BotoCoreError) as exc:
            coverage.add(account, "", f"sts:AssumeRole {arn}", exc, reason="assume-failed")
    return targets


def enabled_regions(target: Target, coverage: Coverage, wanted: list[str] | None = None) -> list[str]:
    """Regions to audit in ``target``: ``wanted`` (or all enabled ones) minus the opt-in regions not enabled."""
    home = target.session.region_name or "us-east-1"
    try:
        ec2 = target.client("ec2", home)
        answer = ec2.describe_regions(AllRegions=True)
        status = {r["RegionName"]: r.get("OptInStatus", "opt-in-not-required") for r in answer.get("Regions", [])}
    except (ClientError, BotoCoreError) as exc:
        # Without ec2:DescribeRegions, fall back to the regions every account has.
        coverage.add(target.account, home, "ec2:DescribeRegions (fell back to default regions)", exc)
        status = dict.fromkeys(DEFAULT_REGIONS, "opt-in-not-required")
    enabled = {r for r, s in status.items() if s in ("opt-in-not-required", "opted-in")}
    if not wanted:
        return sorted(enabled)
    chosen: list[str] = []
    for region in wanted:
        if region in enabled:
            chosen.append(region)
        elif region in status:
            coverage.add(
                target.account, region, "region", "opt-in region not enabled in this account", reason="region-disabled"
            )
        else:
            coverage.add(target.account, region, "region", "unknown region name", reason="region-disabled")
    return chosen
