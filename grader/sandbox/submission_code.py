"""Worker side: load the submission module and run its code, turning whatever it raises
(SystemExit and KeyboardInterrupt included) into plain data."""
from __future__ import annotations

import importlib.util
import os
import sys
import traceback

MAX_MESSAGE = 600


class SubmissionRaised(Exception):
    """The submission raised; ``info`` describes it as plain data."""

    def __init__(self, info: dict):
        super().__init__(info.get("message", ""))
        self.info = info


class WorkerState:
    def __init__(self, path: str, module_name: str):
        self.path = os.path.realpath(path)
        self.module_name = module_name
        self.module = None

    def load(self):
        if self.module is None:
            spec = importlib.util.spec_from_file_location(self.module_name, self.path)
            if spec is None or spec.loader is None:
                raise SubmissionRaised({"type": "ImportError", "phase": "import",
                                        "message": f"cannot import {os.path.basename(self.path)}"})
            module = importlib.util.module_from_spec(spec)
            sys.modules[self.module_name] = module
            run_submission(lambda: spec.loader.exec_module(module), self.path, "import")
            self.module = module
        return self.module

    def attribute(self, name: str):
        module = self.load()
        if not hasattr(module, name):
            raise SubmissionRaised({"type": "AttributeError", "phase": "lookup",
                                    "message": f"the submission defines no `{name}`"})
        return getattr(module, name)


def run_submission(fn, path: str, phase: str):
    """Run submission code; turn anything it raises (SystemExit included) into data."""
    try:
        return fn()
    except BaseException as e:  # noqa: BLE001 - the submission may raise anything
        raise SubmissionRaised(describe_exception(e, path, phase)) from None


def describe_exception(e: BaseException, path: str, phase: str) -> dict:
    try:
        message = str(e)
    except BaseException:  # noqa: BLE001
        message = "<unprintable message>"
    info = {"type": type(e).__name__[:80], "message": message[:MAX_MESSAGE], "phase": phase,
            "line": None, "code": None}
    try:
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == path]
        if frames:
            info["line"], info["code"] = frames[-1].lineno, (frames[-1].line or "")[:200]
    except Exception:  # noqa: BLE001
        pass
    if isinstance(e, SyntaxError):
        info["line"], info["message"] = e.lineno, str(e.msg)[:MAX_MESSAGE]
        info["code"] = (e.text or "")[:200]
    return info
