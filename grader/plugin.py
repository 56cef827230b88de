"""The pytest plugin behind grading: fixtures for check functions and outcome collection.

Check files are ordinary pytest modules run in the trusted process. They use:
- ``submission``: a ``Submission`` proxy for the device under test (parametrized over the
  devices of the run; CUDA shows as skipped where it is absent);
- ``device``: ``"cpu"`` or ``"cuda"``;
- ``reveal_expected``: False in hidden checks (messages then hide expected values);
- ``@pytest.mark.points(n)``: what a check is worth (default 1);
- ``@pytest.mark.devices("cpu")``: restrict a check to some devices.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest

from .outcomes import CheckFailure, ForbiddenOpUsed, SubmissionCrashed
from .submission import Submission

ALL_DEVICES = ("cpu", "cuda")


@dataclass
class CheckOutcome:
    """One check on one device, before points are shared out between devices."""

    name: str
    device: str
    status: str                 # passed | failed | error | skipped
    points: Fraction
    message: str = ""
    hint: str | None = None
    hidden: bool = False
    duration: float = 0.0
    forbidden: tuple = ()


class GradingContext:
    """What the plugin needs from a grading run: submissions per device and the run's policy."""

    def __init__(self, *, make_submission, devices: dict, hidden_files: set[Path]):
        self._make = make_submission     # device -> Submission
        self.devices = devices           # device -> None (runs) or a skip reason
        self.hidden_files = {p.resolve() for p in hidden_files}
        self._subs: dict[str, Submission] = {}

    def submission(self, device: str) -> Submission:
        if device not in self._subs:
            self._subs[device] = self._make(device)
        return self._subs[device]

    def submissions(self) -> list[Submission]:
        return list(self._subs.values())

    def close(self) -> list[str]:
        out = []
        for sub in self._subs.values():
            sub.close()
            out.extend(sub.stdout_chunks)
        return out


class GradingPlugin:
    def __init__(self, context: GradingContext, *, progress=None):
        self.ctx = context
        self.outcomes: list[CheckOutcome] = []
        self.collection_errors: list[str] = []
        self.progress = progress
        self._started: dict[str, float] = {}

    # ------------------------------------------------------------ fixtures
    @pytest.fixture
    def submission(self, device) -> Submission:
        return self.ctx.submission(device)

    @pytest.fixture
    def reveal_expected(self, request) -> bool:
        return Path(str(request.node.path)).resolve() not in self.ctx.hidden_files

    # ------------------------------------------------------------ hooks
    def pytest_configure(self, config):
        config.addinivalue_line("markers", "points(n): points a check is worth")
        config.addinivalue_line("markers", "devices(*names): devices a check runs on")

    def pytest_generate_tests(self, metafunc):
        if "device" not in metafunc.fixturenames:
            return
        marker = metafunc.definition.get_closest_marker("devices")
        allowed = marker.args if marker else ALL_DEVICES
        params = []
        for device, skip_reason in self.ctx.devices.items():
            if device not in allowed:
                continue
            marks = [pytest.mark.skip(reason=skip_reason)] if skip_reason else []
            params.append(pytest.param(device, id=device, marks=marks))
        metafunc.parametrize("device", params)

    def pytest_collection_modifyitems(self, items):
        if self.progress:
            self.progress.start(len(items))

    def pytest_collectreport(self, report):
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            self.collection_errors.append(f"{report.nodeid}: {text[-1] if text else 'failed to load'}")

    def pytest_runtest_setup(self, item):
        self._started[item.nodeid] = time.monotonic()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        """Record the outcome and return a report without pytest's traceback rendering (about
        100 ms a failure): grading reports are built from the checks' own messages."""
        if call.excinfo is None:
            status, longrepr = "passed", None
        elif call.excinfo.errisinstance(pytest.skip.Exception):
            status = "skipped"
            longrepr = (str(item.path), item.location[1], str(call.excinfo.value.msg))
        else:
            status, longrepr = "failed", f"{call.excinfo.typename}: {call.excinfo.value}"[:2000]
        report = pytest.TestReport(item.nodeid, item.location, {}, status, longrepr, call.when,
                                   duration=call.duration, start=call.start, stop=call.stop)
        if call.when == "call" or (call.when == "setup" and status != "passed"):
            self.outcomes.append(self._outcome(item, call, report))
            if self.progress:
                self.progress.advance()
        return report

    # ------------------------------------------------------------ outcomes
    def _outcome(self, item, call, report) -> CheckOutcome:
        marker = item.get_closest_marker("points")
        points = Fraction(marker.args[0]) if marker else Fraction(1)
        device = item.callspec.params.get("device", "cpu") if hasattr(item, "callspec") else "cpu"
        hidden = Path(str(item.path)).resolve() in self.ctx.hidden_files
        out = CheckOutcome(name=check_name(item, device), device=device, status="passed",
                           points=points, hidden=hidden,
                           duration=time.monotonic() - self._started.get(item.nodeid, time.monotonic()))
        if report.skipped:
            out.status = "skipped"
            longrepr = report.longrepr
            out.message = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
            out.message = out.message.removeprefix("Skipped: ")
        elif report.failed:
            self._explain(out, call.excinfo.value if call.excinfo else None, item)
        return out

    def _explain(self, out: CheckOutcome, exc, item) -> None:
        if isinstance(exc, CheckFailure):
            out.status, out.message, out.hint = "failed", exc.message, exc.hint
            if isinstance(exc, ForbiddenOpUsed):
                out.forbidden = tuple(exc.hits)
        elif isinstance(exc, SubmissionCrashed):
            out.status, out.message = "error", exc.message
        elif isinstance(exc, AssertionError):
            out.status, out.message = "failed", assertion_message(exc, out.hidden, item)
        else:
            out.status = "error"
            out.message = f"internal error in this check ({type(exc).__name__}: {str(exc)[:300]}); " \
                          "tell your instructor"


def check_name(item, device: str) -> str:
    base = item.originalname.removeprefix("test_")
    if not hasattr(item, "callspec"):
        return base
    parts = item.callspec.id.split("-")
    if device in parts:
        parts.reverse()
        parts.remove(device)
        parts.reverse()
    return f"{base}[{'-'.join(parts)}]" if parts else base


def assertion_message(exc: AssertionError, hidden: bool, item) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if first.startswith("assert ") or not first:
        doc = (getattr(item.function, "__doc__", None) or "").strip().splitlines()
        what = doc[0] if doc else item.originalname.removeprefix("test_").replace("_", " ")
        if hidden:
            return f"check failed: {what}"
        return f"check failed: {what}\n{text[:500]}"
    return first[:500]
