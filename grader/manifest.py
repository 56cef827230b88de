"""Load and validate course.yaml into frozen models.

A bad manifest raises ``ManifestError`` whose message names the file, the field and what
was expected; the CLI prints it and exits with status 2, never a traceback.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

MANIFEST_NAME = "course.yaml"


class ManifestError(Exception):
    """course.yaml is missing, unreadable or invalid."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limits(_Model):
    time_per_check: float = Field(20.0, gt=0, le=3600, description="seconds of wall time per check")
    time_per_exercise: float = Field(600.0, gt=0, le=36000,
                                     description="seconds of submission time for all checks together")
    memory_mb: int = Field(2048, ge=64, le=1 << 20, description="memory a worker may add")
    cpu_threads: int = Field(1, ge=1, le=256)
    output_kb: int = Field(1024, ge=1, le=1 << 20, description="what one call may print")


class Checks(_Model):
    public: list[str] = Field(default_factory=list)
    hidden: list[str] = Field(default_factory=list)

    @field_validator("public", "hidden", mode="before")
    @classmethod
    def _one_or_many(cls, v):
        return [v] if isinstance(v, str) else v


class Exercise(_Model):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
    title: str = Field(min_length=1)
    module: str = Field(min_length=1, description="the student module, relative to the course root")
    points: float = Field(gt=0)
    forbidden: list[str] = Field(default_factory=list, description="op-name patterns (fnmatch)")
    allowed: list[str] = Field(default_factory=list, description="exceptions to `forbidden`")
    checks: Checks
    limits: Limits | None = None

    @field_validator("module")
    @classmethod
    def _python_file(cls, v):
        if not v.endswith(".py"):
            raise ValueError("must be a path to a .py file")
        return v

    @property
    def module_name(self) -> str:
        return Path(self.module).stem


class Course(_Model):
    name: str = Field(min_length=1)
    cuda: Literal["auto", "required", "off"] = "auto"
    limits: Limits = Limits()
    exercises: list[Exercise] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self):
        seen = set()
        for ex in self.exercises:
            if ex.id in seen:
                raise ValueError(f"exercise id {ex.id!r} is declared twice")
            seen.add(ex.id)
        return self


class LoadedCourse:
    """A validated course and the folder it lives in."""

    def __init__(self, course: Course, root: Path, path: Path):
        self.course, self.root, self.path = course, root, path

    def exercise(self, exercise_id: str) -> Exercise:
        for ex in self.course.exercises:
            if ex.id == exercise_id:
                return ex
        known = ", ".join(e.id for e in self.course.exercises)
        raise ManifestError(f"{self.path}: no exercise {exercise_id!r} (known: {known})")

    def limits_for(self, ex: Exercise) -> Limits:
        return ex.limits or self.course.limits

    def resolve(self, relative: str) -> Path:
        return (self.root / relative).resolve()


def find_course_root(start: str | os.PathLike | None = None) -> Path:
    """The nearest folder at or above ``start`` that holds course.yaml."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MANIFEST_NAME).is_file():
            return folder
    raise ManifestError(f"no {MANIFEST_NAME} found in {here} or any folder above it "
                        "(run inside a course checkout, or pass --course PATH)")


def load_course(root: str | os.PathLike) -> LoadedCourse:
    root = Path(root).resolve()
    path = root / MANIFEST_NAME if root.is_dir() else root
    root = path.parent
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ManifestError(f"{path}: cannot read: {e}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        where = ""
        mark = getattr(e, "problem_mark", None)
        if mark is not None:
            where = f" line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(e, "problem", None) or str(e)
        raise ManifestError(f"{path}:{where}: not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{path}: expected a mapping with `name` and `exercises`, "
                            f"got {type(data).__name__}")
    try:
        course = Course.model_validate(data)
    except ValidationError as e:
        raise ManifestError(_format_errors(path, data, e)) from None
    return LoadedCourse(course, root, path)


def _format_errors(path: Path, data: dict, error: ValidationError) -> str:
    lines = [f"{path}: invalid course manifest"]
    for err in error.errors():
        field = _field_name(data, err["loc"])
        got = err.get("input")
        got_text = "" if err["type"] == "missing" else f" (got {got!r:.60})"
        lines.append(f"  {field}: {_expected(err)}{got_text}")
    return "\n".join(lines)


def _field_name(data, loc) -> str:
    parts, node = [], data
    for key in loc:
        if isinstance(key, int):
            label = node[key].get("id") if isinstance(node, list) and key < len(node) \
                and isinstance(node[key], dict) else None
            parts.append(f"[{key}]" + (f"({label})" if label else ""))
        else:
            parts.append(("." if parts else "") + str(key))
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
    return "".join(parts) or "(top level)"


def _expected(err) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind == "literal_error":
        return msg.replace("Input should be", "expected")
    return "expected: " + msg.replace("Input should be ", "").replace("Value error, ", "")
