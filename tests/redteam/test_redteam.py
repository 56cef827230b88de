"""The red-team suite: every malicious submission of ``attacks.ATTACKS`` graded the way an
autograder grades it, and judged on behaviour only -- the score (no more than the honest
stub's), a valid report, no file changed outside scratch, no canary or hidden expected
value in the report, within its wall-time bound, no process left alive, nothing reaching
the test's loopback listener. An attack whose defence needs a layer that ``result.sandbox``
says this machine lacks is skipped with that reason, never passed.
"""
from __future__ import annotations

import json
import os

import pytest

from attacks import ATTACKS, BY_NAME, SUBMISSIONS, THREATS, Campaign

pytestmark = pytest.mark.slow


ORDER = sorted(ATTACKS, key=lambda a: a.tier == "cli")  # those last: graded meanwhile


@pytest.fixture(scope="module")
def campaign():
    campaign = Campaign()
    try:
        campaign.calibrate()
        if not os.environ.get("PYTEST_XDIST_WORKER"):  # under xdist each test runs its own
            campaign.prefetch([a for a in ORDER if a.tier == "cli"])
        yield campaign
    finally:
        campaign.close()


def test_every_attack_file_is_in_the_table():
    files = sorted(p.stem for p in SUBMISSIONS.glob("*.py"))
    assert files == sorted(a.name for a in ATTACKS if a.make is None)
    assert len(files) >= 25


def test_every_threat_is_covered():
    assert {a.threat for a in ATTACKS} == set(THREATS)
    for attack in ATTACKS:
        assert attack.summary, attack.name


def test_controls_make_the_verdicts_meaningful(campaign):
    """The reference gets full marks in the world (so a zero is the defence's doing) and the
    honest stub gets the baseline every attack is held to."""
    reference, stub = campaign.controls["reference"], campaign.controls["stub"]
    assert reference["score"] == reference["max_score"] > 0, json.dumps(reference)[:2000]
    assert reference["hidden_checks"], "the world's hidden checks did not run"
    assert stub["score"] == 0, json.dumps(stub)[:2000]


@pytest.mark.parametrize("name", [a.name for a in ORDER])
def test_attack_is_contained(campaign, name):
    outcome = campaign.run(BY_NAME[name])
    if outcome.skip:
        pytest.skip(f"{outcome.skip} (uncontained here: {'; '.join(outcome.problems)[:400]})")
    if outcome.problems:
        pytest.fail(outcome.explain(), pytrace=False)
