"""Trusted-side evidence about a submission's integrity, read as text (never executed).

The run-time op recorders are the main defence against forbidden built-ins; this scan adds
evidence of attempts to get around them: names that switch off torch's dispatch or function
modes, reach the raw op tables, start unrecorded threads, or compute a convolution in
numpy/scipy. Only code tokens count (comments, strings and docstrings are ignored).
"""
from __future__ import annotations

import io
import tokenize
from pathlib import Path

EVASION_NAMES = {
    "_DisableTorchDispatch": "switches off dispatch modes (the op recorder)",
    "_disable_current_modes": "switches off the active dispatch modes (the op recorder)",
    "_pop_mode": "removes dispatch modes (the op recorder)",
    "_pop_mode_temporarily": "removes dispatch modes (the op recorder)",
    "DisableTorchFunction": "switches off torch function modes (the op recorder)",
    "DisableTorchFunctionSubclass": "switches off torch function handling",
    "_set_torch_function_mode": "replaces torch function modes (the op recorder)",
    "_pop_torch_function_stack": "removes torch function modes (the op recorder)",
    "_VariableFunctions": "reaches the raw op table behind torch.*",
    "start_new_thread": "starts a thread the op recorder does not see",
    "grader": "reaches into the grader's own code in the worker",
    "oprecorder": "reaches into the grader's op recorder",
    "Recording": "reaches into the grader's op recorder",
    "DRIVERS": "reaches into the grader's drivers",
    "run_submission": "reaches into the grader's worker code",
    "convolve": "computes a convolution outside torch",
    "convolve2d": "computes a convolution outside torch",
    "fftconvolve": "computes a convolution outside torch",
    "oaconvolve": "computes a convolution outside torch",
    "correlate": "computes a correlation outside torch",
    "correlate2d": "computes a correlation outside torch",
}
MAX_SCAN_BYTES = 5 * 1024 * 1024


def scan_source(path: str | Path) -> list[dict]:
    """Evasion names used in the code of ``path``: ``[{"name", "line", "why"}]``."""
    try:
        data = Path(path).read_bytes()[:MAX_SCAN_BYTES]
        tokens = tokenize.tokenize(io.BytesIO(data).readline)
        hits, seen = [], set()
        for tok in tokens:
            if tok.type == tokenize.NAME and tok.string in EVASION_NAMES and tok.string not in seen:
                seen.add(tok.string)
                hits.append({"name": tok.string, "line": tok.start[0], "why": EVASION_NAMES[tok.string]})
        return hits
    except (OSError, SyntaxError, tokenize.TokenError, UnicodeDecodeError):
        return []  # a file that does not tokenize fails its checks at import anyway


def withhold(checks, hits: list[dict]) -> None:
    """The deduction: checks that passed are withheld, pending an instructor's review."""
    first = hits[0]
    note = (f"withheld pending review: the submission uses `{first['name']}` (line {first['line']}), "
            f"which {first['why']}")
    for check in checks:
        if check.status == "passed":
            check.status, check.score, check.message = "failed", 0, note
