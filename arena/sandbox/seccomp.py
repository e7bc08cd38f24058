"""A seccomp filter for the local sandbox: the kernel calls a trial never needs and an escape does.

bubblewrap loads a classic-BPF program (``--seccomp FD``) just before it executes the command, so
the sandbox's own set-up is unaffected while everything the command starts inherits the filter.
It is defence in depth under the real fix (every capability dropped, a user namespace): with no
capability, ``mount`` already fails; the filter also closes calls that need none, or that a new
user namespace would hand back.

Denied with EPERM: mounting and the new mount API, namespaces (``unshare``, ``setns``, ``clone``
with a namespace flag), kernel keyrings, kernel modules and kexec, BPF and perf events,
``open_by_handle_at`` (the classic container escape), swap, reboot, the kernel log, accounting,
quotas, userfaultfd, clock setting, raw I/O ports.  ``clone3`` gets ENOSYS (its flags sit behind a
pointer a filter cannot read), so libc falls back to ``clone``, whose flags it can.  Calls of
another ABI than the native one (x32, 32-bit compat) are denied too, so numbers cannot be aliased.
"""

from __future__ import annotations

import errno
import os
import platform
import struct
import tempfile

# sock_filter opcodes (linux/filter.h, linux/seccomp.h)
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06
_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_KILL_PROCESS = 0x80000000

_NS_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x00000080

#: arch → (AUDIT_ARCH value, {syscall name: number}); clone/clone3 are handled separately
_ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (0xC000003E, {
        "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "swapon": 167, "swapoff": 168,
        "reboot": 169, "acct": 163, "syslog": 103, "kexec_load": 246, "kexec_file_load": 320,
        "init_module": 175, "finit_module": 313, "delete_module": 176, "unshare": 272, "setns": 308,
        "keyctl": 250, "add_key": 248, "request_key": 249, "bpf": 321, "perf_event_open": 298,
        "userfaultfd": 323, "open_by_handle_at": 304, "name_to_handle_at": 303, "quotactl": 179,
        "quotactl_fd": 443, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
        "fsmount": 432, "fspick": 433, "mount_setattr": 442, "settimeofday": 164, "clock_settime": 227,
        "adjtimex": 159, "clock_adjtime": 305, "iopl": 172, "ioperm": 173, "fanotify_init": 300,
        "vhangup": 153, "lookup_dcookie": 212, "clone": 56, "clone3": 435,
    }),  # fmt: skip
    "aarch64": (0xC00000B7, {
        "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51, "swapon": 224, "swapoff": 225,
        "reboot": 142, "acct": 89, "syslog": 116, "kexec_load": 104, "kexec_file_load": 294,
        "init_module": 105, "finit_module": 273, "delete_module": 106, "unshare": 97, "setns": 268,
        "keyctl": 219, "add_key": 217, "request_key": 218, "bpf": 280, "perf_event_open": 241,
        "userfaultfd": 282, "open_by_handle_at": 265, "name_to_handle_at": 264, "quotactl": 60,
        "quotactl_fd": 443, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
        "fsmount": 432, "fspick": 433, "mount_setattr": 442, "settimeofday": 170, "clock_settime": 112,
        "adjtimex": 171, "clock_adjtime": 266, "fanotify_init": 262, "vhangup": 58,
        "lookup_dcookie": 18, "clone": 220, "clone3": 435,
    }),  # fmt: skip
}
#: x86_64's x32 ABI sets this bit in the syscall number
_X32_BIT = 0x40000000


def supported(machine: str | None = None) -> bool:
    return (machine or platform.machine()) in _ARCHES


def denied_calls(machine: str | None = None) -> dict[str, int]:
    return dict(_ARCHES[machine or platform.machine()][1])


def _ins(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def program(machine: str | None = None) -> bytes:
    """The filter as bytes of ``struct sock_filter`` (what ``bwrap --seccomp FD`` reads)."""
    machine = machine or platform.machine()
    if machine not in _ARCHES:
        raise ValueError(f"no seccomp filter for {machine!r} (have: {', '.join(_ARCHES)})")
    audit_arch, calls = _ARCHES[machine]
    plain = sorted(n for name, n in calls.items() if name not in ("clone", "clone3"))
    # (label, opcode, k, jump-if-true label, jump-if-false label); None = the next instruction
    asm: list[tuple[str | None, int, int, str | None, str | None]] = [
        (None, _LD_W_ABS, 4, None, None),  # seccomp_data.arch
        (None, _JEQ_K, audit_arch, None, "kill"),
        (None, _LD_W_ABS, 0, None, None),  # seccomp_data.nr
    ]
    if machine == "x86_64":
        asm.append((None, _JGE_K, _X32_BIT, "eperm", None))
    asm += [(None, _JEQ_K, nr, "eperm", None) for nr in plain]
    asm += [
        (None, _JEQ_K, calls["clone"], "clone", None),
        (None, _JEQ_K, calls["clone3"], "enosys", None),
        (None, _RET_K, _ALLOW, None, None),
        ("clone", _LD_W_ABS, 16, None, None),  # seccomp_data.args[0], low word: clone's flags
        (None, _JSET_K, _NS_FLAGS, "eperm", None),
        (None, _RET_K, _ALLOW, None, None),
        ("kill", _RET_K, _KILL_PROCESS, None, None),
        ("eperm", _RET_K, _ERRNO | errno.EPERM, None, None),
        ("enosys", _RET_K, _ERRNO | errno.ENOSYS, None, None),
    ]
    where = {label: i for i, (label, *_rest) in enumerate(asm) if label}
    out = []
    for i, (_label, code, k, jt, jf) in enumerate(asm):
        off = [0 if t is None else where[t] - (i + 1) for t in (jt, jf)]
        assert all(0 <= o < 256 for o in off), "seccomp jump out of range"
        out.append(_ins(code, off[0], off[1], k))
    return b"".join(out)


_CACHED: dict[str, str] = {}


def program_file() -> str:
    """A file holding :func:`program` (written once per process, read-only); open it per launch."""
    path = _CACHED.get("path")
    if path and os.path.exists(path):
        return path
    fd, path = tempfile.mkstemp(prefix="arena-seccomp-", suffix=".bpf")
    with os.fdopen(fd, "wb") as fh:
        fh.write(program())
    os.chmod(path, 0o444)
    _CACHED["path"] = path
    return path
