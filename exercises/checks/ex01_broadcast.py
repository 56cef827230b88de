"""ex01's broadcast_shapes checks: torch.broadcast_shapes is the oracle, the
grader/sandbox/drivers/ex01.py driver runs the submission (and watches for delegation)."""
from __future__ import annotations

import torch

from grader.outcomes import CheckFailure, ForbiddenOpUsed, NotImplementedYet
from grader.submission import forbidden_message


def expected_broadcast(shapes):
    """(result, None) or (None, reason) from torch.broadcast_shapes, the oracle."""
    try:
        return tuple(torch.broadcast_shapes(*shapes)), None
    except RuntimeError as e:
        return None, str(e)


def _padded(shapes, *, left: bool):
    dims = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    n = max((len(d) for d in dims), default=0)
    return [(1,) * (n - len(d)) + d if left else d + (1,) * (n - len(d)) for d in dims]


def _aligned_left(shapes):
    padded = _padded(shapes, left=False)
    if len({len(s if not isinstance(s, int) else (s,)) for s in shapes}) < 2:
        raise ValueError("left and right alignment agree")
    return tuple(max(col) for col in zip(*padded)) if padded else ()


def _max_sizes(shapes):
    padded = _padded(shapes, left=True)
    return tuple(max(col) for col in zip(*padded)) if padded else ()


BROADCAST_HINTS = (
    (_aligned_left, "shapes are aligned on their LAST dimension: pad the shorter shape with 1s "
                    "on the left, not on the right"),
    (_max_sizes, "the result is not the largest size: sizes must be equal or 1 (0 with 1 gives "
                 "0, and 2 with 3 is an error)"),
)
RULES_HINT = ("shapes are aligned on their LAST dimension (shorter shapes padded with 1s on the "
              "left); in each position the sizes must be equal or one of them 1")


def _matching_hint(shapes, got):
    for fn, hint in BROADCAST_HINTS:
        try:
            if fn(shapes) == got:
                return hint
        except ValueError:
            continue
    return None


def _call_text(shapes) -> str:
    return f"broadcast_shapes({', '.join(repr(s) for s in shapes)})"


def check_broadcast(submission, shapes, *, reveal_expected: bool) -> None:
    reply = submission.driver("ex01_broadcast_shapes", shapes=list(shapes))
    hits = reply.get("forbidden") or []
    if hits:
        raise ForbiddenOpUsed(forbidden_message(hits, submission.filename, "broadcast_shapes"),
                              hits=hits)
    raised, call = reply.get("raised"), _call_text(shapes)
    if raised and raised.get("type") == "NotImplementedError":
        raise NotImplementedYet(f"not implemented: {str(raised.get('message'))[:300]}")
    want, reason = expected_broadcast(shapes)
    if reason is not None:
        _expect_value_error(call, reply, raised)
        return
    if raised is not None:
        raise CheckFailure(f"{call} raised {_raised_text(raised)}, but these shapes broadcast",
                           hint=RULES_HINT)
    got = reply.get("output")
    if got is None:
        raise CheckFailure(f"{call} returned a {reply.get('type')}; return a tuple of ints")
    if tuple(got) != want:
        message = f"{call} returned {tuple(got)}" + (f", expected {want}" if reveal_expected else "")
        raise CheckFailure(message, hint=_matching_hint(shapes, tuple(got)))


def _expect_value_error(call, reply, raised) -> None:
    if raised is None:
        raise CheckFailure(f"{call} returned {reply.get('output')!r}, but these shapes cannot be "
                           "broadcast together: raise ValueError",
                           hint="in each position (from the right) the sizes must be equal or 1")
    if raised.get("type") != "ValueError":
        raise CheckFailure(f"{call} raised {_raised_text(raised)}; incompatible shapes should "
                           "raise ValueError")
    if not str(raised.get("message") or "").strip():
        raise CheckFailure(f"{call} raised ValueError without a message; say which sizes clash")


def _raised_text(info) -> str:
    text = f"{info.get('type')}: {str(info.get('message') or '')[:200]}"
    return text + (f" (line {info['line']})" if isinstance(info.get("line"), int) else "")


BROADCAST_PUBLIC = [
    ((2, 1, 3), (4, 1)),
    (3, (2, 1)),
    ((5, 4), (1,), (3, 1, 1)),
    ((2, 3), (3, 2)),
]
BROADCAST_PUBLIC_IDS = ["right_aligned", "int_shape", "three_shapes", "incompatible"]
