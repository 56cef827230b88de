"""Resource limits for a worker, applied in the child right after it is forked."""
from __future__ import annotations

import resource
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkerLimits:
    memory_mb: int = 2048          # address space on top of what the warm parent already maps
    cpu_seconds: int = 600         # a backstop; the wall-clock limit per call is enforced by the grader
    file_size_mb: int = 64
    open_files: int = 256
    address_space: bool = True     # off for CUDA workers (the driver maps huge virtual ranges)
    disk_mb: int = 256             # the worker's private /tmp (a tmpfs)
    processes: int = 64            # processes + threads of the worker's own uid (when dropped)

    def to_json(self) -> dict:
        d = self.__dict__.copy()
        d["max_processes"] = d.pop("processes")
        return d


def _vm_size_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _set(kind, value):
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def apply_limits(limits: dict) -> list[str]:
    """Apply the limits; return the names of those the machine refused."""
    refused = []
    wanted = [
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_CPU, int(limits["cpu_seconds"])),
        (resource.RLIMIT_FSIZE, int(limits["file_size_mb"]) << 20),
        (resource.RLIMIT_NOFILE, int(limits["open_files"])),
    ]
    if limits.get("processes") is True:  # only meaningful with a uid of the worker's own
        wanted.append((resource.RLIMIT_NPROC, int(limits.get("max_processes", 64))))
    if limits.get("address_space", True):
        wanted.append((resource.RLIMIT_AS, _vm_size_bytes() + (int(limits["memory_mb"]) << 20)))
    for kind, value in wanted:
        try:
            _set(kind, value)
        except (ValueError, OSError):
            refused.append(str(kind))
    return refused
