"""The `course` command: a thin click layer over ``grader.api``.

Exit status: 0 at full marks, 1 below full marks, 2 for usage or manifest errors.
"""
from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from .manifest import ManifestError, find_course_root, load_course


def _course_option(f):
    return click.option("--course", "course_path", type=click.Path(file_okay=True, dir_okay=True),
                        default=None, metavar="PATH",
                        help="The course folder (holding course.yaml). Default: the nearest "
                             "folder at or above the current one that holds course.yaml.")(f)


def _load(course_path):
    root = course_path if course_path else find_course_root()
    return load_course(root)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="course-kit", prog_name="course")
def main():
    """A PyTorch course kit and its autograder.

    Students implement deep-learning building blocks in exercises/ and run
    `course check ex03` for a score and feedback. Submissions run in sandboxed worker
    processes; the checks and the scoring never run student code.
    """


@main.command("list")
@_course_option
def list_exercises(course_path):
    """Show the exercises of the course and their points."""
    try:
        course = _load(course_path)
    except ManifestError as e:
        _fail(str(e))
    table = Table(title=course.course.name, box=None, title_justify="left")
    for col in ("id", "title", "points", "module", "checks"):
        table.add_column(col, justify="right" if col == "points" else "left")
    for ex in course.course.exercises:
        hidden = any(course.resolve(p).is_file() for p in ex.checks.hidden)
        table.add_row(ex.id, ex.title, f"{ex.points:g}", ex.module,
                      "public + hidden" if hidden else "public")
    Console().print(table)


@main.command("check")
@click.argument("exercise")
@click.option("--submission", "-s", type=click.Path(), default=None, metavar="PATH",
              help="The file to grade, or a folder laid out like exercises/. "
                   "Default: the exercise's module in exercises/.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("--device", "devices", type=click.Choice(["cpu", "cuda"]), multiple=True,
              help="Run only on these devices (repeatable). Default: CPU, and CUDA when present.")
@click.option("--public-only", is_flag=True,
              help="Run only the public checks, even where the hidden checks are present.")
@click.option("--verbose", "-v", is_flag=True, help="List every check and every failure.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Also write the JSON report to FILE (atomically, after every worker has ended).")
@_course_option
def check(exercise, submission, as_json, devices, public_only, verbose, out_path, course_path):
    """Grade EXERCISE (e.g. ex03) and print a score with feedback.

    \b
    Examples:
      course check ex03                         # your exercises/ex03_conv.py
      course check ex03 -s ~/hw/ex03_conv.py    # another file
      course check ex03 --json > report.json    # machine-readable report

    Exit status: 0 at full marks, 1 below, 2 for usage or course.yaml errors.
    """
    from .sandbox.client import Sandbox

    # The zygote imports torch in the background while this process imports it too.
    with Sandbox() as sandbox:
        from . import api, report
        from .progress import Progress

        try:
            course = _load(course_path)
            console = Console(stderr=as_json)
            progress = None if as_json else Progress(console)
            result = api.check_exercise(course=course, exercise_id=exercise, submission=submission,
                                        devices=devices or None, include_hidden=not public_only,
                                        progress=progress, sandbox=sandbox)
            if progress:
                progress.stop()
        except (ManifestError, api.UsageError) as e:
            _fail(str(e))
    if out_path:
        report.write_atomically(out_path, report.to_json(result))
    if as_json:
        click.echo(report.to_json(result))
    else:
        report.render(result, console, verbose=verbose)
    sys.exit(0 if result.full_marks else 1)


if __name__ == "__main__":
    main()
