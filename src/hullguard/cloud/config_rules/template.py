"""``hullguard audit config-rules --template``: a deployable SAM template for the Config rules.

One function (the handler), a least-privilege role (read-only Lambda/IAM/CloudTrail/CloudWatch reads
plus ``config:PutEvaluations``), the permission letting AWS Config invoke it (bound to this account),
and one ``AWS::Config::ConfigRule`` per account rule. Rules that depend only on the function's own
configuration run on change; rules that depend on other resources or on history also run on a schedule.
"""

from __future__ import annotations

from typing import Any

import yaml

from hullguard.cloud.rules import RULES

# Rules whose verdict changes without the function changing (other functions, CloudTrail, metrics).
PERIODIC = {"HG-AUDIT-001", "HG-AUDIT-002", "HG-AUDIT-008"}
# AWS managed Config rules that cover Lambda already: enable them beside ours (we do not re-implement them).
MANAGED_RULES = (
    ("lambda-function-public-access-prohibited", "resource policy allows public access"),
    ("lambda-concurrency-check", "reserved concurrency set (and within bounds)"),
    ("lambda-dlq-check", "a dead-letter queue is configured"),
    ("lambda-inside-vpc", "function runs in a VPC (where your design needs it)"),
    ("lambda-function-settings-check", "runtime, role, timeout and memory match allowed values"),
    ("lambda-vpc-multi-az-check", "VPC functions span several availability zones"),
)
READ_ACTIONS = [
    "lambda:ListFunctions",
    "lambda:GetFunction",
    "lambda:GetPolicy",
    "lambda:GetFunctionUrlConfig",
    "lambda:GetFunctionEventInvokeConfig",
    "lambda:ListEventSourceMappings",
    "lambda:ListCodeSigningConfigs",
    "lambda:ListFunctionsByCodeSigningConfig",
    "iam:GetAccountAuthorizationDetails",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "cloudtrail:LookupEvents",
    "cloudwatch:GetMetricData",
    "config:GetResourceConfigHistory",
]


def rule_name(rule_id: str) -> str:
    return "hullguard-" + rule_id.lower().removeprefix("hg-")


def build_template(code_uri: str = "build/config-rules", frequency: str = "TwentyFour_Hours") -> dict[str, Any]:
    resources: dict[str, Any] = {
        "HullguardConfigRuleRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": "hullguard-config-rules",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                # These List/Get calls have no resource-level permissions: "*" is the only form.
                                {"Sid": "ReadInventory", "Effect": "Allow", "Action": READ_ACTIONS, "Resource": "*"},
                                {
                                    "Sid": "ReportEvaluations",
                                    "Effect": "Allow",
                                    "Action": "config:PutEvaluations",
                                    "Resource": "*",
                                },
                                {
                                    "Sid": "OwnLogs",
                                    "Effect": "Allow",
                                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                    "Resource": {
                                        "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"
                                        ":log-group:/aws/lambda/hullguard-config-rules:*"
                                    },
                                },
                            ],
                        },
                    }
                ],
            },
        },
        "HullguardConfigRuleLogs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": "/aws/lambda/hullguard-config-rules", "RetentionInDays": 90},
        },
        "HullguardConfigRuleFunction": {
            "Type": "AWS::Serverless::Function",
            "DependsOn": "HullguardConfigRuleLogs",
            "Properties": {
                "FunctionName": "hullguard-config-rules",
                "Handler": "hullguard.cloud.config_rules.handler.handler",
                "Runtime": "python3.12",
                "Architectures": ["arm64"],
                "CodeUri": code_uri,
                "MemorySize": 512,
                "Timeout": 300,
                "ReservedConcurrentExecutions": 5,
                "Role": {"Fn::GetAtt": ["HullguardConfigRuleRole", "Arn"]},
            },
        },
        "HullguardConfigInvokePermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "FunctionName": {"Fn::GetAtt": ["HullguardConfigRuleFunction", "Arn"]},
                "Action": "lambda:InvokeFunction",
                "Principal": "config.amazonaws.com",
                "SourceAccount": {"Ref": "AWS::AccountId"},
            },
        },
    }
    for rule in RULES:
        if not rule.config_rule:
            continue
        details: list[dict[str, Any]] = [
            {"EventSource": "aws.config", "MessageType": "ConfigurationItemChangeNotification"},
            {"EventSource": "aws.config", "MessageType": "OversizedConfigurationItemChangeNotification"},
        ]
        if rule.id in PERIODIC:
            details.append(
                {
                    "EventSource": "aws.config",
                    "MessageType": "ScheduledNotification",
                    "MaximumExecutionFrequency": frequency,
                }
            )
        parameters: dict[str, str] = {"rules": rule.id}
        if rule.id == "HG-AUDIT-008":
            parameters["unusedDays"] = "90"
        logical = "Rule" + rule.id.replace("-", "")
        resources[logical] = {
            "Type": "AWS::Config::ConfigRule",
            "DependsOn": "HullguardConfigInvokePermission",
            "Properties": {
                "ConfigRuleName": rule_name(rule.id),
                "Description": f"{rule.title} ({rule.id}). {rule.description}"[:256],
                "Scope": {"ComplianceResourceTypes": ["AWS::Lambda::Function"]},
                "InputParameters": parameters,
                "Source": {
                    "Owner": "CUSTOM_LAMBDA",
                    "SourceIdentifier": {"Fn::GetAtt": ["HullguardConfigRuleFunction", "Arn"]},
                    "SourceDetails": details,
                },
            },
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": "hullguard AWS Config custom rules for Lambda (generated by `hullguard audit config-rules`).",
        "Resources": resources,
        "Outputs": {
            "RuleFunctionArn": {"Value": {"Fn::GetAtt": ["HullguardConfigRuleFunction", "Arn"]}},
        },
    }


def render_template(code_uri: str = "build/config-rules", frequency: str = "TwentyFour_Hours") -> str:
    header = (
        "# Build the code first:  pip install hullguard -t build/config-rules\n"
        "# Deploy:                sam deploy --guided --capabilities CAPABILITY_IAM\n"
        "# Enable beside these the AWS managed rules listed in docs/cloud.md (not duplicated here).\n"
    )
    return header + yaml.safe_dump(build_template(code_uri, frequency), sort_keys=False, width=120)
