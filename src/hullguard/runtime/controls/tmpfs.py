"""Cross-execution data: what an invocation leaves in ``/tmp`` is deleted (or reported).

``/tmp`` is listed once at start-up; what exists then (and what ``tmp.keep`` names) is never
touched. After an invocation ``/tmp`` is walked again only when something may have changed: the open
hook saw a write, ``mkdir`` or ``rename`` there, or the mtime of ``/tmp`` itself moved. A warm
invocation that does not touch ``/tmp`` pays one ``stat``.
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
MAX_ENTRIES = 10_000
MAX_LISTED = 20


class TmpCleaner:
    def __init__(self, policy: TmpPolicy, reporter: Reporter, root: str = TMP_ROOT) -> None:
        self.policy = policy
        self.reporter = reporter
        self.root = root.rstrip("/") or TMP_ROOT
        self.baseline: set[str] = set()
        self.reported: set[str] = set()
        self.mtime = 0
        self.active = policy.cleanup != "off"

    def snapshot(self) -> None:
        """Remember what exists at start-up: it belongs to the deployment, not to an invocation."""
        if self.active:
            self.baseline = self._walk()
            self.mtime = self._mtime()

    def after(self, inv: Invocation) -> None:
        if not self.active:
            return
        mtime = self._mtime()
        if not inv.tmp_dirty and mtime == self.mtime:
            return
        with internal_work():
            current = self._walk()
            new = sorted(p for p in current - self.baseline if not self._kept(p))
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
        try:
            return os.stat(self.root).st_mtime_ns
        except OSError:
            return 0

    def _walk(self) -> set[str]:
        found: set[str] = set()
        stack = [self.root]
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
