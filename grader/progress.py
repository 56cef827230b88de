"""A progress bar on the terminal while checks run (silent when output is not a terminal)."""
from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn


class Progress:
    def __init__(self, console: Console):
        self.enabled = console.is_terminal
        self._bar = RichProgress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(),
                                 console=console, transient=True) if self.enabled else None
        self._task = None

    def start(self, total: int) -> None:
        if self._bar is not None:
            self._bar.start()
            self._task = self._bar.add_task("checks", total=total)

    def advance(self) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
