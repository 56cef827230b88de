"""The README's two commands are the contract; CI runs the test command verbatim."""
import re

from conftest import REPO


def commands():
    return re.findall(r"```bash\n(pip install torch==2\.13\.0 .*?)\n```", (REPO / "README.md").read_text())


def test_readme_has_the_two_commands():
    main_job, tests = commands()[:2]
    assert "course check ex03 --submission solutions/ex03_conv.py" in main_job
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    assert commands()[1] in (REPO / ".ci" / "run").read_text()
