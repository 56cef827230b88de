"""The exceptions a check raises, each mapped to a status and a student-facing message.

- ``CheckFailure`` (and subclasses): the submission ran but is wrong -> ``failed``;
- ``SubmissionCrashed``: the worker timed out, crashed, exited or ran out of memory -> ``error``;
- anything else raised by a check is a bug in the check -> ``error`` ("internal error").
"""
from __future__ import annotations


class CheckFailure(AssertionError):
    """The submission's result is wrong. ``hint`` names a misconception when one matched."""

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint


class NotImplementedYet(CheckFailure):
    """The submission raised NotImplementedError: the stub is not done."""


class SubmissionRaised(CheckFailure):
    """The submission raised an exception where a result was expected."""

    def __init__(self, message: str, *, info: dict | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.info = info or {}


class ForbiddenOpUsed(CheckFailure):
    """The submission called a forbidden built-in; ``hits`` is the recorded evidence."""

    def __init__(self, message: str, *, hits: list[dict]):
        super().__init__(message)
        self.hits = hits


class SubmissionCrashed(Exception):
    """The worker did not answer; ``kind`` is timeout|exit|crash|memory|malformed|import."""

    def __init__(self, message: str, *, kind: str):
        super().__init__(message)
        self.message, self.kind = message, kind
