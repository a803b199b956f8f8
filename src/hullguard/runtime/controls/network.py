"""Outbound network: judge every ``socket.connect``/``sendto`` by the host name the code asked for.

``socket.getaddrinfo`` is wrapped so each answer teaches us "this IP was the answer for that name";
the ``socket.connect`` audit event then judges the destination by the name (allow-list entries are
host names, ``*.domain`` suffixes, IPs/CIDRs, each optionally with a port). Verdicts are cached per
(ip, port) until a new name is learned, so a warm connect costs a dict lookup.

With a block policy whose allow-list has no CIDR entries, a name the list cannot match is refused
before it is even looked up (DNS queries can carry data out).

Nothing here imports ``socket`` or ``ipaddress`` at cold start: the ``getaddrinfo`` wrapper is put in
place when the function's code first imports ``socket`` (``imports.when_imported``), and ``ipaddress``
is loaded with it, outside any audit hook, before the first connection can be judged.

Always allowed: the Lambda Runtime API (``AWS_LAMBDA_RUNTIME_API``) and the X-Ray daemon. The cloud
metadata range (169.254.0.0/16, fd00:ec2::/32) has its own switch, blocked by default: nothing in
Lambda needs it and SSRF payloads aim for it.
"""

from __future__ import annotations

import contextlib
import os
import sys

from hullguard.events.schema import Severity
from hullguard.runtime import hooks, imports
from hullguard.runtime.hooks import HANDLERS, Blocked
from hullguard.runtime.policy import ALLOW, BLOCK, NetRule, NetworkPolicy
from hullguard.runtime.report import Reporter, Rule
from hullguard.runtime.state import STATE

UNLISTED = Rule("HG-RT-NET-001", "Outbound connection to a destination not on the allow-list", "outbound-network",
                "over-privileged", Severity.HIGH, "CWE-918")
METADATA = Rule("HG-RT-NET-002", "Connection to the cloud metadata address range (SSRF)", "outbound-network",
                "event-injection", Severity.CRITICAL, "CWE-918")

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ipaddress
    from collections.abc import Callable
    from types import ModuleType
    from typing import Any

_ALLOWED = ("allow", "", "")  # (level, rule text, policy rule) of an allowed destination
_CURRENT: list[NetworkControl] = []  # the control whose wrapper socket.getaddrinfo must be


def _ipaddress() -> ModuleType:
    """``ipaddress``, loaded on first need (normally already loaded with ``socket``, see ``_on_socket``)."""
    import ipaddress  # a dict lookup in sys.modules once loaded

    return ipaddress


_METADATA_TEXT = ("169.254.0.0/16", "fd00:ec2::/32")
_metadata_nets: tuple[Any, ...] = ()


def _metadata() -> tuple[Any, ...]:
    global _metadata_nets
    if not _metadata_nets:
        ip = _ipaddress()
        _metadata_nets = tuple(ip.ip_network(text) for text in _METADATA_TEXT)
    return _metadata_nets


def _is_ip(text: str) -> bool:
    try:
        _ipaddress().ip_address(text)
    except ValueError:
        return False
    return True


def _numeric_host(host: str) -> Any:
    """The address the C library reads in ``2852039166``, ``0xa9fea9fe`` or ``0251.0376.0251.0376``
    (all 169.254.169.254): ``connect`` resolves such names itself, so they are judged as that address."""
    if not host or host.strip("0123456789abcdefxABCDEFX.") or host.count(".") > 3:
        return None  # not made of number characters only: a host name
    sock = sys.modules.get("_socket")  # loaded: a socket is connecting
    try:
        return _ipaddress().ip_address(sock.inet_aton(host)) if sock is not None else None
    except (OSError, ValueError):
        return None


def _on_socket(module: ModuleType) -> None:
    """``socket`` was just imported: load ``ipaddress`` now (not inside an audit hook) and wrap."""
    _metadata()
    if _CURRENT:
        _CURRENT[0].wrap_getaddrinfo(module)


def _host_port(value: str) -> tuple[str, int] | None:
    host, _, port = value.rpartition(":")
    return (host.strip("[]"), int(port)) if port.isdigit() else None


class NetworkControl:
    def __init__(self, policy: NetworkPolicy, reporter: Reporter, region: str = "") -> None:
        self.policy = policy
        self.reporter = reporter
        self.names: dict[str, str] = {}  # ip -> the name whose resolution answered it
        self.cache: dict[tuple[str, int], tuple[str, str, str]] = {}
        self.always: set[tuple[str, int]] = set()
        for var in ("AWS_LAMBDA_RUNTIME_API", "AWS_XRAY_DAEMON_ADDRESS"):
            hp = _host_port(os.environ.get(var, ""))
            if hp:
                self.always.add(hp)
                if hp[0] == "localhost":
                    self.always.update({("127.0.0.1", hp[1]), ("::1", hp[1])})
        self.aws_suffixes = (f".{region}.amazonaws.com", f".{region}.api.aws") if region else ()
        self.always_names = {host.lower() for host, _ in self.always}
        self.resolve_check = (policy.action == BLOCK and reporter.mode == BLOCK and not reporter.learn
                              and bool(policy.allow) and not any(r.kind == "cidr" for r in policy.allow))
        self._wrapper: Callable[..., Any] | None = None

    def install(self) -> None:
        HANDLERS["socket.connect"] = self.on_connect
        HANDLERS["socket.sendto"] = self.on_connect
        _CURRENT[:] = [self]
        if "socket" in sys.modules:
            _on_socket(sys.modules["socket"])
        elif not imports.pending("socket"):
            imports.when_imported("socket", _on_socket)

    def wrap_getaddrinfo(self, socket: Any) -> None:
        """Make ``socket.getaddrinfo`` this control's wrapper (each answer teaches us a name)."""
        if self._wrapper is None:
            real = socket.getaddrinfo
            if getattr(real, "__hullguard__", False):  # another guard in this process wrapped it already
                real = real.__wrapped__  # type: ignore[attr-defined]

            def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
                try:
                    self.before_resolve(host, port)
                except Blocked:
                    raise
                except Exception as exc:  # our bug: report it, the fail mode decides
                    if hooks.report_error("socket.getaddrinfo", exc):
                        raise Blocked(f"looking up {host!r}", "fail_mode: closed") from None
                answers = real(host, port, *args, **kwargs)
                with contextlib.suppress(Exception):  # learning refines judgement; it is never fatal
                    self.learn(host, answers)
                return answers

            getaddrinfo.__hullguard__ = True  # type: ignore[attr-defined]
            getaddrinfo.__wrapped__ = real  # type: ignore[attr-defined]
            self._wrapper = getaddrinfo
        socket.getaddrinfo = self._wrapper

    def before_resolve(self, host: Any, port: Any) -> None:
        """Refuse to even look up a name the allow-list cannot match: a DNS query can carry data out.

        Only when blocking is certain: an allow-list without CIDR entries (a CIDR could still allow
        whatever the name resolves to), block mode, not learning.
        """
        if not self.resolve_check or not isinstance(host, (str, bytes)):
            return
        name = (host.decode("idna", "replace") if isinstance(host, bytes) else host).lower().rstrip(".")
        if not name or _is_ip(name) or self._name_allowed(name) or STATE.is_internal():
            return
        location = f"{name}:{port}" if port not in (None, 0, "") else name
        if self.reporter.decide(self.policy.action, UNLISTED, location=location, policy_rule="network.allow",
                                evidence=f"DNS lookup of {name}",
                                observed={"kind": "host", "value": location, "host": name, "port": port}):
            raise Blocked(f"looking up {name}", "network.allow")

    def _name_allowed(self, name: str) -> bool:
        if name in self.always_names:
            return True
        if self.aws_suffixes and self.policy.aws_endpoints and name.endswith(self.aws_suffixes):
            return True
        return any(rule.kind != "cidr" and self._matches(rule, name, None, rule.port or 0)
                   for rule in self.policy.allow)

    def learn(self, host: Any, answers: Any) -> None:
        if isinstance(host, bytes):
            host = host.decode("idna", "replace")
        if not isinstance(host, str):
            return
        name = host.lower().rstrip(".")
        for answer in answers:
            ip = answer[4][0]
            if ip == name:  # an IP literal: the code asked for the address itself, forget older names
                if self.names.pop(ip, None) is not None:
                    self.cache.clear()
            elif self.names.get(ip) != name:
                self.names[ip] = name
                self.cache.clear()

    def on_connect(self, args: tuple[Any, ...]) -> None:
        address = args[1]
        if type(address) is not tuple or len(address) < 2:
            return  # AF_UNIX and friends: not the network
        key = (address[0], address[1])
        verdict = self.cache.get(key)
        if verdict is None:
            verdict = self.cache[key] = self.judge(str(address[0]), int(address[1]))
        if verdict is _ALLOWED:
            return
        if STATE.is_internal():
            return
        level, _rule_text, policy_rule = verdict
        ip, port = key
        name = self.names.get(ip, "")
        location = f"{name or ip}:{port}"
        is_metadata = policy_rule == "network.metadata"
        if self.reporter.decide(
            level, METADATA if is_metadata else UNLISTED, location=location, policy_rule=policy_rule,
            evidence=f"{name} ({ip}:{port})" if name else f"{ip}:{port}",
            observed={"kind": "host", "value": location, "host": name or ip, "ip": ip, "port": port},
        ):
            raise Blocked(f"connection to {location}", policy_rule)

    def judge(self, ip: str, port: int) -> tuple[str, str, str]:
        """(level, matching rule, policy key) for a destination; ``_ALLOWED`` when it may pass silently."""
        if (ip, port) in self.always:
            return _ALLOWED
        name = self.names.get(ip, "")
        try:
            ip_module = _ipaddress()
            addr: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ip_module.ip_address(ip)
        except ValueError:  # connect(("example.com", 80)) resolves inside C: judge the name itself
            addr, name = _numeric_host(ip), ip.lower().rstrip(".")
        mapped = getattr(addr, "ipv4_mapped", None)  # IPv6 only: ::ffff:a.b.c.d is judged as a.b.c.d
        if mapped is not None:
            addr = mapped
        for rule in self.policy.allow:
            if self._matches(rule, name, addr, port):
                return _allowed_or_learn(self.reporter, rule)
        if addr is not None and any(addr in net for net in _metadata()):
            return (self.policy.metadata, "169.254.0.0/16", "network.metadata")
        if name and self.policy.aws_endpoints and self.aws_suffixes and name.endswith(self.aws_suffixes):
            return _allowed_or_learn(self.reporter, None)
        return (self.policy.action, "", "network.allow")

    @staticmethod
    def _matches(rule: NetRule, name: str, addr: Any, port: int) -> bool:
        if rule.port is not None and rule.port != port:
            return False
        if rule.kind == "host":
            return name == rule.value
        if rule.kind == "suffix":
            return bool(name) and (name.endswith(rule.value) or name == rule.value[1:])
        return addr is not None and rule.network is not None and addr.version == rule.network.version \
            and addr in rule.network


def _allowed_or_learn(reporter: Reporter, rule: NetRule | None) -> tuple[str, str, str]:
    # In learn mode allowed destinations are still observed (and cached as such), so they are recorded once.
    if reporter.learn:
        return (ALLOW, rule.text if rule else "aws_endpoints", "network.allow")
    return _ALLOWED
