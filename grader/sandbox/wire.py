"""The framing between the trusted grader and an untrusted worker.

A message is a length-prefixed JSON header followed by the raw bytes of each tensor:

    [4 bytes: header length][header JSON][tensor 0 bytes][tensor 1 bytes]...

The header holds the payload as plain JSON in which tensors are replaced by
``{"__tensor__": i}`` (and tuples by ``{"__tuple__": [...]}``, dtypes by
``{"__dtype__": "float32"}``), plus a ``tensors`` list of ``{dtype, shape, device}``.
Decoding never unpickles, imports or calls anything: a tensor is rebuilt from bytes
after its dtype is checked against an allow-list and its size against caps, and is an
exact ``torch.Tensor`` on the CPU. Anything malformed raises ``WireError``.
"""
from __future__ import annotations

import ctypes
import json
import math
import socket
import struct
import time

import torch

MAX_HEADER_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_DIMS = 16
MAX_DEPTH = 32

DTYPES: dict[str, torch.dtype] = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
    "complex64": torch.complex64,
    "complex128": torch.complex128,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "bool": torch.bool,
}
DTYPE_NAMES = {v: k for k, v in DTYPES.items()}


class WireError(Exception):
    """A message that is missing, malformed, oversized or late."""


class WireTimeout(WireError):
    """The peer did not answer before the deadline."""


class WireClosed(WireError):
    """The peer closed the channel (for a worker: it exited or was killed)."""


# ---------------------------------------------------------------- encoding
def encode(payload) -> bytes:
    """Encode plain data and tensors. Unknown objects become ``{"__object__": type name}``."""
    tensors: list[torch.Tensor] = []
    meta: list[dict] = []
    body = _to_json(payload, tensors, meta, 0)
    header = json.dumps({"payload": body, "tensors": meta}, allow_nan=True).encode()
    blobs = [_tensor_bytes(t) for t in tensors]
    return b"".join([struct.pack(">I", len(header)), header, *blobs])


def _to_json(obj, tensors, meta, depth):
    if depth > MAX_DEPTH:
        return {"__object__": "too deeply nested"}
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int) and type(obj) in (int, bool):
        return obj
    if type(obj) is float:
        return obj
    if isinstance(obj, torch.dtype):
        return {"__dtype__": DTYPE_NAMES.get(obj, str(obj))}
    if isinstance(obj, torch.Tensor):
        plain = obj.detach()
        if type(plain) is not torch.Tensor:  # a subclass crosses as its plain data only
            plain = plain.as_subclass(torch.Tensor)
        if plain.dtype not in DTYPE_NAMES or plain.layout != torch.strided:
            return {"__object__": f"tensor of dtype {plain.dtype} and layout {plain.layout}"}
        meta.append({
            "dtype": DTYPE_NAMES.get(plain.dtype, str(plain.dtype)),
            "shape": list(plain.shape),
            "device": plain.device.type,
        })
        tensors.append(plain)
        return {"__tensor__": len(tensors) - 1}
    if type(obj) is tuple:
        return {"__tuple__": [_to_json(v, tensors, meta, depth + 1) for v in obj]}
    if type(obj) is list:
        return [_to_json(v, tensors, meta, depth + 1) for v in obj]
    if type(obj) is dict and all(type(k) is str for k in obj):
        if any(k.startswith("__") and k.endswith("__") for k in obj):
            return {"__object__": "dict with reserved keys"}
        return {k: _to_json(v, tensors, meta, depth + 1) for k, v in obj.items()}
    return {"__object__": _type_name(obj)}


def _type_name(obj) -> str:
    try:
        t = type(obj)
        return f"{t.__module__}.{t.__qualname__}"
    except Exception:  # a hostile type can make even this raise
        return "unknown object"


def _tensor_bytes(t: torch.Tensor) -> bytes:
    t = t.to("cpu").contiguous()
    if t.numel() == 0:
        return b""
    # Straight from the tensor's memory: no numpy needed (torch does not depend on it).
    return ctypes.string_at(t.data_ptr(), t.numel() * t.element_size())


# ---------------------------------------------------------------- decoding
class Opaque:
    """Stands for an object the worker could not send as data (its type name only)."""

    def __init__(self, type_name: str):
        self.type_name = str(type_name)[:200]

    def __repr__(self):
        return f"<{self.type_name}>"


def parse_header(header_bytes: bytes) -> dict:
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise WireError(f"reply is not valid JSON: {e}") from None
    if not isinstance(header, dict) or not isinstance(header.get("tensors"), list):
        raise WireError("reply header has no tensor list")
    total = sum(_nbytes(m) for m in header["tensors"])
    if total > MAX_TOTAL_BYTES:
        raise WireError(f"reply carries {total} bytes of tensors, over the {MAX_TOTAL_BYTES} cap")
    header["nbytes"] = total
    return header


def decode(header: dict, blob: bytes):
    """Rebuild plain data and tensors from a parsed header and the tensor bytes.

    Returns ``(payload, device_of)`` where ``device_of[id(t)]`` is the device type that
    tensor ``t`` lived on in the worker.
    """
    tensors, devices = _rebuild_tensors(header["tensors"], blob)
    device_of = {id(t): d for t, d in zip(tensors, devices)}
    return _from_json(header.get("payload"), tensors, 0), device_of


def decode_bytes(data: bytes):
    """Decode one whole message held in memory (used by tests and the worker)."""
    if len(data) < 4:
        raise WireError("message is shorter than its length prefix")
    (length,) = struct.unpack(">I", data[:4])
    if length > MAX_HEADER_BYTES:
        raise WireError(f"header of {length} bytes is over the {MAX_HEADER_BYTES} cap")
    header = parse_header(data[4:4 + length])
    return decode(header, data[4 + length:])


def _nbytes(meta) -> int:
    if not isinstance(meta, dict) or meta.get("dtype") not in DTYPES:
        raise WireError(f"tensor of a dtype that is not allowed: {str(meta)[:80]}")
    shape = meta.get("shape")
    if (not isinstance(shape, list) or len(shape) > MAX_DIMS
            or not all(type(s) is int and 0 <= s < 2**40 for s in shape)):
        raise WireError(f"tensor with a malformed shape: {str(shape)[:80]}")
    itemsize = torch.empty((), dtype=DTYPES[meta["dtype"]]).element_size()
    return math.prod(shape) * itemsize


def _rebuild_tensors(metas, blob):
    tensors, devices, offset = [], [], 0
    for meta in metas:
        n = _nbytes(meta)
        chunk = blob[offset:offset + n]
        if len(chunk) != n:
            raise WireError("reply is shorter than its header says")
        offset += n
        dtype, shape = DTYPES[meta["dtype"]], meta["shape"]
        if n == 0:
            t = torch.empty(shape, dtype=dtype)
        else:
            t = torch.frombuffer(bytearray(chunk), dtype=torch.uint8).view(dtype).reshape(shape)
        tensors.append(t)
        devices.append(str(meta.get("device", "cpu"))[:16])
    if offset != len(blob):
        raise WireError("reply is longer than its header says")
    return tensors, devices


def _from_json(obj, tensors, depth):
    if depth > MAX_DEPTH:
        raise WireError("reply is nested too deeply")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [_from_json(v, tensors, depth + 1) for v in obj]
    if isinstance(obj, dict):
        if len(obj) == 1:
            (key, value), = obj.items()
            if key == "__tensor__":
                if type(value) is not int or not 0 <= value < len(tensors):
                    raise WireError("reply refers to a tensor it does not carry")
                return tensors[value]
            if key == "__tuple__" and isinstance(value, list):
                return tuple(_from_json(v, tensors, depth + 1) for v in value)
            if key == "__dtype__":
                if value not in DTYPES:
                    raise WireError(f"unknown dtype {str(value)[:40]}")
                return DTYPES[value]
            if key == "__object__":
                return Opaque(value)
        return {str(k): _from_json(v, tensors, depth + 1) for k, v in obj.items()}
    raise WireError("reply holds a value of an unknown kind")


# ---------------------------------------------------------------- sockets
def send(sock: socket.socket, payload) -> None:
    sock.sendall(encode(payload))


def recv(sock: socket.socket, *, deadline: float | None = None):
    """Receive one message; ``deadline`` is a ``time.monotonic()`` value."""
    (length,) = struct.unpack(">I", _recv_exact(sock, 4, deadline))
    if length > MAX_HEADER_BYTES:
        raise WireError(f"reply header of {length} bytes is over the {MAX_HEADER_BYTES} cap")
    header = parse_header(_recv_exact(sock, length, deadline))
    blob = _recv_exact(sock, header["nbytes"], deadline)
    return decode(header, blob)


def _recv_exact(sock, n, deadline):
    buf = bytearray()
    while len(buf) < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WireTimeout("no reply before the time limit")
            sock.settimeout(left)
        else:
            sock.settimeout(None)
        try:
            chunk = sock.recv(min(n - len(buf), 1 << 20))
        except socket.timeout:
            raise WireTimeout("no reply before the time limit") from None
        except OSError as e:
            raise WireClosed(f"channel broke: {e}") from None
        if not chunk:
            raise WireClosed("the worker closed the channel")
        buf += chunk
    return bytes(buf)
