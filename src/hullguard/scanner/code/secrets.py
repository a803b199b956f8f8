"""Secret detection: detect-secrets plugins plus AWS-specific patterns it lacks.

Entropy plugins are left out on purpose: on code and templates they mostly find hashes and ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hullguard.model.app import Unknown

# Names that say "this holds a secret"; _ARN/_NAME/... say it holds a pointer to one.
SENSITIVE_NAME = re.compile(
    r"(PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY|"
    r"AUTH_?KEY|CLIENT_?SECRET|SIGNING_?KEY|DSN|CONN(ECTION)?_?STR)",
    re.IGNORECASE,
)
POINTER_SUFFIX = re.compile(r"(_ARN|_NAME|_ID|_PATH|_PARAM|_PARAMETER|_URL|_REGION|_TTL|_HEADER|_FILE)$", re.IGNORECASE)
POINTER_VALUE = re.compile(r"^(arn:|/|ssm:|\{\{resolve:|https?://secretsmanager)", re.IGNORECASE)
AWS_PATTERNS = {
    "AWS MWS key": re.compile(r"amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    "AWS AppSync API key": re.compile(r"\bda2-[a-z0-9]{26}\b"),
    "AWS secret access key": re.compile(r"(?i)aws.{0,20}secret.{0,20}['\"=:\s]([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"),
}
SKIPPED_PLUGINS = {"Base64 High Entropy String", "Hex High Entropy String", "Public IP (ipv4)"}


@dataclass(frozen=True, slots=True)
class SecretHit:
    line: int
    kind: str


@lru_cache(maxsize=1)
def _plugins() -> tuple[Any, ...]:
    try:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    except ImportError:
        return ()
    classes: dict[str, Any] = dict(get_mapping_from_secret_type_to_class())
    return tuple(plugin() for name, plugin in sorted(classes.items()) if name not in SKIPPED_PLUGINS)


def scan_line(line: str, filename: str = "file", number: int = 1) -> list[str]:
    """Kinds of secret found on one line (empty when none)."""
    kinds: list[str] = []
    for plugin in _plugins():
        try:
            if plugin.analyze_line(filename=filename, line=line, line_number=number):
                kinds.append(str(plugin.secret_type))
        except Exception:  # noqa: S112 - a plugin bug must not end the scan
            continue
    for name, pattern in AWS_PATTERNS.items():
        if pattern.search(line) and not (name == "AWS secret access key" and "AWS Access Key" in kinds):
            kinds.append(name)
    return kinds


def scan_text(text: str, filename: str) -> list[SecretHit]:
    """Secrets in a file's text; the plugins only see the name's type, so copies are scanned once."""
    return list(_scan_text(text, filename))


@lru_cache(maxsize=64)  # keyed by the text itself: bounded, as files may be up to MAX_BYTES
def _scan_text(text: str, filename: str) -> tuple[SecretHit, ...]:
    hits: list[SecretHit] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > 2000:
            continue  # minified bundles: not where people write secrets by hand
        hits.extend(SecretHit(number, kind) for kind in scan_line(line, filename, number))
    return tuple(hits)


def is_sensitive_name(name: str) -> bool:
    return bool(SENSITIVE_NAME.search(name)) and not POINTER_SUFFIX.search(name)


def literal_secret(name: str, value: Any) -> str | None:
    """Why an environment value is a plaintext secret, or None."""
    if isinstance(value, Unknown) or not isinstance(value, str) or not value.strip():
        return None
    return _literal_secret(name, value)


@lru_cache(maxsize=4096)
def _literal_secret(name: str, value: str) -> str | None:
    if "${" in value or POINTER_VALUE.search(value):
        return None
    kinds = scan_line(f'{name} = "{value}"', "environment.py")
    if kinds:
        return kinds[0]
    if is_sensitive_name(name) and len(value) >= 6 and value.lower() not in ("true", "false", "none", "null"):
        return "sensitive variable name with a literal value"
    return None
