"""Kernel isolation layers for workers: namespaces, private /tmp, masked folders, uid drop.

Each layer is tried and recorded; where the machine refuses one, the report says so
(``open``/``same``) instead of pretending. Two stages:
- ``isolate_zygote`` (once, in the zygote): a network namespace with no interfaces, so no
  worker can reach any address, loopback included; without root, inside a user namespace.
- ``isolate_worker`` (in each freshly forked worker, before the submission is imported): its
  own mount namespace with a size-capped tmpfs on /tmp (the scratch folder is /tmp/work),
  empty tmpfs over the folders to hide (the course, the sandbox root, /root), then a
  distinct unprivileged uid when the grader runs as root.
"""
from __future__ import annotations

import ctypes
import os

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 1 << 18
SCRATCH = "/tmp/work"
PRIVATE_TMPS = ("/var/tmp", "/dev/shm")

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def _mount(source, target, fstype, flags=0, data=None) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def isolate_zygote() -> dict:
    """Cut the network for every worker the zygote will fork; returns the layers in force."""
    layers = {"network": "open", "userns": False}
    uid, gid = os.getuid(), os.getgid()
    try:
        if uid == 0:
            _unshare(CLONE_NEWNET)
        else:  # an unprivileged user namespace in which we may create the others
            _unshare(CLONE_NEWUSER | CLONE_NEWNET)
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {uid} 1")
            _write("/proc/self/gid_map", f"0 {gid} 1")
            layers["userns"] = True
        layers["network"] = "isolated"
    except OSError as e:
        layers["network_error"] = str(e)[:200]
    return layers


def isolate_worker(spec: dict, source: bytes, filename: str, zygote_layers: dict) -> dict:
    """Private mounts, scratch on a tmpfs, hidden folders, dropped uid. Returns the layers."""
    layers = {"fs": "open", "uid": "same", "tmp": "shared"}
    scratch = spec["scratch"]
    try:
        _unshare(CLONE_NEWNS)
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        hide = [h for h in spec.get("hide", []) if os.path.isdir(h)]
        keep = _keep_fds(spec.get("keep", []), hide, hide + ["/tmp", *PRIVATE_TMPS])
        size = f"size={int(spec['limits'].get('disk_mb', 256))}m"
        for path in ("/tmp", *PRIVATE_TMPS):
            if os.path.isdir(path):
                _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"{size},mode=1777")
        layers["tmp"] = "private"
        for path in sorted(hide, key=len):  # a folder inside one already hidden is gone
            if os.path.isdir(path):
                _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
        for path, fd in keep:  # re-expose the Python installation where it sat in a hidden folder
            os.makedirs(path, exist_ok=True)
            _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
            os.close(fd)
        layers["fs"], layers["hidden_folders"] = "confined", len(hide)
        scratch = SCRATCH
    except OSError as e:
        layers["fs_error"] = str(e)[:200]
    os.makedirs(scratch, mode=0o700, exist_ok=True)
    path = os.path.join(scratch, filename)
    with open(path, "wb") as f:
        f.write(source)
    target = spec.get("uid")
    if os.getuid() == 0 and target and not zygote_layers.get("userns"):
        try:
            os.chown(scratch, target, target)
            os.chown(path, target, target)
            os.setgroups([])
            os.setresgid(target, target, target)
            os.setresuid(target, target, target)
            layers["uid"] = "dropped"
        except OSError as e:
            layers["uid_error"] = str(e)[:200]
    return {"layers": layers, "scratch": scratch, "submission": path}


SYSTEM_READ = ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc", "/opt", "/proc",
               "/sys", "/run/nvidia-persistenced")
DEVICES = ("/dev",)


def confine(spec: dict, scratch: str) -> dict:
    """Landlock allow-list: read the system and Python, write only the private /tmp."""
    from .landlock import restrict

    write = [scratch] if scratch != SCRATCH else ["/tmp", *PRIVATE_TMPS]
    read = [*SYSTEM_READ, *spec.get("keep", [])]
    try:
        return restrict(read, write, list(DEVICES))
    except OSError as e:
        return {"landlock": f"refused ({e})"}


def plain_scratch(spec: dict, source: bytes, filename: str) -> dict:
    """No isolation layers (for measuring their cost): the submission in its host scratch."""
    path = os.path.join(spec["scratch"], filename)
    with open(path, "wb") as f:
        f.write(source)
    return {"layers": {"fs": "open", "uid": "same", "tmp": "shared"}, "scratch": spec["scratch"],
            "submission": path}


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _keep_fds(keep, hide, masks) -> list:
    """Open (O_PATH) the folders to keep that a mask will cover and that hold nothing hidden."""
    out = []
    for path in sorted({os.path.realpath(k) for k in keep if os.path.isdir(k)}):
        if any(_under(path, kept) for kept, _ in out):
            continue
        if any(_under(path, m) for m in masks) and not any(_under(h, path) for h in hide):
            out.append((path, os.open(path, os.O_PATH | os.O_DIRECTORY)))
    return out


def kill_uid(uid: int) -> None:
    """Kill every process of ``uid`` (run in a forked child of a single-threaded process)."""
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    import signal
    for _ in range(3):
        try:
            os.kill(-1, signal.SIGKILL)  # every process this uid may signal, but this one
        except ProcessLookupError:
            break
