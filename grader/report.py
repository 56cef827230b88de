"""Render an ``ExerciseResult``: a terminal report for students, JSON for machines."""
from __future__ import annotations

import json
import os
import tempfile
from collections import OrderedDict

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .scoring import ExerciseResult, as_number

MARKS = {"passed": "[green]✓[/]", "failed": "[red]✗[/]", "error": "[red]![/]", "skipped": "[dim]-[/]"}
MAX_FAILURES_SHOWN = 8


def write_atomically(path: str, text: str) -> None:
    """Write a report so that readers see the old file or the new one, never a torn one."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".report-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def to_json(result: ExerciseResult) -> str:
    return json.dumps(result.to_dict(), indent=2)


def fmt(x) -> str:
    v = as_number(x)
    return f"{v:g}" if isinstance(v, float) else str(v)


def _groups(result: ExerciseResult):
    groups: OrderedDict[str, list] = OrderedDict()
    for c in result.checks:
        groups.setdefault(c.name.split("[")[0], []).append(c)
    return groups


def render(result: ExerciseResult, console: Console, *, verbose: bool = False) -> None:
    title = f"[bold]{escape(result.exercise)}[/] · {escape(result.title)}"
    if result.advisory:
        title += "  [dim](advisory: computed on this machine, not the official grade)[/]"
    console.print(title)
    table = Table(show_edge=False, pad_edge=False, box=None)
    for col, just in (("", "left"), ("check", "left"), ("passed", "right"), ("points", "right")):
        table.add_column(col, justify=just)
    rows = result.checks if verbose else None
    if rows is not None:
        for c in rows:
            table.add_row(MARKS[c.status], escape(f"{c.name} ({c.device})"),
                          "", f"{fmt(c.score)}/{fmt(c.max_score)}")
    else:
        for name, checks in _groups(result).items():
            ran = [c for c in checks if c.status != "skipped"]
            passed = sum(c.status == "passed" for c in ran)
            status = "skipped" if not ran else "passed" if passed == len(ran) else \
                "error" if any(c.status == "error" for c in ran) else "failed"
            label = escape(name) + (" [dim](hidden)[/]" if checks[0].hidden else "")
            table.add_row(MARKS[status], label, f"{passed}/{len(ran)}",
                          f"{fmt(sum(c.score for c in checks))}/{fmt(sum(c.max_score for c in checks))}")
    console.print(table)
    _render_skips(result, console)
    _render_failures(result, console, verbose)
    _render_footer(result, console)


def _render_skips(result, console):
    reasons = OrderedDict()
    for c in result.checks:
        if c.status == "skipped":
            reasons.setdefault((c.device, c.message), 0)
            reasons[(c.device, c.message)] += 1
    for (device, why), n in reasons.items():
        console.print(f"[dim]{n} {device} run(s) skipped: {escape(why)}[/]")


def _render_failures(result, console, verbose):
    bad = [c for c in result.checks if c.status in ("failed", "error")]
    if not bad:
        return
    console.print()
    seen_messages = set()
    shown = 0
    for c in bad:
        key = (c.message.splitlines()[0] if c.message else "", c.hint)
        if not verbose and (shown >= MAX_FAILURES_SHOWN or key in seen_messages and c.device == "cpu"):
            continue
        seen_messages.add(key)
        shown += 1
        colour = "red" if c.status == "failed" else "magenta"
        console.print(f"[{colour}]{MARKS[c.status]} {escape(c.name)} ({c.device})[/]")
        for line in (c.message or "(no message)").splitlines():
            console.print(f"    {escape(line)}", highlight=False)
        if c.hint:
            console.print(f"    [yellow]hint:[/] {escape(c.hint)}", highlight=False)
    if shown < len(bad):
        console.print(f"[dim]... {len(bad) - shown} more failing check(s); --verbose shows them all[/]")


def _render_footer(result, console):
    console.print()
    for f in result.forbidden:
        where = f"line {f['line']}" if f.get("line") else "a line outside the file"
        console.print(f"[red]forbidden built-in:[/] {escape(str(f['op']))} called from {where} "
                      f"(in {f['checks']} check(s)); flagged for review")
    for hit in result.integrity:
        console.print(f"[red]integrity flag:[/] `{escape(hit['name'])}` at line {hit['line']} "
                      f"{escape(hit['why'])}; passing checks are withheld pending review")
    for p in result.problems:
        console.print(f"[magenta]problem:[/] {escape(p)}")
    if result.output.strip():
        lines = result.output.strip().splitlines()
        console.print(f"[dim]your code printed {len(lines)} line(s); last ones:[/]")
        for line in lines[-5:]:
            console.print(f"[dim]    {escape(line[:200])}[/]", highlight=False)
    score = f"{fmt(result.score)} / {fmt(result.max_score)}"
    colour = "green" if result.full_marks else "yellow" if result.score > 0 else "red"
    extra = "" if result.hidden_present else \
        "  [dim](public checks only; hidden checks are graded by your instructor)[/]"
    console.print(f"[bold {colour}]score: {score}[/]{extra}  [dim]{result.duration:.1f} s[/]")
    sandbox = ", ".join(f"{k} {result.sandbox[k]}" for k in ("network", "fs", "uid") if k in result.sandbox)
    if sandbox:
        console.print(f"[dim]sandbox: {escape(sandbox)}[/]")
