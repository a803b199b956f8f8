"""File system: the handler's source, process secrets and ``/tmp``, judged on the ``open`` audit event.

Fast path first: most opens are neither under ``/proc``, ``/tmp`` nor the task root, and cost one
``startswith`` with a tuple of prefixes. Paths with ``..``, ``//`` or ``/.`` are normalised; ``/proc/<pid>/root|cwd|fd``
and ``/dev/fd`` indirections are resolved, and ``os.symlink``/``os.link`` into a protected place are
judged like a read of the target.

Imports keep working: a read of a ``.py``/``.pyc`` under ``LAMBDA_TASK_ROOT`` is allowed when the two
frames above it belong to the import system; the same file opened by anyone else is a data read.
``linecache`` (tracebacks) is refused quietly, which also keeps source lines out of error output.

The same events tell the ``/tmp`` cleaner what an invocation creates: an ``open`` with ``O_CREAT``,
``mkdir``, ``rename``, ``symlink`` or ``link`` whose target under ``/tmp`` does not exist yet (the hook
runs before the system call, so one ``lstat`` tells) is noted on the invocation. The cleaner then
knows what to delete without walking ``/tmp``.
"""

from __future__ import annotations

import fnmatch
import os
import sys

from hullguard.events.schema import Severity
from hullguard.runtime.hooks import HANDLERS, Blocked
from hullguard.runtime.policy import ALLOW, BLOCK, FilesPolicy, TmpPolicy
from hullguard.runtime.report import Reporter, Rule
from hullguard.runtime.state import STATE, TMP_ROOT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SOURCE_READ = Rule("HG-RT-FILE-001", "Handler source code read as data", "file-access", "over-privileged",
                   Severity.HIGH, "CWE-540")
SECRET_READ = Rule("HG-RT-FILE-002", "Process secrets read (environment, memory)", "file-access",
                   "credential-leakage", Severity.CRITICAL, "CWE-214")
DENIED_READ = Rule("HG-RT-FILE-003", "Read of a path the policy denies", "file-access", "over-privileged",
                   Severity.HIGH, "CWE-552")
TMP_ACCESS = Rule("HG-RT-TMP-001", f"{TMP_ROOT} access the policy does not allow", "tmp-access",
                  "cross-execution-persistence", Severity.MEDIUM, "CWE-377")

# Entries of /proc/<pid>[/task/<tid>]/ that expose secrets, and those that lead elsewhere. Matched by
# splitting the path (no regular expression to compile at every cold start).
_SECRET_ENTRIES = frozenset(("environ", "mem", "auxv", "stack", "syscall", "pagemap", "mountinfo", "maps", "smaps",
                             "map_files"))
_INDIRECT_ENTRIES = frozenset(("root", "cwd", "fd", "exe"))
_IMPORT_FILES = ("<frozen importlib._bootstrap_external>", "<frozen importlib._bootstrap>", "<frozen zipimport>")
MAX_TRACKED = 10_000  # distinct /tmp paths noted per invocation
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def proc_entry(path: str) -> str:
    """``environ`` for ``/proc/self/environ``, ``/proc/12/task/13/environ/x``...; "" for anything else."""
    if not path.startswith("/proc/"):
        return ""
    parts = path[6:].split("/", 4)
    pid = parts[0]
    if pid != "self" and pid != "thread-self" and not pid.isdecimal():
        return ""
    if len(parts) > 3 and parts[1] == "task" and parts[2].isdecimal():
        return parts[3]  # a thread's entries are the process's
    return parts[1] if len(parts) > 1 else ""


def is_secret(path: str) -> bool:
    return proc_entry(path) in _SECRET_ENTRIES


def is_indirect(path: str) -> bool:
    """``/proc/<pid>/root|cwd|fd|exe`` and ``/dev/fd``: paths that lead somewhere else."""
    return path == "/dev/fd" or path.startswith("/dev/fd/") or proc_entry(path) in _INDIRECT_ENTRIES


def _is_import(depth: int) -> bool:
    """True when the two frames that asked for the open belong to the import system."""
    try:
        frame = sys._getframe(depth)
    except ValueError:
        return False
    return frame.f_code.co_filename in _IMPORT_FILES and frame.f_back is not None \
        and frame.f_back.f_code.co_filename in _IMPORT_FILES


def _is_linecache(depth: int) -> bool:
    try:
        frame: Any = sys._getframe(depth)
    except ValueError:
        return False
    for _ in range(3):
        if frame is None:
            return False
        if frame.f_code.co_filename.endswith(("linecache.py", "tokenize.py")):
            return True
        frame = frame.f_back
    return False


class FileControl:
    def __init__(self, files: FilesPolicy, tmp: TmpPolicy, reporter: Reporter, task_root: str,
                 tmp_root: str = TMP_ROOT) -> None:
        self.files = files
        self.tmp = tmp
        self.reporter = reporter
        self.task_root = task_root.rstrip("/") + "/" if task_root else ""
        self.tmp_root = tmp_root.rstrip("/")
        self.tmp_prefix = self.tmp_root + "/"
        self.tmp_judged = tmp.read != ALLOW or tmp.write != ALLOW or reporter.learn
        self.watched = tuple(p for p in (self.task_root, self.tmp_prefix, self.tmp_root, "/proc/", "/dev/fd") if p)
        self.track_tmp = tmp.cleanup != "off"  # note what each invocation creates under /tmp

    def install(self) -> None:
        HANDLERS["open"] = self.on_open
        HANDLERS["os.symlink"] = self.on_symlink
        HANDLERS["os.link"] = self.on_link
        HANDLERS["os.mkdir"] = self.on_mkdir
        HANDLERS["os.rename"] = self.on_rename

    # -- audit events -------------------------------------------------------------------------
    def on_open(self, args: tuple[Any, ...]) -> None:
        path = args[0]
        if type(path) is not str:
            if type(path) is int:
                return
            path = os.fsdecode(path)
        if path[:1] != "/":
            path = os.path.join(os.getcwd(), path)
        if "/." in path or "//" in path:
            path = os.path.normpath(path)
        if not path.startswith(self.watched) and not self.files.deny_read:
            return  # the common case: one C-level prefix test
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        if self.task_root and path.startswith(self.task_root):
            self._source(path)
        elif path.startswith(self.tmp_prefix) or path == self.tmp_root:
            self._tmp(path, flags)
        elif path.startswith("/proc/") or path.startswith("/dev/fd"):
            self._proc(path, flags)
        if self.files.deny_read and not flags & _WRITE_FLAGS:
            self._denied(path)

    def on_symlink(self, args: tuple[Any, ...]) -> None:
        """``os.symlink(src, dst, dir_fd)``."""
        self._link(args, args[2] if len(args) > 2 else None)

    def on_link(self, args: tuple[Any, ...]) -> None:
        """``os.link(src, dst, src_dir_fd, dst_dir_fd)``."""
        self._link(args, args[3] if len(args) > 3 else None)

    def _link(self, args: tuple[Any, ...], dst_dir_fd: Any) -> None:
        target = os.fsdecode(args[0]) if isinstance(args[0], (str, bytes)) else ""
        if not target:
            return
        if target[:1] != "/":
            link = os.fsdecode(args[1]) if isinstance(args[1], (str, bytes)) else ""
            target = os.path.join(os.path.dirname(link) or os.getcwd(), target)
        target = os.path.normpath(target)
        if is_secret(target) or is_indirect(target):
            self._judge(self.files.secrets, SECRET_READ, target, "files.secrets", "link")
        elif self.task_root and target.startswith(self.task_root) and target.lower().endswith(
                self.files.source_extensions):
            self._judge(self.files.source_read, SOURCE_READ, target, "files.source_read", "link")
        self._creating(args[1], dst_dir_fd)

    def on_mkdir(self, args: tuple[Any, ...]) -> None:
        """``os.mkdir(path, mode, dir_fd)``."""
        self._creating(args[0], args[2] if len(args) > 2 else None)

    def on_rename(self, args: tuple[Any, ...]) -> None:
        """``os.rename``/``os.replace(src, dst, src_dir_fd, dst_dir_fd)``."""
        self._creating(args[1], args[3] if len(args) > 3 else None)

    # -- /tmp creations --------------------------------------------------------------------------
    def _creating(self, name: Any, dir_fd: Any) -> None:
        """``name`` (relative to ``dir_fd`` or the working directory) is about to be created."""
        inv = STATE.invocation
        if inv is None or not self.track_tmp:
            return
        if not isinstance(name, (str, bytes)):
            return
        path = os.fsdecode(name)
        if path[:1] != "/":
            try:
                base = os.readlink(f"/proc/self/fd/{dir_fd}") if isinstance(dir_fd, int) else os.getcwd()
            except OSError:
                inv.tmp_dirty = True  # cannot tell where: the cleaner compares /tmp's top level instead
                return
            path = os.path.join(base, path)
        path = os.path.normpath(path)
        if path.startswith(self.tmp_prefix):
            self._created(inv, path)

    @staticmethod
    def _created(inv: Any, path: str) -> None:
        if os.path.lexists(path):
            return  # already there: rewriting or replacing it creates nothing new
        created = inv.tmp_created
        if created is None:
            inv.tmp_created = {path}
        elif len(created) < MAX_TRACKED:
            created.add(path)  # a set: a file created and removed in a loop is noted once
        else:  # memory stays bounded; the cleaner falls back to comparing /tmp's top level
            inv.tmp_dirty = True

    # -- rules ---------------------------------------------------------------------------------
    def _tmp(self, path: str, flags: int) -> None:
        writing = bool(flags & _WRITE_FLAGS)
        if flags & os.O_CREAT and self.track_tmp:
            inv = STATE.invocation
            if inv is not None:
                self._created(inv, path)
        if not self.tmp_judged or self._exempt(path, self.tmp.allow):
            return
        level = self.tmp.write if writing else self.tmp.read
        if level != ALLOW or self.reporter.learn:
            self._judge(level, TMP_ACCESS, path, "tmp.write" if writing else "tmp.read",
                        "write" if writing else "read")

    def _proc(self, path: str, flags: int) -> None:
        if is_indirect(path):
            try:
                resolved = os.path.realpath(path)
            except OSError:
                resolved = path
            if resolved != path:
                self.on_open((resolved, None, flags))
                return
        if is_secret(path) and not self._exempt(path, self.files.allow_read):
            self._judge(self.files.secrets, SECRET_READ, path, "files.secrets", "read")

    def _source(self, path: str) -> None:
        if not path.lower().endswith(self.files.source_extensions) or self.files.source_read == ALLOW:
            return
        if _is_import(4) or STATE.is_internal() or self._exempt(path, self.files.allow_read):
            return
        if _is_linecache(4):
            if self.files.source_read == BLOCK and self.reporter.mode == BLOCK and not self.reporter.learn:
                raise Blocked("source read by linecache", "files.source_read")
            return
        self._judge(self.files.source_read, SOURCE_READ, path, "files.source_read", "read")

    def _denied(self, path: str) -> None:
        for glob in self.files.deny_read:
            if fnmatch.fnmatchcase(path, glob) and not self._exempt(path, self.files.allow_read):
                self._judge(self.files.secrets, DENIED_READ, path, "files.deny_read", "read")
                return

    @staticmethod
    def _exempt(path: str, globs: tuple[str, ...]) -> bool:
        return any(fnmatch.fnmatchcase(path, g) for g in globs)

    def _judge(self, level: str, rule: Rule, path: str, policy_rule: str, access: str) -> None:
        if STATE.is_internal():
            return
        if self.reporter.decide(level, rule, location=path, evidence=f"{access} {path}", policy_rule=policy_rule,
                                observed={"kind": "file", "value": f"{access}:{path}", "path": path,
                                          "access": access}):
            raise Blocked(f"{access} of {path}", policy_rule)
