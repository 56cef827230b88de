"""Landlock (Linux >= 5.13): an allow-list of what a worker may touch, no privileges needed.

The worker may read the system and the Python installation, read and write its private
/tmp, and nothing else: a course, a home folder or another student's files stay out of reach
even where their permissions would let anyone read them. From ABI 4 on, TCP bind/connect
is denied too; from ABI 6 on, signals and abstract unix sockets outside the worker's domain.
"""
from __future__ import annotations

import ctypes
import os
import struct

SYS_CREATE, SYS_ADD_RULE, SYS_RESTRICT = 444, 445, 446   # x86-64 and arm64 alike
PR_SET_NO_NEW_PRIVS = 38
RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
READ = EXECUTE | READ_FILE | READ_DIR
FS_BITS_BY_ABI = {1: 13, 2: 14, 3: 15, 4: 15, 5: 16, 6: 16, 7: 16}
IOCTL_DEV = 1 << 15
NET_ALL = 0b11            # BIND_TCP | CONNECT_TCP
SCOPE_ALL = 0b11          # ABSTRACT_UNIX_SOCKET | SIGNAL

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def abi_version() -> int:
    version = _libc.syscall(SYS_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return int(version) if version > 0 else 0


def restrict(read: list[str], write: list[str], devices: list[str]) -> dict:
    """Apply the allow-list to this process (and all it starts). Returns what was enforced."""
    abi = abi_version()
    if abi <= 0:
        return {"landlock": "unavailable"}
    fs_all = (1 << FS_BITS_BY_ABI.get(abi, 16)) - 1
    attr = struct.pack("<Q", fs_all)
    if abi >= 4:
        attr += struct.pack("<Q", NET_ALL)
    if abi >= 6:
        attr += struct.pack("<Q", SCOPE_ALL)
    buf = ctypes.create_string_buffer(attr, len(attr))
    ruleset = _libc.syscall(SYS_CREATE, buf, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if ruleset < 0:
        return {"landlock": f"refused ({os.strerror(ctypes.get_errno())})"}
    try:
        dev_rights = READ | WRITE_FILE | (IOCTL_DEV if abi >= 5 else 0)
        for paths, rights in ((read, READ), (write, fs_all), (devices, dev_rights)):
            for path in paths:
                _allow(ruleset, path, rights & fs_all)
        if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
                _libc.syscall(SYS_RESTRICT, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            return {"landlock": f"refused ({os.strerror(ctypes.get_errno())})"}
    finally:
        os.close(ruleset)
    return {"landlock": f"abi {abi}", "landlock_net": abi >= 4, "landlock_scoped": abi >= 6}


def _allow(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a path this machine lacks needs no rule
    try:
        if not os.path.isdir(path):
            rights &= WRITE_FILE | READ_FILE | EXECUTE | IOCTL_DEV | (1 << 14)
        rule = struct.pack("<Qi", rights, fd)
        buf = ctypes.create_string_buffer(rule, len(rule))
        _libc.syscall(SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH), buf,
                      ctypes.c_uint32(0))
    finally:
        os.close(fd)
