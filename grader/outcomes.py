"""The exceptions a check raises, each mapped to a status and a student-facing message.

- ``CheckFailure`` (and subclasses): the submission ran but is wrong -> ``failed``;
- ``SubmissionCrashed``: the worker timed out, crashed, exited or ran out of memory -> ``error``;
- anything else raised by a check is a bug in the check -> ``error`` ("internal error").
"""
from __future__ import annotations


class CheckFailure(AssertionError):
    """The submission's result is wrong. ``hint`` names a misconception when one matched.

    ``about_values`` is False for failures that do not depend on the sample (a forbidden op,
    no gradient at all): a sample's hint is attached only to failures about values.
    """

    about_values = True

    def __init__(self, message: str, *, hint: str | None = None, about_values: bool | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint
        if about_values is not None:
            self.about_values = about_values


class NotImplementedYet(CheckFailure):
    """The submission raised NotImplementedError: the stub is not done."""

    about_values = False


class SubmissionRaised(CheckFailure):
    """The submission raised an exception where a result was expected."""

    def __init__(self, message: str, *, info: dict | None = None, hint: str | None = None,
                 about_values: bool | None = None):
        super().__init__(message, hint=hint, about_values=about_values)
        self.info = info or {}


class ForbiddenOpUsed(CheckFailure):
    """The submission called a forbidden built-in; ``hits`` is the recorded evidence."""

    about_values = False

    def __init__(self, message: str, *, hits: list[dict]):
        super().__init__(message)
        self.hits = hits


class SubmissionCrashed(Exception):
    """The worker did not answer; ``kind`` is timeout|exit|crash|memory|malformed|import."""

    def __init__(self, message: str, *, kind: str):
        super().__init__(message)
        self.message, self.kind = message, kind
