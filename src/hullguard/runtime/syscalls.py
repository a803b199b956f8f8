"""System call numbers the seccomp mode can deny, per architecture (kernel unistd tables).

Kept apart from ``seccomp.py`` so validating a policy does not import ctypes.
"""

from __future__ import annotations

# system call numbers per architecture (from the kernel's unistd tables)
_X86_64 = {
    "execve": 59, "execveat": 322, "fork": 57, "vfork": 58, "ptrace": 101, "process_vm_readv": 310,
    "process_vm_writev": 311, "memfd_create": 319, "kexec_load": 246, "bpf": 321, "mount": 165,
    "unshare": 272, "setns": 308, "personality": 135, "userfaultfd": 323, "perf_event_open": 298,
    "keyctl": 250, "add_key": 248, "request_key": 249, "init_module": 175, "finit_module": 313,
    "chroot": 161, "pivot_root": 155, "swapon": 167, "reboot": 169,
}
_AARCH64 = {
    "execve": 221, "execveat": 281, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
    "memfd_create": 279, "kexec_load": 104, "bpf": 280, "mount": 40, "unshare": 97, "setns": 268,
    "personality": 92, "userfaultfd": 282, "perf_event_open": 241, "keyctl": 219, "add_key": 217,
    "request_key": 218, "init_module": 105, "finit_module": 273, "chroot": 51, "pivot_root": 41,
    "swapon": 224, "reboot": 142,
}
# The interpreter and the Lambda runtime client cannot live without these.
NEVER_DENY = frozenset({"clone", "clone3", "read", "write", "mmap", "futex", "exit", "exit_group", "socket",
                        "connect", "openat", "close"})
KNOWN_SYSCALLS = frozenset(_X86_64) | NEVER_DENY

ARCHES: dict[str, tuple[int, dict[str, int], int]] = {
    # machine: (AUDIT_ARCH_*, table, number of the seccomp() system call)
    "x86_64": (0xC000003E, _X86_64, 317),
    "aarch64": (0xC00000B7, _AARCH64, 277),
}
X32_SYSCALL_BIT = 0x40000000

