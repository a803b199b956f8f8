"""The one middleware core behind ``@protect``, ``hullguard.handler.handler`` and the exec wrapper.

A ``Guard`` is built once per policy at cold start: it installs seccomp (opt-in), the audit hook and
the wrappers, snapshots ``/tmp`` and builds the firewall. Per invocation (``Guard.invoke``):

    size check -> firewall -> invoker check -> handler -> errors -> credentials in the response
    -> batch item failures -> /tmp cleanup -> forwarder flush (a few ms at most)

Every step that is ours runs inside its own ``try``: a hullguard bug is reported as an
``HG-RT-INT-001`` event and the fail mode decides (open: the handler runs / the answer goes out
unchanged; closed: the caller gets a generic error). The user's own exceptions are never swallowed
silently: they are logged in full and answered generically (``errors`` control).
"""

from __future__ import annotations

import os
import sys

from hullguard.events.schema import Action, Severity
from hullguard.runtime import hooks, triggers
from hullguard.runtime.controls.code import CodeControl
from hullguard.runtime.controls.credentials import CREDENTIAL_VARS, CredentialControl
from hullguard.runtime.controls.errors import ErrorControl, EventRejected, FunctionError, rejection
from hullguard.runtime.controls.files import FileControl
from hullguard.runtime.controls.invokers import InvokerControl
from hullguard.runtime.controls.limits import LimitControl
from hullguard.runtime.controls.network import NetworkControl
from hullguard.runtime.controls.processes import ProcessControl
from hullguard.runtime.controls.tmpfs import TmpCleaner
from hullguard.runtime.firewall_link import (
    batch_outcome,
    build_firewall,
    emit_verdict,
    is_firewall_block,
    merge_failures,
)
from hullguard.runtime.policy import BLOCK, RuntimePolicy
from hullguard.runtime.report import Reporter, Rule
from hullguard.runtime.state import STATE, TMP_ROOT, Invocation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from hullguard.runtime.forwarder import Forwarder

    Handler = Callable[[Any, Any], Any]

SECCOMP = Rule("HG-RT-SECCOMP-001", "Kernel-enforced mode (seccomp)", "seccomp", "over-privileged", Severity.INFO)
_ACTIVE: list[Guard] = []  # the guard whose controls the audit hook currently calls


class _Answer(Exception):
    """Stop before the handler and give the caller this answer."""

    def __init__(self, value: Any) -> None:
        self.value = value


class Guard:
    def __init__(self, policy: RuntimePolicy, *, stream: Any = None, tmp_root: str = TMP_ROOT) -> None:
        self.policy = policy
        learn = policy.learn.enabled
        secrets = tuple(os.environ.get(name, "") for name in CREDENTIAL_VARS)
        self.reporter = Reporter(stream if stream is not None else sys.stdout, mode=policy.mode, learn=learn,
                                 forwarder=self._forwarder(policy), secrets=secrets)
        self.blocking = policy.mode == BLOCK and not learn
        if policy.seccomp.enabled:
            self._seccomp()
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "")
        self.credentials = CredentialControl(policy.credentials, self.reporter)
        self.network = NetworkControl(policy.network, self.reporter, region)
        self.processes = ProcessControl(policy.processes, self.reporter)
        self.files = FileControl(policy.files, policy.tmp, self.reporter, os.environ.get("LAMBDA_TASK_ROOT", ""),
                                 tmp_root)
        self.code = CodeControl(policy.code, self.reporter)
        self.invokers = InvokerControl(policy.invokers, self.reporter)
        self.limits = LimitControl(policy.limits, self.reporter)
        self.errors = ErrorControl(policy.errors, self.reporter, self.credentials.mask)
        self.tmp = TmpCleaner(policy.tmp, self.reporter, tmp_root)
        self.tmp.snapshot()
        self.firewall = build_firewall(policy.firewall, report_only=not self.blocking)
        self.credentials.install()
        self.activate()
        hooks.install()

    # -- set-up --------------------------------------------------------------------------------
    @staticmethod
    def _forwarder(policy: RuntimePolicy) -> Forwarder | None:
        fwd = policy.forwarder
        key = os.environ.get(fwd.api_key_env, "")
        if not fwd.url or not key:
            return None
        from hullguard.runtime.forwarder import Forwarder  # only when configured: urllib stays out of cold start

        return Forwarder(fwd.url, key, console=fwd.endpoint_is_console, batch_size=fwd.batch_size,
                         timeout_ms=fwd.timeout_ms, max_queue=fwd.max_queue)

    def _seccomp(self) -> None:
        try:
            from hullguard.runtime.seccomp import install

            how = install(self.policy.seccomp.deny)
            self.reporter.emit(SECCOMP, Action.ALLOWED, "process", "", {
                "control": "seccomp", "policy_rule": "seccomp.enabled", "installed": how,
                "deny": list(self.policy.seccomp.deny)})
        except Exception as exc:
            self.reporter.internal_error("seccomp", exc, self.policy.fail_mode)

    def activate(self) -> None:
        """Point the process-wide audit hook at this guard's controls."""
        if _ACTIVE and _ACTIVE[0] is self:
            return
        hooks.HANDLERS.clear()
        for control in (self.network, self.processes, self.files, self.code):
            control.install()
        hooks.set_error_handler(self._hook_error)
        _ACTIVE[:] = [self]

    def _hook_error(self, event: str, exc: BaseException) -> bool:
        self.reporter.internal_error(f"audit:{event}", exc, self.policy.fail_mode)
        return self.policy.fail_mode == "closed"

    # -- invocation ----------------------------------------------------------------------------
    def wrap(self, handler: Handler) -> Handler:
        import functools

        @functools.wraps(handler)
        def protected(event: Any, context: Any) -> Any:
            try:
                return self.invoke(handler, event, context)
            except (FunctionError, EventRejected) as answer:
                # our generic answers: the caller's error document gets no frames beyond this one
                raise answer.with_traceback(None) from None
            except Exception as answer:
                if is_firewall_block(answer):
                    raise answer.with_traceback(None) from None
                raise

        protected.__hullguard_guard__ = self  # type: ignore[attr-defined]
        return protected

    def invoke(self, handler: Handler, event: Any, context: Any) -> Any:
        cold = not STATE.started
        STATE.started = True
        try:
            inv = Invocation(None, event, context, cold)
        except Exception as exc:  # our bug before anything is judged: the fail mode decides
            self.reporter.internal_error("invocation start", exc, self.policy.fail_mode)
            if self.policy.fail_mode == "closed":
                raise FunctionError("Request could not be inspected (fail mode closed)") from None
            return handler(event, context)
        STATE.invocation = inv
        failures: dict[str, Any] | None = None
        try:
            event, failures = self._screen(inv, event, context)
        except _Answer as answer:
            self._finish(inv)
            return answer.value
        except EventRejected:
            self._finish(inv)
            raise
        except Exception as exc:  # our bug before the handler ran, or the firewall's refusal
            if is_firewall_block(exc):
                self._finish(inv)
                raise
            self.reporter.internal_error("before handler", exc, self.policy.fail_mode)
            if self.policy.fail_mode == "closed":
                self._finish(inv)
                raise FunctionError(f"Request could not be inspected; request id {inv.function.request_id}") \
                    from None
        try:
            result = handler(event, context)
        except Exception as exc:
            try:
                result = self._on_error(exc, inv)
            finally:
                self._finish(inv)
            return result
        except BaseException:
            self._finish(inv)
            raise
        result = self._answer(result, failures)
        self._finish(inv)
        return result

    def _screen(self, inv: Invocation, event: Any, context: Any) -> tuple[Any, dict[str, Any] | None]:
        """The checks before the handler; returns the event the handler gets and batch failures."""
        self.activate()
        verdict = self.firewall.inspect(event)
        inv.trigger = verdict.trigger if verdict.trigger not in ("", "unknown") else triggers.classify(event)
        if self.limits.check_size(event, None if verdict.error else verdict):
            raise _Answer(rejection(inv, "event too large"))
        if verdict.findings or verdict.budget_exhausted:
            emit_verdict(self.reporter, verdict, inv)
        if self.invokers.check(event, inv.trigger):
            raise _Answer(rejection(inv, "invoker not allowed"))
        failures: dict[str, Any] | None = None
        if verdict.blocked and self.blocking:
            batch = batch_outcome(self.firewall, verdict, event)
            if batch is None:
                raise _Answer(self.firewall.respond(verdict, event))
            event, failures = batch
        self.limits.arm(inv, context)
        return event, failures

    def _on_error(self, exc: Exception, inv: Invocation) -> Any:
        try:
            return self.errors.on_exception(exc, inv)
        except FunctionError:
            raise
        except Exception as raised:
            if raised is exc:  # the policy lets the handler's own error through
                raise
            self.reporter.internal_error("error handling", raised, self.policy.fail_mode)
            raise exc from None

    def _answer(self, result: Any, failures: dict[str, Any] | None) -> Any:
        try:
            return self.credentials.scrub_response(merge_failures(result, failures))
        except Exception as exc:
            self.reporter.internal_error("response", exc, self.policy.fail_mode)
            return result

    def _finish(self, inv: Invocation) -> None:
        try:
            self.limits.disarm()
            self.tmp.after(inv)
        except Exception as exc:
            self.reporter.internal_error("after handler", exc, self.policy.fail_mode)
        finally:
            STATE.invocation = None
        forwarder = self.reporter.forwarder
        if forwarder is not None:
            try:
                forwarder.flush(self.policy.forwarder.flush_budget_ms)
            except Exception as exc:
                self.reporter.internal_error("forwarder", exc, self.policy.fail_mode)
