"""The wire format: exact round trips, and fail-closed decoding of anything malformed."""
from __future__ import annotations

import json
import struct

import pytest
import torch

from grader.sandbox import wire


def roundtrip(obj):
    return wire.decode_bytes(wire.encode(obj))


@pytest.mark.parametrize("dtype", list(wire.DTYPES.values()))
def test_tensors_of_every_allowed_dtype_round_trip_exactly(dtype):
    t = (torch.arange(12) % 5).to(dtype).reshape(3, 4)
    (back,), devices = roundtrip([t])
    assert type(back) is torch.Tensor and back.dtype == dtype and torch.equal(back, t)
    assert devices[id(back)] == "cpu"


def test_plain_data_structure_is_kept():
    obj = {"a": (1, 2.5, None, True), "b": ["x", {"c": torch.float64}], "e": torch.empty(0, 3)}
    back, _ = roundtrip(obj)
    assert back["a"] == (1, 2.5, None, True) and back["b"] == ["x", {"c": torch.float64}]
    assert back["e"].shape == (0, 3)


def test_non_contiguous_and_subclass_tensors_cross_as_plain_data():
    class Sneaky(torch.Tensor):
        pass
    t = torch.arange(6.0).reshape(2, 3).t()
    back, _ = roundtrip({"t": t, "s": torch.ones(2).as_subclass(Sneaky)})
    assert torch.equal(back["t"], t) and type(back["s"]) is torch.Tensor


def test_objects_cross_only_as_their_type_name():
    class Liar:
        def __eq__(self, other):
            return True
    back, _ = roundtrip({"x": Liar(), "n": __import__("numpy").zeros(3)})
    assert isinstance(back["x"], wire.Opaque) and "Liar" in back["x"].type_name
    assert "numpy.ndarray" in back["n"].type_name


def message(header: dict, blob: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack(">I", len(raw)) + raw + blob


@pytest.mark.parametrize("data, words", [
    (message({"payload": {"__tensor__": 0}, "tensors": [{"dtype": "object", "shape": [1]}]}),
     "not allowed"),
    (message({"payload": None, "tensors": [{"dtype": "float32", "shape": [-1]}]}), "malformed shape"),
    (message({"payload": None, "tensors": [{"dtype": "float32", "shape": [2]}]}, b"\0" * 4),
     "shorter"),
    (message({"payload": None, "tensors": []}, b"extra"), "longer"),
    (message({"payload": {"__tensor__": 3}, "tensors": []}), "does not carry"),
    (message({"payload": None, "tensors": [{"dtype": "float32", "shape": [2**30, 2**10]}]}), "cap"),
    (message({"payload": None}), "no tensor list"),
    (struct.pack(">I", 5) + b"{nope", "not valid JSON"),
    (struct.pack(">I", wire.MAX_HEADER_BYTES + 1), "cap"),
])
def test_malformed_messages_are_rejected(data, words):
    with pytest.raises(wire.WireError, match=words):
        wire.decode_bytes(data)


def test_deep_nesting_is_rejected():
    deep = None
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError, match="nested"):
        wire.decode_bytes(message({"payload": deep, "tensors": []}))
