"""The grader's functions, keyword-only and independent of click.

``check_exercise`` runs an exercise's pytest checks in this (trusted) process against a
submission that only ever runs in sandbox workers, and returns an ``ExerciseResult``.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
import torch

from .integrity import scan_source, withhold
from .manifest import Exercise, LoadedCourse
from .plugin import GradingContext, GradingPlugin
from .sandbox.client import Sandbox
from .scoring import ExerciseResult, declared_total, forbidden_summary, score_outcomes
from .submission import Budget, Submission

PYTEST_INI = Path(__file__).with_name("pytest_grading.ini")
MAX_SUBMISSION_BYTES = 5 << 20


class UsageError(Exception):
    """Bad input from the user (a missing file, an unknown exercise): exit status 2."""


def resolve_submission(course: LoadedCourse, ex: Exercise, submission: str | None) -> Path:
    """The student's module: the default in ``exercises/``, a file, or a folder like ``exercises/``."""
    if submission is None:
        path = course.resolve(ex.module)
        if not path.is_file():
            raise UsageError(f"{ex.module} not found in {course.root}: the exercise's module is missing")
        return path
    path = Path(submission).expanduser()
    if path.is_dir() and not path.is_symlink():
        candidate = path / Path(ex.module).name
        if not candidate.is_file():
            raise UsageError(f"{path} holds no {Path(ex.module).name} (a folder must be laid out "
                             "like exercises/)")
        path = candidate
    if not path.exists():
        raise UsageError(f"submission {path} not found")
    if not path.is_file():
        raise UsageError(f"submission {path} is not a regular file")
    if path.suffix != ".py":
        raise UsageError(f"submission {path} is not a .py file")
    if path.is_symlink():
        raise UsageError(f"submission {path} is a symbolic link; submit the file itself")
    if path.stat().st_size > MAX_SUBMISSION_BYTES:
        raise UsageError(f"submission {path} is {path.stat().st_size >> 20} MB; a module over "
                         f"{MAX_SUBMISSION_BYTES >> 20} MB is not graded")
    return path.resolve()


def device_plan(policy: str, requested: tuple[str, ...] | None = None) -> dict:
    """Which devices run, and for each one that does not, the reason it is skipped."""
    has_cuda = torch.cuda.is_available()
    plan = {"cpu": None}
    if policy == "off":
        plan["cuda"] = "CUDA checks are turned off for this course"
    elif has_cuda:
        plan["cuda"] = None
    elif policy == "required":
        plan["cuda"] = None  # runs, and fails: the course says CUDA is required
    else:
        plan["cuda"] = "CUDA is not available on this machine"
    if requested:
        for device in plan:
            if device not in requested and plan[device] is None:
                plan[device] = f"{device} not selected (--device)"
    return plan


def check_files(course: LoadedCourse, ex: Exercise, include_hidden: bool):
    public = [course.resolve(p) for p in ex.checks.public]
    for p in public:
        if not p.is_file():
            raise UsageError(f"public check file {p} for {ex.id} is missing from the course")
    hidden = [course.resolve(p) for p in ex.checks.hidden] if include_hidden else []
    hidden = [p for p in hidden if p.is_file()]
    return public, hidden


def check_exercise(*, course: LoadedCourse, exercise_id: str, submission: str | None = None,
                   devices: tuple[str, ...] | None = None, include_hidden: bool = True,
                   progress=None, sandbox: Sandbox | None = None) -> ExerciseResult:
    ex = course.exercise(exercise_id)
    path = resolve_submission(course, ex, submission)
    public, hidden = check_files(course, ex, include_hidden)
    limits = course.limits_for(ex)
    result = ExerciseResult(exercise=ex.id, title=ex.title, declared_points=ex.points,
                            hidden_present=bool(hidden), advisory=not _official_run())
    started = time.monotonic()
    own_sandbox = sandbox is None
    sandbox = sandbox or Sandbox()
    sandbox.start()

    budget = Budget(limits.time_per_exercise)

    def make_submission(device: str) -> Submission:
        return Submission(sandbox=sandbox, path=str(path), module_name=ex.module_name, device=device,
                          forbidden=ex.forbidden, allowed=ex.allowed, time_limit=limits.time_per_check,
                          memory_mb=limits.memory_mb, threads=limits.cpu_threads,
                          budget=budget, output_kb=limits.output_kb, hide=[str(course.root)])

    context = GradingContext(make_submission=make_submission, hidden_files=set(hidden),
                             devices=device_plan(course.course.cuda, devices))
    plugin = GradingPlugin(context, progress=progress)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the oracles are small; threads would only fight the workers
    exit_code = 0
    try:
        exit_code = run_pytest([*public, *hidden], plugin, course.root)
    except Exception as e:  # noqa: BLE001 - the result exists even when the run broke
        result.problems.append(f"internal error while grading: {type(e).__name__}: {e}")
    finally:
        torch.set_num_threads(threads)
        result.output = "\n".join(context.close())[-8000:]
        if own_sandbox:
            sandbox.close()
    _score(result, plugin, path, ex, exit_code)
    result.sandbox = sandbox_layers(sandbox, context)
    result.duration = time.monotonic() - started
    return result


def _score(result: ExerciseResult, plugin: GradingPlugin, path: Path, ex: Exercise,
           exit_code: int) -> None:
    """Outcomes to points, evidence and problems (a pure step after every worker has ended)."""
    result.checks = score_outcomes(plugin.outcomes)
    result.forbidden = forbidden_summary(plugin.outcomes)
    result.integrity = scan_source(path)
    if result.integrity:
        withhold(result.checks, result.integrity)
    result.problems += [f"check file failed to load: {e}" for e in plugin.collection_errors]
    if exit_code not in (0, 1) and not plugin.outcomes:
        result.problems.append(f"pytest could not run the checks (exit status {int(exit_code)})")
    declared = declared_total(plugin.outcomes)
    if result.hidden_present and not result.problems and declared != ex.points:
        result.problems.append(f"the checks of {ex.id} declare {float(declared):g} points but "
                               f"course.yaml gives {ex.points:g}: fix the points markers or course.yaml")


def run_pytest(files, plugin: GradingPlugin, root: Path) -> int:
    folders = sorted({str(f.parent) for f in files})
    added = [f for f in folders if f not in sys.path]
    sys.path[:0] = added  # check files may import a spec module that sits beside them
    args = [*map(str, files), "-c", str(PYTEST_INI), f"--rootdir={root}", "-p", "no:cacheprovider",
            "-p", "no:terminal", "-p", "no:stepwise", "--import-mode=importlib", "--capture=sys",
            # pytest's end-of-run gc passes cost 2 s with torch loaded, and catch nothing here.
            "-p", "no:unraisableexception", "-p", "no:threadexception",
            "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # no third-party plugin in a grading run
    try:
        return pytest.main(args, plugins=[plugin])
    finally:
        if autoload is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = autoload
        for f in added:
            if f in sys.path:
                sys.path.remove(f)


def sandbox_layers(sandbox: Sandbox, context: GradingContext) -> dict:
    """The isolation layers that were in force, as the workers reported them before any
    submission code ran (``open``/``same`` where the machine refused a layer)."""
    layers = {"network": "open", "fs": "open", "uid": "same", "tmp": "shared",
              **{k: v for k, v in sandbox.layers.items() if k == "network"}}
    for sub in context.submissions():
        layers.update({k: v for k, v in sub.layers.items()
                       if k in ("network", "fs", "uid", "tmp", "landlock", "hidden_folders")})
        if str(sub.layers.get("landlock", "")).startswith("abi"):
            layers["fs"] = "confined"
        break
    layers["workers"] = "forked from a warm zygote, own session, rlimits, wall-clock limit"
    return layers


def _official_run() -> bool:
    """A run is official (not advisory) only inside a known autograder environment."""
    return os.environ.get("COURSE_OFFICIAL") == "1" or os.path.isdir("/autograder/submission")
