"""ex06 (attention, multi-head attention, positional encoding): the reference gets full
marks, the stub zero, every bug loses points, every correct variant gets full marks,
delegating to the built-in is flagged, and the stub exposes the reference's public API."""
from __future__ import annotations

import importlib.util
import inspect

import pytest

from conftest import REPO, SUBMISSIONS, assert_full_marks, assert_loses_points, summary

EX = "ex06"
HERE = SUBMISSIONS / EX
REFERENCE = REPO / "solutions" / "ex06_attention.py"
STUB = REPO / "exercises" / "ex06_attention.py"


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
    "buggy_sdpa_mask_polarity.py": ("sdpa_forward", "boolean mask inverted"),
    "buggy_mha_mask_polarity.py": ("mha_forward", "mask polarity of scaled_dot_product_attention"),
    "buggy_mha_scale_embed_dim.py": ("mha_forward", "scaled by 1 / sqrt(embed_dim)"),
    "buggy_mha_heads_interleaved.py": ("mha_forward", "heads interleaved"),
    "buggy_causal_bottom_right.py": ("sdpa_forward_hidden", "causal mask aligned bottom-right"),
    "buggy_naive_softmax.py": ("sdpa_forward_hidden", None),
    "buggy_pe_halves.py": ("positional_encoding", "sin and cos in two halves"),
    "buggy_dropout_no_rescale.py": ("sdpa_dropout", None),
    "buggy_query_scaled_inplace.py": ("sdpa_inputs_unchanged", None),
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
    assert any("scaled_dot_product" in op for op in ops), ops
    assert any("multi_head_attention_forward" in op for op in ops), ops


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
    stub, reference = _load(STUB, "ex06_stub"), _load(REFERENCE, "ex06_reference")
    assert _public_api(stub) == _public_api(reference)
    assert set(_public_api(stub)) == {"scaled_dot_product_attention", "MultiheadAttention.__init__",
                                      "MultiheadAttention.forward", "sinusoidal_positional_encoding"}
