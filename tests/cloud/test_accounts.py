"""Several accounts: --role-arn and --organization on moto (STS, Organizations), gaps for the unassumable."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from hullguard.cloud import session as session_mod
from hullguard.cloud.audit import run_audit
from hullguard.cloud.coverage import Coverage
from hullguard.cloud.session import account_of_role, resolve_targets

from .conftest import make_function, make_role


def _assumed(base: boto3.Session, account: str) -> boto3.Session:
    creds = base.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="seed")[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


@pytest.fixture
def organization(moto_aws: boto3.Session) -> dict[str, str]:
    org = moto_aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    accounts = {}
    for name in ("prod", "dev", "locked"):
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        accounts[name] = status["AccountId"]
    for name in ("prod", "dev"):
        member = _assumed(moto_aws, accounts[name])
        role = make_role(member, f"{name}-role", [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])
        make_function(member, f"{name}-fn", role)
    return accounts


def test_organization_audit_covers_every_account_and_names_the_locked_one(
    moto_aws: boto3.Session, organization: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_assume = session_mod.assume

    def assume(session: Any, role_arn: str, external_id: str | None = None) -> Any:
        if account_of_role(role_arn) == organization["locked"]:
            raise ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform sts:AssumeRole"}}, "AssumeRole"
            )
        return real_assume(session, role_arn, external_id)

    monkeypatch.setattr(session_mod, "assume", assume)
    coverage = Coverage()
    targets = resolve_targets(moto_aws, coverage, organization=True, role_name="HullguardAuditRole")
    assert {t.account for t in targets} == {"123456789012", organization["prod"], organization["dev"]}
    assert all(
        t.via_role == f"arn:aws:iam::{t.account}:role/HullguardAuditRole"
        for t in targets
        if t.account != "123456789012"
    )
    locked = [g for g in coverage.gaps if g.reason == "assume-failed"]
    assert [g.account for g in locked] == [organization["locked"]]
    report = run_audit(targets, coverage, ["us-east-1"])
    names = {(r.account, f.name) for r in report.regions for f in r.app.functions}
    assert names == {(organization["prod"], "prod-fn"), (organization["dev"], "dev-fn")}
    wildcard = {f.function for f in report.findings if f.rule_id in ("HG-AUDIT-004", "HG-IAM-003")}
    assert wildcard == {"prod-fn", "dev-fn"}


def test_single_role_arn(moto_aws: boto3.Session) -> None:
    member = _assumed(moto_aws, "210987654321")
    make_function(
        member, "member-fn", make_role(member, "r", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
    )
    coverage = Coverage()
    targets = resolve_targets(moto_aws, coverage, role_arn="arn:aws:iam::210987654321:role/HullguardAuditRole")
    assert [t.account for t in targets] == ["210987654321"]
    report = run_audit(targets, coverage, ["us-east-1"])
    assert [f.name for r in report.regions for f in r.app.functions] == ["member-fn"]


def test_bad_role_arn_is_rejected() -> None:
    with pytest.raises(ValueError, match="not an IAM role ARN"):
        account_of_role("arn:aws:s3:::bucket")
