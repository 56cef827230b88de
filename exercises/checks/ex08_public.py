"""ex08 public checks: metrics on two label sets, one training epoch, one evaluation, and a
3-epoch fit on the digits (accuracy and checkpoint round trip).

Run them with `course check ex08`. The hidden checks (graded by your instructor) cover more
label sets, errors and types, other loaders and optimizers, the history fit returns and
which checkpoint it keeps, and load_checkpoint.
"""
import pytest
from ex08_fit_judge import assert_evaluation_metrics, assert_round_trip
from ex08_judge import (assert_epoch_loss, assert_evaluation_batches, assert_steps,
                        assert_train_mode, metrics_check, require_clean, single_pass)
from ex08_spec import (ACCURACY_THRESHOLD, ARCH, METRICS_PUBLIC, digits, predict, run,
                       runs)

from grader.outcomes import CheckFailure

test_classification_metrics = metrics_check(METRICS_PUBLIC, points=8)


def _clean_run(submission, name: str, what: str) -> dict:
    result = run(submission, name)
    require_clean(submission, result, what)
    return result


@pytest.mark.points(5)
def test_train_one_epoch_returns_mean_loss(submission, reveal_expected):
    """train_one_epoch returns the mean loss per sample of the epoch"""
    result = _clean_run(submission, "train", "train_one_epoch")
    batches = single_pass(result, "train", len(digits()["y_train"]), "train_one_epoch")
    assert_epoch_loss(result["output"], batches, runs()["train"]["batch_size"],
                      reveal=reveal_expected, what="the value train_one_epoch returned")


@pytest.mark.points(5)
def test_train_one_epoch_steps(submission):
    """train_one_epoch: train mode, zero gradients before each backward, one step per batch"""
    result = _clean_run(submission, "train", "train_one_epoch")
    batches = single_pass(result, "train", len(digits()["y_train"]), "train_one_epoch")
    assert_train_mode(batches, "train_one_epoch")
    assert_steps(batches, "train_one_epoch")


@pytest.mark.points(5)
def test_evaluate(submission, reveal_expected):
    """evaluate: eval mode, no autograd, metrics of the model's predictions"""
    request = runs()["evaluate"]
    result = _clean_run(submission, "evaluate", "evaluate")
    batches = single_pass(result, "val", len(request["data"]["y_val"]), "evaluate")
    assert_evaluation_batches(batches, "evaluate")
    assert_evaluation_metrics(result, request, reveal=reveal_expected)


@pytest.mark.points(5)
def test_fit_reaches_accuracy(submission):
    """after fit(..., epochs=3) the grader measures a validation accuracy above 0.9"""
    result = _clean_run(submission, "fit", "fit")
    d = digits()
    accuracy = float((predict(result["state"], ARCH, d["x_val"], 100) == d["y_val"]).double().mean())
    if accuracy <= ACCURACY_THRESHOLD:
        raise CheckFailure(f"after fit(..., epochs=3) the model's validation accuracy, measured "
                           f"by the grader, is {accuracy:.3f}; above {ACCURACY_THRESHOLD} is "
                           "expected (a correct loop reaches about 0.97)",
                           hint="every batch: to(device), zero_grad, forward, loss, backward, "
                                "step, with the model in train mode")


@pytest.mark.points(2)
def test_checkpoint_round_trip(submission):
    """load_checkpoint restores the checkpoint fit wrote into a fresh model"""
    result = _clean_run(submission, "fit", "fit")
    assert_round_trip(result)
