"""The `course` command: exit codes (0 full marks, 1 below, 2 usage/manifest) and --json."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import REPO
from grader.cli import main

STATUSES = {"passed", "failed", "error", "skipped"}


def course_cmd(*args, cwd=REPO):
    exe = shutil.which("course")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "grader.cli", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "120"})


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_reference_json_report_and_exit_0():
    proc = course_cmd("check", "ex03", "--submission", "solutions/ex03_conv.py", "--json", "--public-only")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["exercise"] == "ex03" and report["score"] == report["max_score"] == 15
    assert report["advisory"] is True
    for check in report["checks"]:
        assert set(check) >= {"name", "score", "max_score", "status", "device", "message"}
        assert check["status"] in STATUSES and check["device"] in ("cpu", "cuda")
    assert {c["device"] for c in report["checks"]} == {"cpu", "cuda"}


def test_stub_exit_1_with_readable_report():
    proc = course_cmd("check", "ex03", "--public-only", cwd=REPO / "exercises")
    assert proc.returncode == 1, proc.stderr
    assert "not implemented: ex03: implement conv2d" in proc.stdout
    assert "score: 0 / 15" in proc.stdout


def test_full_marks_exit_0_in_process():
    result = run("check", "ex03", "-s", str(REPO / "solutions"), "--public-only", "--course", str(REPO))
    assert result.exit_code == 0, result.output
    assert "score: 15 / 15" in result.output


@pytest.mark.parametrize("args, words", [
    (["check", "ex99"], "no exercise 'ex99'"),
    (["check", "ex03", "-s", "does/not/exist.py"], "not found"),
    (["check", "ex03", "-s", str(REPO / "pyproject.toml")], "not a .py file"),
    (["check", "ex03", "-s", str(REPO / "tests")], "holds no ex03_conv.py"),
    (["check"], "Missing argument 'EXERCISE'"),
    (["check", "ex03", "--device", "tpu"], "Invalid value for '--device'"),
])
def test_usage_errors_exit_2(args, words):
    result = run(*args, "--course", str(REPO)) if args[1:] else run(*args)
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert "Traceback" not in result.output


def test_bad_manifest_exit_2_without_traceback(tmp_path):
    (tmp_path / "course.yaml").write_text("name: x\nexercises:\n  - id: ex03\n    points: -1\n")
    proc = course_cmd("check", "ex03", cwd=tmp_path)
    assert proc.returncode == 2
    assert "course.yaml: invalid course manifest" in proc.stderr
    assert "exercises[0](ex03).points" in proc.stderr and "Traceback" not in proc.stderr


def test_outside_a_course_exit_2(tmp_path):
    proc = course_cmd("list", cwd=tmp_path)
    assert proc.returncode == 2 and "no course.yaml found" in proc.stderr


def test_list_shows_every_exercise():
    result = run("list", "--course", str(REPO))
    assert result.exit_code == 0
    for ex in ("ex01", "ex02", "ex03", "ex04", "ex05", "ex06", "ex07", "ex08"):
        assert ex in result.output


def test_help_teaches():
    result = run("check", "--help")
    assert result.exit_code == 0
    for words in ("Examples:", "--submission", "--json", "Exit status", "--device"):
        assert words in result.output
