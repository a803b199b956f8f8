"""Child processes: deny by default, or an allow-list of executables and command lines.

Audit events cover ``subprocess.Popen`` (before the fork), ``os.system``, ``os.exec*``,
``os.posix_spawn*``, ``os.spawn*`` and ``os.forkpty`` (``pty.spawn``). A forked child that tries to
exec something forbidden is stopped with ``os._exit(126)``: raising there would let a copy of the
handler carry on in the child. ``_posixsubprocess`` and ctypes can bypass all of this; the seccomp
mode closes that gap.
"""

from __future__ import annotations

import fnmatch
import os

from hullguard.events.schema import Severity
from hullguard.runtime.hooks import HANDLERS, Blocked
from hullguard.runtime.policy import ALLOW, ProcessesPolicy
from hullguard.runtime.report import Reporter, Rule
from hullguard.runtime.state import STATE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CHILD_PROCESS = Rule("HG-RT-PROC-001", "Child process started", "child-process", "over-privileged",
                     Severity.HIGH, "CWE-78")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class ProcessControl:
    def __init__(self, policy: ProcessesPolicy, reporter: Reporter) -> None:
        self.policy = policy
        self.reporter = reporter

    def install(self) -> None:
        HANDLERS["subprocess.Popen"] = self.on_popen
        HANDLERS["os.system"] = self.on_system
        HANDLERS["os.exec"] = self.on_exec
        HANDLERS["os.posix_spawn"] = self.on_exec
        HANDLERS["os.spawn"] = self.on_spawn
        HANDLERS["os.forkpty"] = self.on_forkpty

    def on_popen(self, args: tuple[Any, ...]) -> None:
        executable, argv = args[0], args[1]
        words = [_text(argv)] if isinstance(argv, (str, bytes)) else [_text(a) for a in (argv or [])]
        self.check(_text(executable) if executable else (words[0].split()[0] if words and words[0] else ""), words)

    def on_system(self, args: tuple[Any, ...]) -> None:
        command = _text(args[0])
        self.check("/bin/sh", ["/bin/sh", "-c", command])

    def on_exec(self, args: tuple[Any, ...]) -> None:
        self.check(_text(args[0]), [_text(a) for a in (args[1] or [])])

    def on_spawn(self, args: tuple[Any, ...]) -> None:
        self.check(_text(args[1]), [_text(a) for a in (args[2] or [])])

    def on_forkpty(self, args: tuple[Any, ...]) -> None:
        self.check("(pty)", ["(pty.spawn / os.forkpty)"])

    def allowed(self, executable: str, words: list[str]) -> bool:
        line = " ".join(words)
        shell_command = words[2] if len(words) >= 3 and words[1] == "-c" else ""
        base = os.path.basename(executable)
        for entry in self.policy.allow:
            if " " in entry or "*" in entry:
                if fnmatch.fnmatchcase(line, entry) or (shell_command and fnmatch.fnmatchcase(shell_command, entry)):
                    return True
            elif not shell_command and entry in (executable, base):
                return True
        return False

    def check(self, executable: str, words: list[str]) -> None:
        level = ALLOW if self.allowed(executable, words) else self.policy.action
        command = " ".join(words)[:300]
        if level == ALLOW and not self.reporter.learn:
            return
        block = self.reporter.decide(
            level, CHILD_PROCESS, location=executable or command, evidence=command,
            policy_rule="processes.allow" if level == ALLOW else "processes.action",
            observed={"kind": "process", "value": os.path.basename(executable) or command,
                      "executable": executable, "command": command},
        )
        if block:
            if os.getpid() != STATE.pid:  # in a forked child: the only safe stop is to leave now
                os._exit(126)
            raise Blocked(f"child process {executable!r}", "processes")
