"""ex05 (LSTM/GRU cells, run_lstm): the reference gets full marks, the stub zero, every bug
loses points, every correct variant gets full marks, delegating to the built-in is flagged,
and the stub exposes the reference's public API."""
from __future__ import annotations

import importlib.util
import inspect

import pytest

from conftest import REPO, SUBMISSIONS, assert_full_marks, assert_loses_points, summary

EX = "ex05"
HERE = SUBMISSIONS / EX
REFERENCE = REPO / "solutions" / "ex05_rnn.py"
STUB = REPO / "exercises" / "ex05_rnn.py"


def test_reference_full_marks(grade):
    result = grade(EX, REFERENCE)
    assert_full_marks(result)
    assert result.hidden_present and result.max_score == 100


def test_stub_scores_zero_with_not_implemented(grade):
    result = grade(EX, STUB)
    assert result.score == 0, summary(result)
    ran = [c for c in result.checks if c.status != "skipped"]
    assert ran and all("not implemented" in c.message for c in ran), summary(result)


def test_public_checks_run_alone(grade):
    result = grade(EX, REFERENCE, include_hidden=False)
    assert_full_marks(result)
    assert not result.hidden_present and not any(c.hidden for c in result.checks)
    assert 0 < result.max_score < 100


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("correct_*.py")))
def test_correct_variants_full_marks(grade, name):
    assert_full_marks(grade(EX, HERE / name))


# Each bug loses points in the check group that should catch it, named by a hint where one applies.
CAUGHT_BY = {
    "buggy_gate_order_ifog.py": ("lstm_cell_forward", "gate order i, f, o, g"),
    "buggy_gru_reset_before_matmul.py": ("gru_cell_forward_hidden",
                                         "reset gate applied before the hidden matmul"),
    "buggy_gru_z_swapped.py": ("gru_cell_forward", "z and 1 - z swapped"),
    "buggy_no_bias_hh.py": ("lstm_cell_forward", "bias_hh ignored"),
    "buggy_c_not_carried.py": ("run_lstm_forward", "cell state not carried"),
    "buggy_zeros_float32.py": ("lstm_cell_forward", None),
    "buggy_unbatched_shape.py": ("lstm_cell_forward", None),
    "buggy_inplace_state.py": ("lstm_cell_inputs_unchanged", None),
    "buggy_init_randn.py": ("lstm_cell_init", None),
    "buggy_weights_transposed.py": ("lstm_cell_parameters", None),
}


def test_every_buggy_submission_has_an_expectation():
    assert sorted(CAUGHT_BY) == sorted(p.name for p in HERE.glob("buggy_*.py"))


@pytest.mark.parametrize("name", sorted(CAUGHT_BY))
def test_buggy_variants_lose_points_where_expected(grade, name):
    group, hint = CAUGHT_BY[name]
    result = grade(EX, HERE / name)
    assert_loses_points(result)
    failing = [c for c in result.checks if c.status == "failed" and c.name.split("[")[0] == group]
    assert failing, summary(result)
    if hint:
        assert any(c.hint and hint in c.hint for c in result.checks), summary(result)
    hidden = [c for c in result.checks if c.hidden and "values are wrong" in c.message]
    assert all("expected " not in c.message.split("worst element")[-1] for c in hidden), summary(result)


@pytest.mark.parametrize("name", sorted(p.name for p in HERE.glob("delegate_*.py")))
def test_delegation_is_flagged(grade, name):
    result = grade(EX, HERE / name)
    assert_loses_points(result)
    ops = {hit["op"] for hit in result.forbidden}
    assert any("lstm" in op for op in ops) and any("gru_cell" in op for op in ops), ops


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _public_api(module) -> dict:
    api = {}
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(obj):
            for method in ("__init__", "forward"):
                api[f"{name}.{method}"] = str(inspect.signature(getattr(obj, method)))
        elif inspect.isfunction(obj):
            api[name] = str(inspect.signature(obj))
    return api


def test_stub_and_reference_expose_the_same_api():
    stub, reference = _load(STUB, "ex05_stub"), _load(REFERENCE, "ex05_reference")
    assert _public_api(stub) == _public_api(reference)
    assert set(_public_api(stub)) == {"LSTMCell.__init__", "LSTMCell.forward", "GRUCell.__init__",
                                      "GRUCell.forward", "run_lstm"}
