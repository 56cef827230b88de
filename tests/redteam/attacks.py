"""The red-team table and its runner, shared by test_redteam.py and scripts/redteam_figures.py.

Each attack is a submission for the world's exercise ``conv`` (``submissions/<name>.py``, or
built at run time for hostile inputs), graded the way an autograder would grade it. What
is judged is behaviour only: the score and the report, files of the world and strays in
shared temp folders, canaries in the report, processes left alive, packets that reached
the test's loopback listener, and wall time. An attack whose defence needs a layer that
``result.sandbox`` says is absent is reported as such (the test skips it), never passed.
"""
from __future__ import annotations

import json
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from grading import Host, grader_leftovers, run_cli
from verdicts import THREATS, Outcome, count_below, judge, mentions, output_bounded
from world import CANARY_RE, HIDDEN_SALT, HIDDEN_SHAPES, REPO, TINY, Listener, World, remove, strays, survivors

__all__ = ["ATTACKS", "BY_NAME", "THREATS", "SUBMISSIONS", "Attack", "Campaign", "Outcome"]
HERE = Path(__file__).resolve().parent
SUBMISSIONS = HERE / "submissions"
UID, FS, NET = {"uid": "dropped"}, {"fs": "confined"}, {"network": "isolated"}
NET_TOKEN = "RT-NET-REACHED"   # what the network attacks put in their messages when they got through


# ---------------------------------------------------------------------- hostile inputs
def _write(campaign, name: str, data: bytes, filename="ex03_conv.py") -> str:
    folder = campaign.world.inputs / name
    folder.mkdir(exist_ok=True)
    (folder / filename).write_bytes(data)
    return str(folder / filename)


def not_utf8(c):
    """A submission in Latin-1 with bytes that are not UTF-8."""
    return _write(c, "not_utf8", b'"""conv2d \xe9crit en Latin-1 \xff\xfe"""\n'
                  b"def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):\n"
                  b"    raise NotImplementedError('ex03: implement conv2d \xe9')\n")


def empty(c):
    """An empty submission file."""
    return _write(c, "empty", b"")


def fifty_mb(c):
    """A 50 MB submission (one huge docstring), made at run time."""
    body = b'"""' + b"x" * (50 << 20) + b'"""\n'
    return _write(c, "fifty_mb", body + b"def conv2d(*args, **kwargs):\n"
                                        b"    raise NotImplementedError('ex03: implement conv2d')\n")


def syntax_error(c):
    """A submission that does not parse."""
    return _write(c, "syntax_error", b"import torch\n\ndef conv2d(input, weight:\n    return input\n")


def symlink_outside(c):
    """A submission that is a symlink to a file outside its folder: the course's reference."""
    folder = c.world.inputs / "symlink"
    folder.mkdir(exist_ok=True)
    link = folder / "ex03_conv.py"
    if not link.is_symlink():
        link.symlink_to(c.world.course / "solutions" / "ex03_conv.py")
    return str(link)


def bad_notebook(c):
    """A notebook whose JSON is malformed."""
    return _write(c, "notebook", b'{"cells": [{"cell_type": "code", "source": ["def conv2d(', "ex03_conv.ipynb")


# ---------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Attack:
    name: str
    threat: int
    expect: str = "contained"    # contained | flagged (evasion) | usage (exit 2 or a report) | evidence
    needs: dict = field(default_factory=dict)   # layers its defence needs, as result.sandbox names them
    tier: str = "host"           # host: the warm grader; cli: a `course check` process of its own
    seconds: float = 25.0        # wall-time bound for grading it
    tag: str = ""                # its processes carry the marker rtmark-<tag>
    settle: float = 0.0          # seconds to wait after grading before looking (late writes)
    make: Callable | None = None
    extra: Callable | None = None

    def submission(self, campaign) -> str:
        return self.make(campaign) if self.make else str(SUBMISSIONS / f"{self.name}.py")

    @property
    def summary(self) -> str:
        if self.make:
            return self.make.__doc__.strip()
        text = (SUBMISSIONS / f"{self.name}.py").read_text()
        doc = text.split('"""')[1] if '"""' in text else self.name
        return " ".join(doc.split())


A = Attack
ATTACKS = [
    A("tamper_checkers", 1),
    A("lying_tensor_subclass", 1),
    A("lying_object", 1),
    A("returns_nontensor", 1),
    A("tamper_worker_recorder", 1, expect="flagged"),
    A("forge_results_files", 2, needs={**UID, **FS}),
    A("forge_out_file", 2, tier="cli", needs=UID, tag="forgeout", settle=2.5, seconds=90),
    A("forge_stdout", 2, tier="cli", needs=UID, seconds=90),
    A("print_fake_score", 2),
    A("exit_sys_exit_import", 3),
    A("exit_os_exit_call", 3),
    A("exit_base_exception_call", 3),
    A("raise_pytest_outcome", 3),
    A("interrupt_at_import", 3),
    A("signal_tricks", 3, tag="signals"),
    A("kill_parent", 3, tier="cli", needs=UID, seconds=90),
    A("kill_grader", 3, tier="cli", needs=UID, seconds=90),
    A("read_hidden_checks", 4, needs=UID),
    A("read_reference_solution", 4, needs=UID),
    A("read_other_submissions", 4, needs=UID),
    A("read_grader_environ", 4, needs=UID),
    A("read_proc_cwd_root", 4, needs=UID),
    A("read_grader_memory", 4, needs=UID),
    A("busy_loop_threads", 5, tag="busy"),
    A("sleep_ignoring_signals", 5, tag="sleeper"),
    A("memory_bomb_children", 5, tag="membomb", extra=mentions("memory")),
    A("memory_bomb_mmap", 5),
    A("fork_bomb", 5, needs=UID, tag="forkbomb", extra=count_below("RT-FORK made", 300)),
    A("thread_bomb", 5),
    A("output_flood", 5, extra=output_bounded),
    A("disk_huge_files", 5, needs=FS, extra=count_below("RT-DISK wrote", 1 << 30)),
    A("disk_many_files", 5, needs=FS),
    A("background_child", 5, tag="child"),
    A("background_daemon", 5, needs=UID, tag="daemon", settle=2.5),
    A("net_tcp_loopback", 6, needs=NET),
    A("net_udp_loopback", 6, needs=NET),
    A("net_dns_lookup", 6, needs=NET),
    A("damage_delete", 7, needs=UID),
    A("damage_rewrite", 7, needs=UID),
    A("damage_chmod", 7, needs=UID),
    A("evade_thread", 8, expect="flagged"),
    A("evade_disable_dispatch", 8, expect="flagged"),
    A("evade_disable_modes", 8, expect="flagged"),
    A("evade_aten_variablefunctions", 8, expect="flagged"),
    A("evade_numpy_scipy", 8, expect="flagged"),
    A("evade_nograd_value", 8, expect="flagged"),
    A("evade_obfuscated", 8, expect="evidence"),
    A("input_not_utf8", 9, expect="usage", make=not_utf8),
    A("input_empty", 9, expect="usage", make=empty),
    A("input_50mb", 9, expect="usage", make=fifty_mb, seconds=60),
    A("input_syntax_error", 9, expect="usage", make=syntax_error),
    A("input_symlink_outside", 9, expect="usage", make=symlink_outside),
    A("input_notebook_malformed", 9, expect="usage", make=bad_notebook),
]
BY_NAME = {a.name: a for a in ATTACKS}


# ---------------------------------------------------------------------- the campaign
class Campaign:
    """One world, one loopback listener, one warm grader: runs attacks one at a time (and,
    with ``prefetch``, the `course check` ones meanwhile, in a world of their own)."""

    def __init__(self, listener: Listener | None = None):
        self.world = World()
        self.listener = listener or Listener()
        self._own_listener = listener is None
        self.host = Host(self.world)
        self.layers: dict = {}
        self.baseline = 0
        self.out_option = True
        self._expected = hidden_expected_strings()
        self.controls = {}
        self._prefetched: dict[str, Future] = {}
        self._helpers: list = []
        self.side_effects: list[str] = []

    def close(self):
        for helper, pool in self._helpers:
            pool.shutdown(wait=True)
            helper.close()
        self.host.stop()
        if self._own_listener:
            self.listener.close()
        self.world.close()

    def prefetch(self, attacks) -> None:
        """Grade ``attacks`` in the background, one after the other, in a second world: a
        `course check` process spends its time starting up, which overlaps with the warm
        grader's work on the others. ``run`` then waits for their outcome."""
        helper = Campaign(self.listener)
        helper.baseline, helper.layers, helper.controls = self.baseline, self.layers, self.controls
        pool = ThreadPoolExecutor(max_workers=1)
        self._helpers.append((helper, pool))
        pool.submit(helper.calibrate_cli)
        for attack in attacks:
            self._prefetched[attack.name] = pool.submit(helper.run, attack)

    def calibrate(self) -> dict:
        """The honest stub (its score is the baseline) and the reference (must be full marks,
        or every other verdict is meaningless); the layers come from their reports. What
        grading them changed in the world is the grader's own doing (``side_effects``)."""
        before = self.world.snapshot()
        stub = self.host.grade(str(TINY / "exercises" / "ex03_conv.py"),
                               str(self.world.results / "control_stub.json"), 60)
        ref = self.host.grade(str(REPO / "solutions" / "ex03_conv.py"),
                              str(self.world.results / "control_reference.json"), 60)
        self.controls = {"stub": stub.get("report"), "reference": ref.get("report")}
        for name, answer in (("stub", stub), ("reference", ref)):
            if not isinstance(answer.get("report"), dict):
                raise RuntimeError(f"the control run ({name}) produced no report: {answer}")
        self.baseline = self.controls["stub"]["score"]
        self.layers = dict(self.controls["reference"].get("sandbox") or {})
        self._settle_world(before, {"results/control_stub.json", "results/control_reference.json"})
        return self.controls

    def grader_side_effects(self) -> list[str]:
        """What the controls' own grading wrote into the worlds (not held against attacks)."""
        return sorted({*self.side_effects, *(c for h, _ in self._helpers for c in h.side_effects)})

    def calibrate_cli(self) -> None:
        """`course check` of the honest stub: what it changes in the world is the grader's."""
        before = self.world.snapshot()
        out = self.world.results / "control_stub_cli.json"
        self._grade_cli(Attack("control_stub_cli", 0, seconds=90),
                        str(TINY / "exercises" / "ex03_conv.py"), out, Outcome(ATTACKS[0]))
        self._settle_world(before, {f"results/{out.name}"})

    def _settle_world(self, before, expected) -> None:
        self.side_effects = World.changes(before, self.world.snapshot(), expected)
        self.world.adopt()

    def run(self, attack: Attack) -> Outcome:
        if attack.name in self._prefetched:
            return self._prefetched.pop(attack.name).result()
        outcome = Outcome(attack)
        submission = attack.submission(self)
        out = self.world.results / f"{attack.name}.json"
        remove([str(out)])
        before, hits = self.world.snapshot(), len(self.listener.hits)
        started = time.monotonic()
        (self._grade_cli if attack.tier == "cli" else self._grade_host)(attack, submission, out, outcome)
        outcome.elapsed = time.monotonic() - started
        time.sleep(attack.settle)
        self._look(attack, out, outcome, before, hits)
        judge(outcome, self.baseline, self.layers)
        if outcome.changed:
            self.world.restore()
            self.host.stop()  # the grader copy may be damaged: restart from the repaired one
        return outcome

    # ------------------------------------------------------------------ grading
    def _grade_host(self, attack, submission, out, outcome):
        answer = self.host.grade(submission, str(out), attack.seconds + 30)
        outcome.report, outcome.usage = answer.get("report"), answer.get("usage")
        if "traceback" in answer:
            outcome.crash = "the grader crashed with a traceback: " + answer["traceback"].strip().splitlines()[-1]
        if "died" in answer:
            outcome.crash = answer["died"]
        outcome.stdout = outcome.usage or ""

    def _grade_cli(self, attack, submission, out, outcome):
        run = run_cli(self.world, submission, str(out) if self.out_option else None, attack.seconds + 30)
        if run["exit"] == 2 and "--out" in run["stderr"]:
            self.out_option = False   # this grader has no --out yet: the report comes from stdout
            run = run_cli(self.world, submission, None, attack.seconds + 30)
        outcome.exit_code, outcome.stdout = run["exit"], run["stdout"]
        if not self.out_option:
            outcome.info.append("`course check` has no --out option here: report read from stdout")
        if "Traceback" in run["stderr"]:
            outcome.crash = "`course check` printed a traceback: " + run["stderr"].strip().splitlines()[-1][:200]
        if run["timed_out"]:
            outcome.crash = f"`course check` did not finish within {attack.seconds + 30:g} s"
        elif run["exit"] == 2:
            outcome.usage = run["stderr"].strip()[-500:]
        elif run["exit"] not in (0, 1):
            outcome.crash = f"`course check` ended with status {run['exit']} (killed?) and no report"
        try:
            outcome.report = json.loads(run["stdout"]) if run["stdout"].strip() else None
        except json.JSONDecodeError as e:
            outcome.notes.append(f"forged stdout: it is not one JSON report ({e.msg} at char {e.pos}): "
                                 f"{run['stdout'][:120]!r}")

    # ------------------------------------------------------------------ looking
    def _look(self, attack, out, outcome, before, hits):
        rep = outcome.report
        if out.exists():
            try:
                written = json.loads(out.read_text())
            except (OSError, ValueError):
                written = "not JSON"
            if rep is None and isinstance(written, dict):
                outcome.notes.append(f"forged report file: the grader gave no report but {out.name} "
                                     f"says {written.get('score')}/{written.get('max_score')}")
            elif written != rep:
                score = written.get("score") if isinstance(written, dict) else written
                outcome.notes.append(f"forged report file: {out.name} differs from the grader's report "
                                     f"after grading (it says score {score})")
        spare = self.host.family()
        outcome.survivors = survivors(attack.tag) if attack.tag else []
        outcome.survivors += [(p, "a worker of the grader, still running after grading")
                              for p in self.host.workers()]
        outcome.survivors += [(p, f"grader process left behind: {c}")
                              for p, c in grader_leftovers(self.world, spare)]
        stray = strays(attack.name)
        remove(stray)
        outcome.changed = World.changes(before, self.world.snapshot(), {f"results/{out.name}"}) + \
            [f"created {p}" for p in stray]
        outcome.network = [h for h in self.listener.hits[hits:] if attack.name in h]
        text = json.dumps(rep) + outcome.stdout + (outcome.usage or "")
        outcome.leaks = [f"{kind} canary" for kind, value in self.world.canaries.items() if value in text]
        outcome.leaks += [f"canary-like secret {m}" for m in set(CANARY_RE.findall(text))
                          if m not in self.world.canaries.values()]
        if NET_TOKEN in text:
            outcome.network.append(f"the attack says it got through: {_around(text, NET_TOKEN)}")
        for check in (rep or {}).get("checks", []) if isinstance(rep, dict) else []:
            if check.get("hidden"):
                shown = [v for v in self._expected if v in check.get("message", "")]
                if shown:
                    outcome.leaks.append(f"expected values of a hidden check in its message: {shown[:3]}")


def _around(text: str, token: str) -> str:
    i = text.find(token)
    return text[i:i + 120]


def hidden_expected_strings() -> set[str]:
    """The hidden check's expected values (forward and gradients) as reports print numbers."""
    import torch
    import torch.nn.functional as F

    from grader.spec import FunctionSpec, Sample, T
    from grader.templates import reference_grads

    spec = FunctionSpec(name="conv2d", reference=F.conv2d, reference_name="F.conv2d",
                        salt=HIDDEN_SALT, grad_wrt=(0, 1))
    sample = Sample("h", tuple(T(*s) for s in HIDDEN_SHAPES))
    values = []
    for dtype in (torch.float32, torch.float64):
        args, kwargs = spec.inputs(sample, dtype)
        values += spec.expected(args, kwargs).reshape(-1).tolist()
    args, kwargs = spec.inputs(sample, torch.float64)
    _, grads = reference_grads(spec, args, kwargs, [0, 1], sample.seed("grad"))
    values += [v for g in grads.values() for v in g.reshape(-1).tolist()]
    return {s for s in (f"{v:.6g}" for v in values) if len(s) >= 7}
