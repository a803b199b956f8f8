"""Rule behaviour beyond the PASS/FAIL fixtures: variants a single fixture pair cannot show."""

from __future__ import annotations

from pathlib import Path

from scanner_testutil import TODAY

from hullguard.scanner.rules import rule_by_id
from hullguard.scanner.scan import scan

BUCKET = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      CorsConfiguration:
        CorsRules:
          - AllowedOrigins: ['*']
            AllowedMethods: [METHODS]
"""


def _messages(tmp_path: Path, text: str, rule_id: str) -> list[str]:
    (tmp_path / "template.yaml").write_text(text)
    rule = rule_by_id(rule_id)
    assert rule is not None
    return [f.message for f in scan(tmp_path, rules=[rule], today=TODAY).findings]


def test_bucket_cors_open_to_any_origin_for_writes(tmp_path: Path) -> None:
    assert _messages(tmp_path, BUCKET.replace("METHODS", "GET, PUT"), "HG-CFG-003") == [
        "bucket Uploads accepts PUT from any origin"
    ]
    assert _messages(tmp_path, BUCKET.replace("METHODS", "GET, HEAD"), "HG-CFG-003") == []


def test_unresolved_values_are_not_judged(tmp_path: Path) -> None:
    template = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Runtime:
    Type: String
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: !Ref Runtime
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/fn
      Timeout: !Ref Runtime
      Code: {ZipFile: "def handler(e, c): return 1"}
"""
    assert _messages(tmp_path, template, "HG-CFG-006") == []
