"""Kernel-enforced mode: a seccomp-BPF filter that makes chosen system calls fail with EPERM.

Audit hooks live inside the interpreter, so code that reaches libc directly (``ctypes``,
``_posixsubprocess``, a native extension) walks around them. A seccomp filter is checked by the kernel
on every system call of every thread, and cannot be removed once installed: a function that never
starts processes loses ``execve``/``execveat`` for good, whoever asks.

The program, in classic BPF:

    load arch; if arch != <this machine's AUDIT_ARCH>: return ERRNO(EPERM)
    load nr;   [x86_64: if nr >= 0x40000000 (x32 ABI): return ERRNO(EPERM)]
    for each denied nr: if nr == it: return ERRNO(EPERM)
    return ALLOW

It is installed with ``seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC)`` so threads that
already exist are covered too, falling back to ``prctl(PR_SET_SECCOMP)`` (calling thread and its
future children) on kernels without the ``seccomp`` system call. ``PR_SET_NO_NEW_PRIVS`` comes first,
which is what lets an unprivileged process install a filter.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

from hullguard.runtime.syscalls import ARCHES, KNOWN_SYSCALLS, NEVER_DENY, X32_SYSCALL_BIT

__all__ = ["KNOWN_SYSCALLS", "NEVER_DENY", "SeccompError", "build_program", "install", "pack"]

BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_JGE_K = 0x35
BPF_RET_K = 0x06
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1


class SeccompError(OSError):
    """The filter could not be built or installed; the message says why."""


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def machine() -> str:
    name = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(name, name)


def build_program(deny: list[str] | tuple[str, ...], arch: str | None = None) -> list[tuple[int, int, int, int]]:
    """The filter as (code, jt, jf, k) instructions; names absent on ``arch`` (fork on arm64) are skipped."""
    arch = arch or machine()
    if arch not in ARCHES:
        raise SeccompError(errno.ENOTSUP, f"seccomp mode supports x86_64 and aarch64, not {arch}")
    audit_arch, table, _ = ARCHES[arch]
    unknown = [name for name in deny if name not in KNOWN_SYSCALLS or name in NEVER_DENY]
    if unknown:
        raise SeccompError(errno.EINVAL, f"cannot deny system calls {unknown}")
    numbers = sorted({table[name] for name in deny if name in table})
    deny_ret = SECCOMP_RET_ERRNO | errno.EPERM
    prog: list[tuple[int, int, int, int]] = [
        (BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (BPF_JEQ_K, 1, 0, audit_arch),
        (BPF_RET_K, 0, 0, deny_ret),  # another ABI (i386 int 0x80 on x86_64): nothing is allowed
        (BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    if arch == "x86_64":
        prog.append((BPF_JGE_K, 0, 0, X32_SYSCALL_BIT))  # jt patched below
    checks_start = len(prog)
    prog.extend((BPF_JEQ_K, 0, 0, nr) for nr in numbers)
    prog.append((BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    prog.append((BPF_RET_K, 0, 0, deny_ret))
    deny_index = len(prog) - 1
    for i in range(checks_start - (1 if arch == "x86_64" else 0), deny_index - 1):
        code, _, jf, k = prog[i]
        prog[i] = (code, deny_index - (i + 1), jf, k)
    return prog


def pack(prog: list[tuple[int, int, int, int]]) -> bytes:
    """The program as the kernel reads it (struct sock_filter[]), for tests and debugging."""
    return b"".join(struct.pack("=HBBI", *ins) for ins in prog)


def install(deny: list[str] | tuple[str, ...] = ("execve", "execveat")) -> str:
    """Install the filter for the whole process; returns how ("seccomp+tsync" or "prctl")."""
    arch = machine()
    prog = build_program(deny, arch)
    _, _, seccomp_nr = ARCHES[arch]
    filters = (_SockFilter * len(prog))(*[_SockFilter(*ins) for ins in prog])
    fprog = _SockFprog(len(prog), ctypes.cast(filters, ctypes.POINTER(_SockFilter)))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SeccompError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    libc.syscall.restype = ctypes.c_long
    rc = libc.syscall(ctypes.c_long(seccomp_nr), ctypes.c_long(SECCOMP_SET_MODE_FILTER),
                      ctypes.c_long(SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(fprog))
    if rc == 0:
        return "seccomp+tsync"
    err = ctypes.get_errno()
    if err not in (errno.ENOSYS, errno.EINVAL):
        raise SeccompError(err, f"seccomp(SECCOMP_SET_MODE_FILTER) failed: {errno.errorcode.get(err, err)}")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise SeccompError(err, f"prctl(PR_SET_SECCOMP) failed: {errno.errorcode.get(err, err)}")
    return "prctl"
