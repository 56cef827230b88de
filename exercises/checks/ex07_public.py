"""ex07 public checks: a handful of optimizer runs, shipped with the exercise.

Run them with `course check ex07`. Each run drives your optimizer for several steps and
compares every parameter after every step with torch.optim's. The hidden checks (graded by
your instructor) cover every option, more groups and schedules, closures, parameters
without gradients, defaults and invalid arguments.
"""
from ex07_spec import DIAGNOSE, PUBLIC_RUNS, trajectory_check

test_optimizer_trajectories = trajectory_check(PUBLIC_RUNS, points=15, diagnose=DIAGNOSE)
