"""course.yaml is validated on load; every error names the file, the field and what was expected."""
from __future__ import annotations

import textwrap

import pytest

from conftest import REPO
from grader.manifest import ManifestError, find_course_root, load_course

GOOD = """
name: Test course
exercises:
  - id: ex03
    title: conv
    module: exercises/ex03_conv.py
    points: 100
    checks: {public: exercises/checks/ex03_public.py}
"""


def write(tmp_path, text):
    (tmp_path / "course.yaml").write_text(textwrap.dedent(text))
    return tmp_path


def test_the_shipped_course_loads():
    course = load_course(REPO)
    assert [e.id for e in course.course.exercises][:3] == ["ex01", "ex02", "ex03"]
    assert course.exercise("ex03").module_name == "ex03_conv"


def test_a_minimal_course_gets_defaults(tmp_path):
    course = load_course(write(tmp_path, GOOD))
    assert course.course.cuda == "auto" and course.course.limits.time_per_check == 20


@pytest.mark.parametrize("text, words", [
    (GOOD.replace("points: 100", "points: ten"), ["exercises[0](ex03).points", "number", "'ten'"]),
    (GOOD.replace("    points: 100\n", ""), ["exercises[0](ex03).points", "required field is missing"]),
    (GOOD.replace("module: exercises/ex03_conv.py", "module: exercises/ex03_conv.txt"),
     ["exercises[0](ex03).module", ".py file"]),
    (GOOD.replace("title: conv", "title: conv\n    pionts: 3"), ["pionts", "unknown field"]),
    (GOOD + "cuda: sometimes\n", ["cuda", "'auto', 'required' or 'off'"]),
    (GOOD + "limits: {time_per_check: -1}\n", ["limits.time_per_check", "greater than 0"]),
    (GOOD.replace("id: ex03", "id: 'bad id!'"), ["exercises[0]", ".id", "pattern"]),
    ("name: x\nexercises: []\n", ["exercises", "at least 1"]),
    (GOOD.replace("exercises:\n", "exercises:\n  - {id: ex03, title: t, module: m.py, points: 1, "
                                  "checks: {public: p.py}}\n"), ["declared twice"]),
])
def test_invalid_fields_are_named(tmp_path, text, words):
    with pytest.raises(ManifestError) as err:
        load_course(write(tmp_path, text))
    message = str(err.value)
    assert str(tmp_path / "course.yaml") in message
    for w in words:
        assert w in message, message


def test_yaml_syntax_error_names_the_line(tmp_path):
    with pytest.raises(ManifestError, match=r"course.yaml: line 2, column \d+: not valid YAML"):
        load_course(write(tmp_path, "name: x\n  bad: indent\nexercises: []\n"))


def test_not_a_mapping(tmp_path):
    with pytest.raises(ManifestError, match="expected a mapping"):
        load_course(write(tmp_path, "- just\n- a list\n"))


def test_missing_file(tmp_path):
    with pytest.raises(ManifestError, match="file not found"):
        load_course(tmp_path / "nowhere" / "course.yaml")


def test_course_root_is_found_from_a_subfolder(tmp_path):
    write(tmp_path, GOOD)
    (tmp_path / "exercises" / "deep").mkdir(parents=True)
    assert find_course_root(tmp_path / "exercises" / "deep") == tmp_path


def test_no_course_root(tmp_path):
    with pytest.raises(ManifestError, match="no course.yaml found"):
        find_course_root(tmp_path)


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ManifestError, match=r"no exercise 'ex99' \(known: ex01, ex02, ex03"):
        load_course(REPO).exercise("ex99")
