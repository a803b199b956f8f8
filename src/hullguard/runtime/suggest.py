"""Learn mode's other half: turn recorded runtime events into a least-privilege ``hullguard.yml``.

Input is what the function printed (JSON lines, possibly with CloudWatch prefixes such as a
timestamp and request id before the JSON): every runtime event whose detail carries ``observed``
counts, whatever its action. What was never observed stays blocked. Two things are never allowed
automatically, only named in a comment: process secrets and code compiled from event data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hullguard.runtime.state import TMP_ROOT

SCHEMA_MARK = '{"schema":"hullguard.event/1"'
AWS_SUFFIXES = (".amazonaws.com", ".api.aws")
SHELL_PREFIX = "/bin/sh -c "
WILDCARD_AFTER = 3  # this many sibling hosts under one domain become *.domain


@dataclass
class Observations:
    hosts: set[tuple[str, int]] = field(default_factory=set)
    aws: bool = False
    processes: set[str] = field(default_factory=set)
    tmp_reads: set[str] = field(default_factory=set)
    tmp_writes: set[str] = field(default_factory=set)
    source_reads: set[str] = field(default_factory=set)
    secret_reads: set[str] = field(default_factory=set)
    pickles: set[str] = field(default_factory=set)
    native: set[str] = field(default_factory=set)
    marshal: bool = False
    event_eval: int = 0
    triggers: set[str] = field(default_factory=set)
    modules: set[str] = field(default_factory=set)
    events: int = 0


def read_events(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Security events found in log lines; other lines are skipped."""
    out: list[dict[str, Any]] = []
    for line in lines:
        start = line.find(SCHEMA_MARK)
        if start < 0:
            continue
        try:
            data = json.loads(line[start:])
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            out.append(data)
    return out


def observe(events: Iterable[dict[str, Any]]) -> Observations:
    obs = Observations()
    for event in events:
        extra = event.get("unmapped") or {}
        observed = (extra.get("detail") or {}).get("observed")
        if extra.get("source") != "runtime" or not isinstance(observed, dict):
            continue
        obs.events += 1
        kind = observed.get("kind")
        value = str(observed.get("value", ""))
        if kind == "host":
            host = str(observed.get("host") or "").lower()
            if host.endswith(AWS_SUFFIXES):
                obs.aws = True
            elif host:
                obs.hosts.add((host, int(observed.get("port") or 0)))
        elif kind == "process":
            command = str(observed.get("command") or "")
            if command.startswith(SHELL_PREFIX):  # a shell: only the exact command line seen is allowed
                obs.processes.add(_glob_escape(command[len(SHELL_PREFIX):]))
            else:
                obs.processes.add(str(observed.get("executable") or value))
        elif kind == "file":
            path, access = str(observed.get("path", "")), observed.get("access")
            if path.startswith("/proc/"):
                obs.secret_reads.add(path)
            elif path.startswith(TMP_ROOT):
                (obs.tmp_writes if access == "write" else obs.tmp_reads).add(path)
            else:
                obs.source_reads.add(path)
        elif kind == "pickle":
            obs.pickles.add(value)
        elif kind == "native-library":
            obs.native.add(value)
        elif kind == "marshal":
            obs.marshal = True
        elif kind == "dynamic-code":
            obs.event_eval += 1
        elif kind == "trigger":
            obs.triggers.add(value)
        elif kind == "module":
            obs.modules.add(value.split(".")[0])
    return obs


def _network_entries(hosts: set[tuple[str, int]]) -> list[str]:
    by_parent: dict[str, list[tuple[str, int]]] = {}
    for host, port in hosts:
        labels = host.split(".")
        parent = ".".join(labels[-2:]) if len(labels) > 2 and not host.replace(".", "").isdigit() else ""
        by_parent.setdefault(parent, []).append((host, port))
    entries: list[str] = []
    for parent, members in sorted(by_parent.items()):
        ports = {p for _, p in members}
        if parent and len({h for h, _ in members}) >= WILDCARD_AFTER and len(ports) == 1:
            entries.append(f"*.{parent}:{ports.pop()}")
            continue
        entries.extend(f"{h}:{p}" if p else h for h, p in sorted(members))
    return entries


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _dir_globs(paths: set[str]) -> list[str]:
    return sorted({(p.rsplit("/", 1)[0] or TMP_ROOT) + "/*" for p in paths})


def _quote(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid YAML scalar, quoting included


def _list(key: str, items: Iterable[str], indent: str = "  ") -> list[str]:
    values = list(items)
    if not values:
        return [f"{indent}{key}: []"]
    return [f"{indent}{key}:"] + [f"{indent}  - {_quote(v)}" for v in values]


def suggest_policy(obs: Observations, source: str = "") -> str:
    """The least-privilege policy for what was observed, as commented YAML."""
    lines = [
        f"# hullguard runtime policy suggested from {obs.events} learn-mode observation(s)"
        f"{' in ' + source if source else ''}.",
        "# Review it, then deploy it as hullguard.yml next to the handler. Anything not listed stays blocked.",
        "mode: block",
        "network:",
        "  action: block",
        f"  aws_endpoints: {'true' if obs.aws else 'false'}",
        *_list("allow", _network_entries(obs.hosts)),
        "processes:",
        f"  action: {'block' if not obs.processes else 'block  # only the executables below may run'}",
        *_list("allow", sorted(obs.processes)),
        "files:",
        "  source_read: block",
        "  secrets: block",
    ]
    if obs.source_reads:
        lines += _list("allow_read", sorted(obs.source_reads))
    if obs.secret_reads:
        lines.append("  # process secrets were read (" + ", ".join(sorted(obs.secret_reads)[:5]) + "): kept blocked")
    lines += [
        "tmp:",
        "  read: " + ("block" if not obs.tmp_reads and not obs.tmp_writes else "block  # outside the paths below"),
        "  write: " + ("block" if not obs.tmp_writes else "block  # outside the paths below"),
        *_list("allow", _dir_globs(obs.tmp_reads | obs.tmp_writes)),
        "  cleanup: delete",
        "code:",
        "  event_eval: block" + (f"  # observed {obs.event_eval} time(s): fix the code, do not allow it"
                                 if obs.event_eval else ""),
        "  pickle: block",
        *_list("pickle_allow", sorted(obs.pickles)),
        f"  marshal: {'alert' if obs.marshal else 'block'}",
        f"  native_libraries: {'alert' if obs.native else 'block'}",
        "credentials:",
        "  responses: block",
        "  logs: block",
        "errors:",
        "  verbose: block",
    ]
    if obs.triggers:
        lines += ["invokers:", "  action: block", *_list("triggers", sorted(obs.triggers))]
    if obs.modules:
        lines.append("# modules imported: " + ", ".join(sorted(obs.modules)[:40]))
    return "\n".join(lines) + "\n"
