"""ex02 check builders: the grader/sandbox/drivers/ex02.py drivers on the worker side, the
float64 oracles of ex02_spec here. Each builder returns a pytest test function."""
from __future__ import annotations

from fractions import Fraction

import pytest
import torch

from ex02_spec import (DEFAULT_EPS_TOL, EXACT_EPS_TOL, GRAD_MISCONCEPTIONS, LOGISTIC_MISCONCEPTIONS,
                       NUMGRAD_MISCONCEPTIONS, central_differences, exact_gradient, fit_logistic)
from grader.compare import assert_close, close_enough, describe_value
from grader.outcomes import CheckFailure, ForbiddenOpUsed, SubmissionRaised
from grader.spec import DEFAULT_TOLERANCES, FunctionSpec
from grader.submission import forbidden_message
from grader.templates import cases, explained, reference_grads


def params(items, points, ids):
    share = Fraction(points) / len(items)
    return [pytest.param(*item, id=i, marks=pytest.mark.points(share)) for item, i in zip(items, ids)]


def call_driver(submission, op: str, what: str, **payload) -> dict:
    """A driver call whose forbidden ops fail the check, also when the submission raised."""
    try:
        reply = submission.driver(op, what=what, **payload)
    except SubmissionRaised as raised:
        hits = raised.info.get("forbidden") or []
        if hits:
            raise ForbiddenOpUsed(forbidden_message(hits, submission.filename, what), hits=hits) from None
        raise
    require_clean(submission, reply, what)
    return reply


def require_clean(submission, reply: dict, target: str) -> None:
    hits = reply.get("forbidden") or []
    if hits:
        raise ForbiddenOpUsed(forbidden_message(hits, submission.filename, target), hits=hits)


def require_hand_written(reply: dict, target: str) -> None:
    notes = reply.get("autograd_in_backward") or []
    if notes:
        where = f"line {notes[0]['line']}" if isinstance(notes[0].get("line"), int) else "your file"
        raise CheckFailure(
            f"{target}.backward used autograd ({notes[0]['op']}, {where}); the gradients earn "
            "points only when backward computes them itself",
            hint="write the derivative by hand from the tensors saved in forward "
                 "(ctx.save_for_backward), with ordinary tensor operations", about_values=False)
    if not reply.get("backward_calls"):
        raise CheckFailure(f"{target}.backward never ran: the gradients did not come from your "
                           "Function (is the output made by forward and returned as is?)",
                           about_values=False)


def run_function(submission, spec: FunctionSpec, args, *, grad_wrt=(), grad_outputs=()):
    return call_driver(submission, "ex02_function", spec.name, target=spec.name, args=list(args),
                       grad_wrt=list(grad_wrt), grad_outputs=list(grad_outputs))


def function_forward_check(spec: FunctionSpec, samples, *, points, dtypes=("float32", "float64")):
    @pytest.mark.parametrize("sample,dtype", cases(samples, dtypes, points))
    def check(submission, sample, dtype, reveal_expected):
        args, _ = spec.inputs(sample, dtype)
        with explained(sample, args, {}, dtype, submission.device):
            reply = run_function(submission, spec, args)
            tol, expected = spec.tol(submission.device, dtype), spec.expected(args, {})
            try:
                assert_close(reply["output"], expected, tol=tol, dtype=dtype,
                             reveal_expected=reveal_expected)
            except CheckFailure as failure:
                wrong = spec.matching_misconception(reply["output"], expected, args, {}, tol)
                failure.hint = f"{wrong.name}: {wrong.hint}" if wrong else failure.hint
                raise

    check.__doc__ = f"{spec.name}.apply matches {spec.reference_name}"
    return check


def _grad_keys(spec, args):
    return [k for k in spec.grad_wrt if k < len(args) and isinstance(args[k], torch.Tensor)]


def _grad_hint(spec, key, got, args, grad_out, tol):
    dargs = [a.double() if isinstance(a, torch.Tensor) else a for a in args]
    for k, name, wrong, hint in GRAD_MISCONCEPTIONS.get(spec.name, ()):
        try:
            if k == str(key) and close_enough(got, wrong(dargs, grad_out), tol):
                return f"{name}: {hint}"
        except RuntimeError:
            continue
    return None


def compare_grads(spec, grads: dict, expected: dict, args, grad_out, tol, reveal_expected):
    for key, want in expected.items():
        label = spec.arg_names[key]
        got = grads.get(str(key))
        if got is None:
            raise CheckFailure(f"no gradient for `{label}`: backward must return one gradient per "
                               "input of forward, in the same order", about_values=False)
        try:
            assert_close(got, want, tol=tol, what=f"gradient w.r.t. `{label}`",
                         reveal_expected=reveal_expected)
        except CheckFailure as failure:
            failure.hint = _grad_hint(spec, key, got, args, grad_out, tol) or failure.hint
            raise


def function_gradient_check(spec: FunctionSpec, samples, *, points, dtypes=("float64",)):
    @pytest.mark.parametrize("sample,dtype", cases(samples, dtypes, points))
    def check(submission, sample, dtype, reveal_expected):
        args, _ = spec.inputs(sample, dtype)
        keys = _grad_keys(spec, args)
        grad_out, expected = reference_grads(spec, args, {}, keys, sample.seed("grad"))
        with explained(sample, args, {}, dtype, submission.device):
            reply = run_function(submission, spec, args, grad_wrt=keys,
                                 grad_outputs=[grad_out.to(dtype)])
            require_hand_written(reply, spec.name)
            compare_grads(spec, reply["grads"][0], expected, args, grad_out,
                          spec.tol(submission.device, dtype), reveal_expected)

    check.__doc__ = f"{spec.name}.backward matches autograd through {spec.reference_name}"
    return check


def function_jacobian_check(spec: FunctionSpec, samples, *, points):
    """gradcheck-style in float64: one backward pass per output element (the whole Jacobian)."""

    @pytest.mark.parametrize("sample,dtype", cases(samples, ("float64",), points))
    def check(submission, sample, dtype, reveal_expected):
        args, _ = spec.inputs(sample, dtype)
        keys = _grad_keys(spec, args)
        leaves = [a.detach().clone().requires_grad_(i in keys) if isinstance(a, torch.Tensor) else a
                  for i, a in enumerate(args)]
        out = spec.reference(*leaves)
        basis = list(torch.eye(out.numel(), dtype=dtype).reshape(-1, *out.shape))
        with explained(sample, args, {}, dtype, submission.device):
            reply = run_function(submission, spec, args, grad_wrt=keys, grad_outputs=basis)
            require_hand_written(reply, spec.name)
            for row, (g, grads) in enumerate(zip(basis, reply["grads"])):
                want = torch.autograd.grad(out, [leaves[k] for k in keys], g, retain_graph=True)
                try:
                    compare_grads(spec, grads, dict(zip(keys, want)), args, g,
                                  spec.tol(submission.device, dtype), reveal_expected)
                except CheckFailure as failure:
                    failure.message = f"Jacobian row {row} (grad_out one-hot at output element " \
                                      f"{row}): {failure.message}"
                    raise

    check.__doc__ = f"{spec.name}.backward gives the whole Jacobian of {spec.reference_name}"
    return check


# ----------------------------------------------------------------- numerical_gradient
def _numgrad_hint(case, got):
    x, p = case.inputs()
    for name, wrong, hint in NUMGRAD_MISCONCEPTIONS:
        if close_enough(got, wrong(case.recipe, x, p, case.eps or 1e-6), EXACT_EPS_TOL):
            return f"{name}: {hint}"
    return case.hint


def check_numerical_gradient(submission, case, reveal_expected):
    reply = call_driver(submission, "ex02_numerical_gradient", "numerical_gradient", **case.request())
    x, p = case.inputs()
    if case.eps is None:
        expected, tol = exact_gradient(case.recipe, x, p), DEFAULT_EPS_TOL
    else:
        expected, tol = central_differences(case.recipe, x, p, case.eps), EXACT_EPS_TOL
    try:
        assert_close(reply["output"], expected, tol=tol, dtype=torch.float64,
                     reveal_expected=reveal_expected)
    except CheckFailure as failure:
        failure.message = f"{failure.message}\nconfiguration: {case.describe()}"
        failure.hint = _numgrad_hint(case, reply["output"]) if isinstance(reply["output"], torch.Tensor) \
            and reply["output"].shape == x.shape else failure.hint
        raise
    if reply.get("autograd"):
        raise CheckFailure("numerical_gradient called f on a tensor that requires grad: estimate "
                           "the gradient from values of f only, without autograd")
    return reply


# ----------------------------------------------------------------- logistic regression
def run_logistic(submission, case):
    x, y = case.inputs()
    reply = call_driver(submission, "ex02_logistic", "fit_logistic_regression", x=x, y=y,
                        args=list(case.args), kwargs=case.kwargs)
    if reply.get("form") != "ok":
        raise CheckFailure(f"fit_logistic_regression should return a tuple (w, b, losses), got "
                           f"{reply.get('form')}\nconfiguration: {case.describe()}")
    return x, y, reply


def _logistic_hint(reply, x, y, lr, steps, tol):
    for name, flags, hint in LOGISTIC_MISCONCEPTIONS:
        w, b, losses = fit_logistic(x, y, lr, steps, **flags)
        got = reply.get("losses")
        if isinstance(reply.get("w"), torch.Tensor) and close_enough(reply["w"], w, tol) \
                and got is not None and close_enough(torch.tensor(got, dtype=torch.float64), losses, tol):
            return f"{name}: {hint}"
    return None


def check_logistic_values(submission, case, reveal_expected):
    x, y, reply = run_logistic(submission, case)
    lr, steps = case.hyper()
    w, b, losses = fit_logistic(x, y, lr, steps)
    tol = DEFAULT_TOLERANCES[(submission.device.split(":")[0], case.dtype)]
    try:
        if reply.get("losses") is None:
            raise CheckFailure(f"losses should be a list of numbers, got a {reply.get('losses_type')} "
                               f"of {', '.join(reply.get('loss_types') or [])}")
        assert_close(torch.tensor(reply["losses"], dtype=torch.float64), losses, tol=tol,
                     what="losses", reveal_expected=reveal_expected)
        assert_close(reply.get("w"), w, tol=tol, what="w", reveal_expected=reveal_expected)
        assert_close(reply.get("b"), b, tol=tol, what="b", reveal_expected=reveal_expected)
    except CheckFailure as failure:
        failure.message = f"{failure.message}\nconfiguration: {case.describe()}"
        failure.hint = _logistic_hint(reply, x, y, lr, steps, tol) or failure.hint
        raise


def _type_problems(reply, d: int, dtype, steps: int) -> list[str]:
    problems = []
    for name, shape in (("w", (d,)), ("b", ())):
        value = reply.get(name)
        if not isinstance(value, torch.Tensor) or tuple(value.shape) != shape:
            problems.append(f"{name} should be a tensor of shape {shape}, got {describe_value(value)}")
        elif value.dtype != dtype:
            problems.append(f"{name} has dtype {value.dtype}, expected {dtype} (the dtype of x)")
        elif reply.get(f"{name}_requires_grad"):
            problems.append(f"{name} still requires grad: return it detached ({name}.detach())")
    if reply.get("losses_type") != "list" or reply.get("loss_types", []) not in ([], ["float"]):
        problems.append(f"losses should be a list of Python floats (loss.item()), got a "
                        f"{reply.get('losses_type')} of {', '.join(reply.get('loss_types') or [])}")
    elif len(reply.get("losses") or []) != steps:
        problems.append(f"losses has {len(reply.get('losses') or [])} items, expected one per "
                        f"step ({steps})")
    return problems


def check_logistic_types(submission, case):
    x, _, reply = run_logistic(submission, case)
    problems = _type_problems(reply, x.shape[1], x.dtype, case.hyper()[1])
    if problems:
        raise CheckFailure("; ".join(problems) + f"\nconfiguration: {case.describe()}")


def check_logistic_uses_autograd(submission, case):
    _, _, reply = run_logistic(submission, case)
    if not reply.get("autograd_calls"):
        raise CheckFailure("fit_logistic_regression never called loss.backward() or "
                           "torch.autograd.grad: let autograd compute the gradients",
                           hint="loss.backward() fills w.grad and b.grad; zero them every step")


# ----------------------------------------------------------------- a small network
def mlp_inputs(dtype, seed=7) -> dict:
    gen = torch.Generator().manual_seed(seed)
    shapes = {"x": (3, 4), "w1": (5, 4), "b1": (5,), "w2": (2, 5), "g": (3, 2)}
    return {k: (torch.rand(s, generator=gen, dtype=torch.float64) * 4 - 2).to(dtype)
            for k, s in shapes.items()}


def mlp_oracle(inputs: dict):
    leaves = {k: v.double().requires_grad_(k != "g") for k, v in inputs.items()}
    out = torch.nn.functional.linear(
        torch.sigmoid(torch.nn.functional.linear(leaves["x"], leaves["w1"], leaves["b1"])), leaves["w2"])
    names = ("x", "w1", "b1", "w2")
    grads = torch.autograd.grad((out * leaves["g"]).sum(), [leaves[n] for n in names])
    return out.detach(), dict(zip(names, grads))


def check_mlp(submission, dtype, reveal_expected):
    inputs = mlp_inputs(dtype)
    reply = call_driver(submission, "ex02_mlp", "LinearFunction/SigmoidFunction", **inputs)
    out, grads = mlp_oracle(inputs)
    tol = DEFAULT_TOLERANCES[(submission.device.split(":")[0], str(dtype).replace("torch.", ""))]
    what = "Linear(Sigmoid(Linear(x, W1, b1)), W2)"
    assert_close(reply.get("output"), out, tol=tol, dtype=dtype, what=f"output of {what}",
                 reveal_expected=reveal_expected)
    require_hand_written(reply, "LinearFunction/SigmoidFunction")
    for name, want in grads.items():
        assert_close((reply.get("grads") or {}).get(name), want, tol=tol,
                     what=f"gradient of sum(G * {what}) w.r.t. {name}", reveal_expected=reveal_expected)
