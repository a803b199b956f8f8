"""The runtime policy (``hullguard.yml``): typed, validated, immutable.

``RuntimePolicy.from_dict(data, source="hullguard.yml")`` checks every key and value and raises
``RuntimePolicyError`` listing each problem as ``<source>: <key path>: <problem>``, e.g.
``hullguard.yml: network.allow[2]: '10.0.0.0/33' is not a valid CIDR``. Unknown keys are errors, so a
typo never silently turns a control off. Standard library only; the sections are NamedTuples
because they are built at every cold start and cost a fraction of a dataclass to define.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ipaddress  # imported when an IP or CIDR entry is parsed: most policies have none
    from typing import Any, NamedTuple
else:  # typing.NamedTuple would import typing and compile every annotation at each cold start
    from hullguard.events.record import NamedTuple

BLOCK, ALERT, ALLOW = "block", "alert", "allow"
LEVELS = (BLOCK, ALERT, ALLOW)
MODES = (BLOCK, ALERT)

# What the issue asks to be blocked with no policy at all; network is reported until an allow-list exists.
SOURCE_EXTENSIONS = (".py", ".pyc", ".pyo", ".pyw", ".pyi", ".pth")


class RuntimePolicyError(ValueError):
    """The policy is invalid; ``problems`` holds one ``<key path>: <problem>`` string per fault."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


class NetRule(NamedTuple):
    """One allow-list entry: a host name, a domain suffix or an IP network, optionally one port."""

    kind: str  # "host", "suffix" or "cidr"
    value: str  # lower-case host, suffix with leading dot, or network text
    port: int | None = None
    text: str = ""  # as written in the policy, quoted back in events
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None


class NetworkPolicy(NamedTuple):
    action: str = ALERT  # for destinations not on the allow-list
    allow: tuple[NetRule, ...] = ()
    aws_endpoints: bool = True  # *.<region>.amazonaws.com and *.<region>.api.aws
    metadata: str = BLOCK  # 169.254.0.0/16 and fd00:ec2::/32: no Lambda needs them, SSRF does


class ProcessesPolicy(NamedTuple):
    action: str = BLOCK
    allow: tuple[str, ...] = ()  # executable names/paths, or command-line globs when they contain a space


class FilesPolicy(NamedTuple):
    source_read: str = BLOCK  # code under LAMBDA_TASK_ROOT read as data (imports still work)
    source_extensions: tuple[str, ...] = SOURCE_EXTENSIONS
    secrets: str = BLOCK  # /proc/*/environ, /proc/*/mem, ...
    deny_read: tuple[str, ...] = ()  # extra globs treated like process secrets
    allow_read: tuple[str, ...] = ()  # globs exempted from the two rules above


class TmpPolicy(NamedTuple):
    read: str = ALLOW  # for /tmp paths not in ``allow``
    write: str = ALLOW
    allow: tuple[str, ...] = ()  # globs always readable and writable
    cleanup: str = "warn"  # delete | warn | off: what an invocation leaves behind
    keep: tuple[str, ...] = ()  # globs never cleaned (deliberate caches)


class CodePolicy(NamedTuple):
    event_eval: str = BLOCK  # eval/exec/compile of a string that came from the event
    pickle: str = BLOCK  # pickle loads that construct objects (find_class)
    pickle_allow: tuple[str, ...] = ()  # "module.name" globs allowed to be unpickled
    marshal: str = BLOCK  # marshal.loads outside the import system
    native_libraries: str = ALERT  # ctypes loading a library after start-up


class CredentialsPolicy(NamedTuple):
    responses: str = BLOCK  # block = the function's AWS keys are masked in the response
    logs: str = BLOCK  # stdout, stderr and logging
    remove_from_environ: bool = False  # boto3 keeps working through a private provider


class ErrorsPolicy(NamedTuple):
    verbose: str = BLOCK  # block = caller gets a generic error with the request id
    message: str = "Internal server error"


class InvokersPolicy(NamedTuple):
    action: str = BLOCK  # applies only when a list below is non-empty
    triggers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # ARN globs
    accounts: tuple[str, ...] = ()


class LimitsPolicy(NamedTuple):
    event_size: str = ALERT
    max_event_bytes: int = 1024 * 1024
    timeout: str = ALERT
    timeout_margin_ms: int = 1000


class ForwarderPolicy(NamedTuple):
    url: str = ""  # console base URL (events go to <url>/api/v1/events) or any https endpoint
    api_key_env: str = "HULLGUARD_API_KEY"  # keys never live in the policy file itself
    endpoint_is_console: bool = True
    batch_size: int = 50
    flush_budget_ms: int = 5
    timeout_ms: int = 2000
    max_queue: int = 1000


class LearnPolicy(NamedTuple):
    enabled: bool = False


class SeccompPolicy(NamedTuple):
    enabled: bool = False
    deny: tuple[str, ...] = ("execve", "execveat")


class RuntimePolicy(NamedTuple):
    mode: str = BLOCK
    fail_mode: str = "open"  # what an internal hullguard error does: open = let the operation run
    firewall: Mapping[str, Any] = MappingProxyType({})
    network: NetworkPolicy = NetworkPolicy()
    processes: ProcessesPolicy = ProcessesPolicy()
    files: FilesPolicy = FilesPolicy()
    code: CodePolicy = CodePolicy()
    credentials: CredentialsPolicy = CredentialsPolicy()
    tmp: TmpPolicy = TmpPolicy()
    errors: ErrorsPolicy = ErrorsPolicy()
    invokers: InvokersPolicy = InvokersPolicy()
    limits: LimitsPolicy = LimitsPolicy()
    forwarder: ForwarderPolicy = ForwarderPolicy()
    learn: LearnPolicy = LearnPolicy()
    seccomp: SeccompPolicy = SeccompPolicy()
    source: str = "<defaults>"

    @classmethod
    def from_dict(cls, data: Any, source: str = "<policy>") -> RuntimePolicy:
        """Validate ``data`` (a parsed YAML/JSON document) and build the policy."""
        reader = _Reader(source)
        if data is None:
            data = {}
        top = reader.section(data, "", _TOP_KEYS)
        policy = cls(
            mode=reader.choice(top, "mode", MODES, BLOCK),
            fail_mode=reader.choice(top, "fail_mode", ("open", "closed"), "open"),
            firewall=_firewall(reader, top.get("firewall")),
            network=_network(reader, top.get("network")),
            processes=_processes(reader, top.get("processes")),
            files=_files(reader, top.get("files")),
            code=_code(reader, top.get("code")),
            credentials=_credentials(reader, top.get("credentials")),
            tmp=_tmp(reader, top.get("tmp")),
            errors=_errors(reader, top.get("errors")),
            invokers=_invokers(reader, top.get("invokers")),
            limits=_limits(reader, top.get("limits")),
            forwarder=_forwarder(reader, top.get("forwarder")),
            learn=_learn(reader, top.get("learn")),
            seccomp=_seccomp(reader, top.get("seccomp")),
            source=source,
        )
        if reader.problems:
            raise RuntimePolicyError(source, reader.problems)
        return policy


_TOP_KEYS = (
    "mode", "fail_mode", "firewall", "network", "processes", "files", "code", "credentials", "tmp",
    "errors", "invokers", "limits", "forwarder", "learn", "seccomp", "version",
)


class _Reader:
    """Collects every problem instead of stopping at the first, so one run shows them all."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def fail(self, path: str, problem: str) -> None:
        self.problems.append(f"{path or '<top level>'}: {problem}")

    def section(self, value: Any, path: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.fail(path, f"must be a mapping, got {type(value).__name__}")
            return {}
        for key in value:
            if key not in keys:
                self.fail(_join(path, str(key)), f"unknown key (expected one of: {', '.join(keys)})")
        return value

    def choice(self, data: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str,
               path: str = "") -> str:
        value = data.get(key, default)
        full = _join(path, key)
        if value is False:  # YAML 1.1 reads a bare `off` (or `no`) as false
            value = "off" if "off" in allowed else ALLOW if ALLOW in allowed else value
        if not isinstance(value, str) or value.lower() not in allowed:
            self.fail(full, f"{value!r} is not one of {', '.join(allowed)}")
            return default
        return value.lower()

    def boolean(self, data: Mapping[str, Any], path: str, default: bool) -> bool:
        key = path.rsplit(".", 1)[-1]
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(path, f"{value!r} must be true or false")
            return default
        return value

    def integer(self, data: Mapping[str, Any], path: str, default: int, minimum: int = 0) -> int:
        key = path.rsplit(".", 1)[-1]
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(path, f"{value!r} must be an integer >= {minimum}")
            return default
        return value

    def text(self, data: Mapping[str, Any], path: str, default: str) -> str:
        key = path.rsplit(".", 1)[-1]
        value = data.get(key, default)
        if not isinstance(value, str):
            self.fail(path, f"{value!r} must be a string")
            return default
        return value

    def strings(self, data: Mapping[str, Any], path: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        key = path.rsplit(".", 1)[-1]
        value = data.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.fail(path, f"must be a list of strings, got {type(value).__name__}")
            return default
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{path}[{i}]", f"{item!r} must be a non-empty string")
            else:
                out.append(item.strip())
        return tuple(out)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _firewall(reader: _Reader, value: Any) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        reader.fail("firewall", f"must be a mapping, got {type(value).__name__}")
        return {}
    try:
        from hullguard.firewall import policy as fw_policy  # the firewall validates its own keys
    except ImportError:
        return dict(value)
    try:
        fw_policy.FirewallPolicy.from_dict(dict(value))
    except fw_policy.PolicyError as exc:  # its messages already start with the key path
        message = str(exc)
        reader.problems.append(message if message.startswith("firewall") else f"firewall: {message}")
    except Exception as exc:  # a firewall bug must not hide the runtime policy's own errors
        reader.fail("firewall", f"could not be checked: {exc}")
    return dict(value)


def _network(reader: _Reader, value: Any) -> NetworkPolicy:
    data = reader.section(value, "network", ("action", "allow", "aws_endpoints", "metadata"))
    rules = tuple(
        rule for i, text in enumerate(reader.strings(data, "network.allow"))
        if (rule := parse_net_rule(text, f"network.allow[{i}]", reader)) is not None
    )
    default_action = BLOCK if rules else ALERT
    return NetworkPolicy(
        action=reader.choice(data, "action", LEVELS, default_action, "network"),
        allow=rules,
        aws_endpoints=reader.boolean(data, "network.aws_endpoints", True),
        metadata=reader.choice(data, "metadata", LEVELS, BLOCK, "network"),
    )


def parse_net_rule(text: str, path: str, reader: _Reader) -> NetRule | None:
    """``host``, ``*.domain``/``.domain``, ``1.2.3.4``, ``10.0.0.0/8``, ``[::1]``; each optionally ``:port``."""
    host, port = text.strip(), None
    if host.startswith("["):  # [IPv6] or [IPv6]:port
        end = host.find("]")
        if end < 0:
            reader.fail(path, f"{text!r} has an unclosed '['")
            return None
        rest, host = host[end + 1:], host[1:end]
        if rest:
            if not rest.startswith(":"):
                reader.fail(path, f"{text!r}: unexpected text after ']'")
                return None
            port = _port(rest[1:], text, path, reader)
    elif host.count(":") == 1:  # host:port or cidr:port (a bare IPv6 address has several colons)
        host, port_text = host.split(":")
        port = _port(port_text, text, path, reader)
    if port == -1:
        return None
    if "/" in host or _looks_like_ip(host):
        import ipaddress

        try:
            network = ipaddress.ip_network(host, strict=False)
        except ValueError:
            what = "CIDR" if "/" in host else "IP address"
            reader.fail(path, f"{host!r} is not a valid {what}")
            return None
        return NetRule("cidr", str(network), port, text, network)
    name = host.lower().rstrip(".")
    if name.startswith("*."):
        name = name[1:]
    if name.startswith("."):
        kind = "suffix"
        label_part = name[1:]
    else:
        kind = "host"
        label_part = name
    labels = label_part.split(".")
    if not label_part or any(not lab or len(lab) > 63 or not _is_label(lab) for lab in labels):
        reader.fail(path, f"{text!r} is not a valid host name, *.domain suffix, IP address or CIDR")
        return None
    return NetRule(kind, name, port, text)


def _port(text: str, whole: str, path: str, reader: _Reader) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        reader.fail(path, f"{whole!r}: port {text!r} must be a number from 1 to 65535")
        return -1
    return int(text)


def _looks_like_ip(host: str) -> bool:
    return ":" in host or host.replace(".", "").isdigit()


def _is_label(label: str) -> bool:
    return all(c.isalnum() or c in "-_" for c in label) and label.isascii()


def _processes(reader: _Reader, value: Any) -> ProcessesPolicy:
    data = reader.section(value, "processes", ("action", "allow"))
    return ProcessesPolicy(
        action=reader.choice(data, "action", LEVELS, BLOCK, "processes"),
        allow=reader.strings(data, "processes.allow"),
    )


def _files(reader: _Reader, value: Any) -> FilesPolicy:
    data = reader.section(value, "files", ("source_read", "source_extensions", "secrets", "deny_read", "allow_read"))
    extensions = reader.strings(data, "files.source_extensions", SOURCE_EXTENSIONS)
    for i, ext in enumerate(extensions):
        if not ext.startswith("."):
            reader.fail(f"files.source_extensions[{i}]", f"{ext!r} must start with '.'")
    return FilesPolicy(
        source_read=reader.choice(data, "source_read", LEVELS, BLOCK, "files"),
        source_extensions=tuple(e.lower() for e in extensions),
        secrets=reader.choice(data, "secrets", LEVELS, BLOCK, "files"),
        deny_read=_absolute_globs(reader, data, "files.deny_read"),
        allow_read=_absolute_globs(reader, data, "files.allow_read"),
    )


def _absolute_globs(reader: _Reader, data: Mapping[str, Any], path: str) -> tuple[str, ...]:
    globs = reader.strings(data, path)
    for i, glob in enumerate(globs):
        if not glob.startswith("/"):
            reader.fail(f"{path}[{i}]", f"{glob!r} must be an absolute path or glob")
    return globs


def _tmp(reader: _Reader, value: Any) -> TmpPolicy:
    data = reader.section(value, "tmp", ("read", "write", "allow", "cleanup", "keep"))
    return TmpPolicy(
        read=reader.choice(data, "read", LEVELS, ALLOW, "tmp"),
        write=reader.choice(data, "write", LEVELS, ALLOW, "tmp"),
        allow=_absolute_globs(reader, data, "tmp.allow"),
        cleanup=reader.choice(data, "cleanup", ("delete", "warn", "off"), "warn", "tmp"),
        keep=_absolute_globs(reader, data, "tmp.keep"),
    )


def _code(reader: _Reader, value: Any) -> CodePolicy:
    data = reader.section(value, "code", ("event_eval", "pickle", "pickle_allow", "marshal", "native_libraries"))
    return CodePolicy(
        event_eval=reader.choice(data, "event_eval", LEVELS, BLOCK, "code"),
        pickle=reader.choice(data, "pickle", LEVELS, BLOCK, "code"),
        pickle_allow=reader.strings(data, "code.pickle_allow"),
        marshal=reader.choice(data, "marshal", LEVELS, BLOCK, "code"),
        native_libraries=reader.choice(data, "native_libraries", LEVELS, ALERT, "code"),
    )


def _credentials(reader: _Reader, value: Any) -> CredentialsPolicy:
    data = reader.section(value, "credentials", ("responses", "logs", "remove_from_environ"))
    return CredentialsPolicy(
        responses=reader.choice(data, "responses", LEVELS, BLOCK, "credentials"),
        logs=reader.choice(data, "logs", LEVELS, BLOCK, "credentials"),
        remove_from_environ=reader.boolean(data, "credentials.remove_from_environ", False),
    )


def _errors(reader: _Reader, value: Any) -> ErrorsPolicy:
    data = reader.section(value, "errors", ("verbose", "message"))
    return ErrorsPolicy(
        verbose=reader.choice(data, "verbose", LEVELS, BLOCK, "errors"),
        message=reader.text(data, "errors.message", "Internal server error"),
    )


def _invokers(reader: _Reader, value: Any) -> InvokersPolicy:
    data = reader.section(value, "invokers", ("action", "triggers", "sources", "accounts"))
    accounts = reader.strings(data, "invokers.accounts")
    for i, account in enumerate(accounts):
        if not (account.isdigit() and len(account) == 12):
            reader.fail(f"invokers.accounts[{i}]", f"{account!r} is not a 12-digit AWS account id")
    sources = reader.strings(data, "invokers.sources")
    for i, arn in enumerate(sources):
        if not arn.startswith("arn:"):
            reader.fail(f"invokers.sources[{i}]", f"{arn!r} is not an ARN (or ARN glob) starting with 'arn:'")
    return InvokersPolicy(
        action=reader.choice(data, "action", LEVELS, BLOCK, "invokers"),
        triggers=tuple(t.lower() for t in reader.strings(data, "invokers.triggers")),
        sources=sources,
        accounts=accounts,
    )


def _limits(reader: _Reader, value: Any) -> LimitsPolicy:
    data = reader.section(value, "limits", ("event_size", "max_event_bytes", "timeout", "timeout_margin_ms"))
    return LimitsPolicy(
        event_size=reader.choice(data, "event_size", LEVELS, ALERT, "limits"),
        max_event_bytes=reader.integer(data, "limits.max_event_bytes", 1024 * 1024, minimum=1),
        timeout=reader.choice(data, "timeout", LEVELS, ALERT, "limits"),
        timeout_margin_ms=reader.integer(data, "limits.timeout_margin_ms", 1000),
    )


def _forwarder(reader: _Reader, value: Any) -> ForwarderPolicy:
    data = reader.section(value, "forwarder", (
        "url", "api_key_env", "endpoint_is_console", "batch_size", "flush_budget_ms", "timeout_ms", "max_queue",
    ))
    url = reader.text(data, "forwarder.url", "")
    if url and not (url.startswith("https://") or url.startswith("http://127.") or url.startswith("http://localhost")):
        reader.fail("forwarder.url", f"{url!r} must be an https:// URL (plain http only for loopback)")
    return ForwarderPolicy(
        url=url,
        api_key_env=reader.text(data, "forwarder.api_key_env", "HULLGUARD_API_KEY"),
        endpoint_is_console=reader.boolean(data, "forwarder.endpoint_is_console", True),
        batch_size=reader.integer(data, "forwarder.batch_size", 50, minimum=1),
        flush_budget_ms=reader.integer(data, "forwarder.flush_budget_ms", 5),
        timeout_ms=reader.integer(data, "forwarder.timeout_ms", 2000, minimum=1),
        max_queue=reader.integer(data, "forwarder.max_queue", 1000, minimum=1),
    )


def _learn(reader: _Reader, value: Any) -> LearnPolicy:
    data = reader.section(value, "learn", ("enabled",))
    return LearnPolicy(enabled=reader.boolean(data, "learn.enabled", False))


def _seccomp(reader: _Reader, value: Any) -> SeccompPolicy:
    from hullguard.runtime.syscalls import KNOWN_SYSCALLS, NEVER_DENY

    data = reader.section(value, "seccomp", ("enabled", "deny"))
    deny = reader.strings(data, "seccomp.deny", ("execve", "execveat"))
    for i, name in enumerate(deny):
        if name not in KNOWN_SYSCALLS:
            reader.fail(f"seccomp.deny[{i}]", f"{name!r} is not a system call hullguard knows "
                        f"(known: {', '.join(sorted(KNOWN_SYSCALLS - NEVER_DENY))})")
        elif name in NEVER_DENY:
            reader.fail(f"seccomp.deny[{i}]", f"{name!r} cannot be denied: the Python runtime needs it")
    return SeccompPolicy(enabled=reader.boolean(data, "seccomp.enabled", False), deny=deny)
