"""Loads the reference solution so that a buggy variant can replace just the function with
its bug (the folder of a submission is on sys.path in the worker)."""
import importlib.util
import pathlib

_path = pathlib.Path(__file__).resolve().parents[3] / "solutions" / "ex01_tensors.py"
_spec = importlib.util.spec_from_file_location("_ex01_reference", _path)
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)
