"""Cross-execution data: what an invocation leaves in ``/tmp`` is deleted (or reported).

Nothing walks ``/tmp``, whatever it holds. At start-up only its top level is listed (one
``scandir``) and its mtime noted. During an invocation the file control's audit hooks note every
path under ``/tmp`` the invocation creates (``open`` with ``O_CREAT``, ``mkdir``, ``rename``,
``symlink``, ``link`` of a path that did not exist yet). After it, those paths, everything inside
directories it created, and any top-level entry that appeared without a hook seeing it (a child
process, native code: the mtime of ``/tmp`` moved) are what it left behind. Paths that existed at
start-up, or that ``tmp.keep`` names, are never touched. A warm invocation that creates nothing in
``/tmp`` pays one ``fstat`` (of a descriptor of ``/tmp`` kept open: half the cost of a ``stat`` by path).

Known limits: a file that native code or a child process creates inside a directory that already
existed is not seen (no audit event, and the top level does not change); nor, beyond the first
``files.MAX_TRACKED`` distinct paths one invocation creates, are further files it creates in such a
directory (the count bounds memory; new top-level entries and new directories are still found).
"""

from __future__ import annotations

import fnmatch
import os

from hullguard.events.schema import Severity
from hullguard.runtime.policy import TmpPolicy
from hullguard.runtime.report import Reporter, Rule
from hullguard.runtime.state import TMP_ROOT, Invocation, internal_work

LEFT_BEHIND = Rule("HG-RT-TMP-003", "Invocation left files in /tmp for the next one", "tmp-cleanup",
                   "cross-execution-persistence", Severity.MEDIUM, "CWE-459")
MAX_ENTRIES = 10_000  # per invocation: what one cleanup lists at most
MAX_LISTED = 20


class TmpCleaner:
    def __init__(self, policy: TmpPolicy, reporter: Reporter, root: str = TMP_ROOT) -> None:
        self.policy = policy
        self.reporter = reporter
        self.root = root.rstrip("/") or TMP_ROOT
        self.prefix = self.root + "/"
        self.real_root = os.path.realpath(self.root)
        self.baseline: set[str] = set()  # top-level entries at start-up (full paths)
        self.reported: set[str] = set()
        self.mtime = 0
        self.active = policy.cleanup != "off"
        self._fd = -1  # /tmp opened once; its (device, inode) tell if the code closed it and the number was reused
        self._dev = self._ino = 0

    def snapshot(self) -> None:
        """Remember what is at the top of ``/tmp`` at start-up: it belongs to the deployment."""
        if self.active:
            with internal_work():
                self.baseline = set(self._top())
                try:
                    self._fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
                    st = os.fstat(self._fd)
                    self._dev, self._ino = st.st_dev, st.st_ino
                except OSError:
                    self._fd = -1
            self.mtime = self._mtime()

    def after(self, inv: Invocation) -> None:
        if not self.active:
            return
        mtime = self._mtime()
        created = inv.tmp_created
        if created is None and not inv.tmp_dirty and mtime == self.mtime:
            return
        with internal_work():
            candidates = set(created or ())
            if inv.tmp_dirty or mtime != self.mtime:  # something may have appeared without a hook seeing it
                candidates.update(p for p in self._top() if p not in self.baseline)
            new = sorted(p for p in self._expand(candidates) if p not in self.baseline and not self._kept(p))
            if self.policy.cleanup == "delete":
                removed = self._delete(new)
                if removed:
                    self.reporter.decide("block", LEFT_BEHIND, location=self.root, policy_rule="tmp.cleanup",
                                         evidence=", ".join(removed[:MAX_LISTED]),
                                         detail={"deleted": removed[:MAX_LISTED], "count": len(removed)})
            else:
                fresh = [p for p in new if p not in self.reported]
                self.reported.update(fresh)
                if fresh:
                    self.reporter.decide("alert", LEFT_BEHIND, location=self.root, policy_rule="tmp.cleanup",
                                         evidence=", ".join(fresh[:MAX_LISTED]),
                                         detail={"left": fresh[:MAX_LISTED], "count": len(fresh)})
        self.mtime = self._mtime()

    def _kept(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, glob) for glob in self.policy.keep)

    def _mtime(self) -> int:
        fd = self._fd
        if fd >= 0:
            try:
                st = os.fstat(fd)
                if st.st_ino == self._ino and st.st_dev == self._dev:
                    return st.st_mtime_ns
            except OSError:
                pass
            self._fd = -1  # closed behind our back (the number may be someone else's now): go by path
        try:
            return os.stat(self.root).st_mtime_ns
        except OSError:
            return 0

    def _top(self) -> list[str]:
        try:
            with os.scandir(self.root) as entries:
                return [entry.path for entry in entries]
        except OSError:
            return []

    def _inside(self, path: str) -> bool:
        """``path`` really lies under the root: a created symlink never leads the cleanup elsewhere."""
        if not path.startswith(self.prefix):
            return False
        parent = os.path.dirname(path)
        return parent == self.root or os.path.realpath(parent).startswith(self.real_root + "/")

    def _expand(self, candidates: set[str]) -> set[str]:
        """The candidates that exist, plus everything inside the directories among them (bounded)."""
        found: set[str] = set()
        stack: list[str] = []
        for path in candidates:
            if len(found) >= MAX_ENTRIES:
                break
            if not os.path.lexists(path) or not self._inside(path):
                continue
            found.add(path)
            if os.path.isdir(path) and not os.path.islink(path):
                stack.append(path)
        while stack and len(found) < MAX_ENTRIES:
            try:
                with os.scandir(stack.pop()) as entries:
                    for entry in entries:
                        found.add(entry.path)
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
            except OSError:
                continue
        return found

    def _delete(self, paths: list[str]) -> list[str]:
        removed: list[str] = []
        # deepest first, so a directory is empty by the time we reach it
        for path in sorted(paths, key=lambda p: p.count("/"), reverse=True):
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    os.rmdir(path)
                else:
                    os.unlink(path)
                removed.append(path)
            except OSError:
                continue  # not empty because of a kept file, or already gone
        return removed
