"""The function's own AWS credentials: kept out of responses, logs and (optionally) ``os.environ``.

The three values Lambda puts in the environment (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN``) are read once at start-up. Then:

- responses are checked (three substring searches per string in them, no copy, no list built
  unless one is found) and masked;
- ``sys.stdout``/``sys.stderr`` are wrapped and ``logging.Handler.format`` is patched, so ``print`` and
  every logging handler emit ``****`` instead of the values;
- with ``remove_from_environ``, the values leave ``os.environ`` (so ``print(os.environ)`` leaks
  nothing) and botocore's environment provider reads them from a private map instead: boto3 works.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import ChainMap

from hullguard.events.schema import Severity
from hullguard.runtime import imports
from hullguard.runtime.policy import ALLOW, CredentialsPolicy
from hullguard.runtime.report import Reporter, Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

CREDENTIAL_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
MASK = "****"
MAX_RESPONSE_NODES = 100_000

IN_RESPONSE = Rule("HG-RT-CRED-001", "Function's AWS credentials in the response", "credentials",
                   "credential-leakage", Severity.CRITICAL, "CWE-200")
IN_LOG = Rule("HG-RT-CRED-002", "Function's AWS credentials written to a log line", "credentials",
              "credential-leakage", Severity.HIGH, "CWE-532")

_PRIVATE: dict[str, str] = {}  # the removed values, for botocore only


class MaskingStream:
    """A text stream proxy that masks the credential values in everything written through it."""

    def __init__(self, stream: Any, name: str, control: CredentialControl) -> None:
        self._stream = stream
        self._name = name
        self._control = control

    def write(self, text: str) -> int:
        with contextlib.suppress(Exception):  # never lose the user's output because of us
            text = self._control.mask_log(text, self._name)
        written = self._stream.write(text)
        return written if isinstance(written, int) else len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class CredentialControl:
    def __init__(self, policy: CredentialsPolicy, reporter: Reporter) -> None:
        self.policy = policy
        self.reporter = reporter
        self.values = {n: os.environ[n] for n in CREDENTIAL_VARS if len(os.environ.get(n, "")) >= 8}
        if not self.values and _PRIVATE:  # a second guard in the same process after removal
            self.values = dict(_PRIVATE)
        self._secret_values = tuple(self.values.values())

    def secrets(self) -> tuple[str, ...]:
        return tuple(self.values.values())

    def install(self) -> None:
        if not self.values:
            return
        if self.policy.logs != ALLOW:
            if not isinstance(sys.stdout, MaskingStream):
                sys.stdout = MaskingStream(sys.stdout, "stdout", self)  # type: ignore[assignment]
            if not isinstance(sys.stderr, MaskingStream):
                sys.stderr = MaskingStream(sys.stderr, "stderr", self)  # type: ignore[assignment]
            self._patch_logging()
        if self.policy.remove_from_environ:
            remove_from_environ(self.values)

    def _patch_logging(self) -> None:
        import logging  # already imported by the Lambda runtime client

        current = logging.Handler.format
        original: Callable[[logging.Handler, logging.LogRecord], str] = getattr(current, "__wrapped__", current)
        control = self

        def format(handler: logging.Handler, record: logging.LogRecord) -> str:
            text = original(handler, record)
            try:
                return control.mask_log(text, "logging")
            except Exception:
                return text

        format.__wrapped__ = original  # type: ignore[attr-defined]
        logging.Handler.format = format  # type: ignore[method-assign,assignment]

    def found(self, text: str) -> list[str]:
        return [name for name, value in self.values.items() if value in text]

    def mask(self, text: str) -> str:
        for value in self.values.values():
            text = text.replace(value, MASK)
        return text

    def mask_log(self, text: str, where: str) -> str:
        if not isinstance(text, str):
            return text
        names = self.found(text)
        if not names:
            return text
        if self.reporter.decide(self.policy.logs, IN_LOG, location=where, policy_rule="credentials.logs",
                                detail={"variables": names}):
            return self.mask(text)
        return text

    def scrub_response(self, result: Any) -> Any:
        """The response with the credential values masked (when the policy says block)."""
        if not self.values or self.policy.responses == ALLOW or result is None:
            return result
        if not self._any_in(result):  # the common case: one pass of substring tests, nothing built
            return result
        names = self._found_in(result)
        if not names:
            return result
        if self.reporter.decide(self.policy.responses, IN_RESPONSE, location="response",
                                policy_rule="credentials.responses", detail={"variables": names}):
            return self._mask_value(result, 0)
        return result

    def _any_in(self, result: Any) -> bool:
        """Whether a credential value may occur in the response (exact types on the fast path;
        anything else goes to ``_found_in``, which decides)."""
        values = self._secret_values
        stack = [result]
        seen = 0
        while stack:
            value = stack.pop()
            seen += 1
            if seen > MAX_RESPONSE_NODES:
                return True  # too big to clear quickly: let the full walk decide
            kind = type(value)
            if kind is str:
                for secret in values:
                    if secret in value:
                        return True
            elif kind is dict:
                stack.extend(value)
                stack.extend(value.values())
            elif kind is list or kind is tuple:
                stack.extend(value)
            elif value is None or kind is int or kind is float or kind is bool:
                continue
            else:  # bytes, subclasses, objects the marshaller turns into text
                return True
        return False

    def _found_in(self, result: Any) -> list[str]:
        """Which credentials occur in any string of the response (no copy, no serialisation)."""
        found: set[str] = set()
        stack: list[tuple[Any, int]] = [(result, 0)]
        seen = 0
        while stack and seen < MAX_RESPONSE_NODES:
            value, depth = stack.pop()
            seen += 1
            if isinstance(value, str):
                found.update(self.found(value))
            elif isinstance(value, (bytes, bytearray)):
                found.update(self.found(bytes(value).decode("utf-8", "replace")))
            elif depth < 64:
                if isinstance(value, dict):
                    stack.extend((k, depth + 1) for k in value)
                    stack.extend((v, depth + 1) for v in value.values())
                elif isinstance(value, (list, tuple)):
                    stack.extend((v, depth + 1) for v in value)
                elif not isinstance(value, (int, float, bool)) and value is not None:
                    found.update(self.found(str(value)))  # what the marshaller would turn into text
        return sorted(found)

    def _mask_value(self, value: Any, depth: int) -> Any:
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, bytes):
            return self.mask(value.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
        if depth > 64:
            return value
        if isinstance(value, dict):
            return {self._mask_value(k, depth + 1): self._mask_value(v, depth + 1) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._mask_value(v, depth + 1) for v in value)
        return value


def remove_from_environ(values: dict[str, str]) -> None:
    """Move the credentials out of ``os.environ``; botocore's env provider still finds them."""
    _PRIVATE.update(values)
    for name in values:
        os.environ.pop(name, None)
    imports.when_imported("botocore.credentials", _patch_botocore)


def private_environ() -> ChainMap[str, str]:
    """What botocore's ``EnvProvider`` reads: the private values first, then the live environment."""
    return ChainMap(_PRIVATE, os.environ)  # type: ignore[arg-type]


def _patch_botocore(module: Any) -> None:
    provider = module.EnvProvider
    if getattr(provider.__init__, "__hullguard__", False):
        return
    original = provider.__init__

    def __init__(self: Any, environ: Any = None, mapping: Any = None) -> None:
        original(self, private_environ() if environ is None else environ, mapping)

    __init__.__hullguard__ = True  # type: ignore[attr-defined]
    provider.__init__ = __init__
