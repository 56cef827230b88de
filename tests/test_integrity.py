"""Integrity evidence: the source scan reads code tokens only; graph nodes map to op names."""
from grader.integrity import scan_source
from grader.submission import graph_hits

RULES = {"forbidden": ["*convolution*", "conv[0-9]d*"], "allowed": ["im2col"]}


def test_scan_finds_evasion_names_in_code(tmp_path):
    f = tmp_path / "sub.py"
    f.write_text("import torch\n\ndef conv2d(x, w):\n    with torch._C._DisableTorchDispatch():\n"
                 "        return x\n")
    hits = scan_source(f)
    assert [(h["name"], h["line"]) for h in hits] == [("_DisableTorchDispatch", 4)]


def test_scan_ignores_comments_strings_and_docstrings(tmp_path):
    f = tmp_path / "sub.py"
    f.write_text('"""We cross-correlate; see np.convolve."""\n# _DisableTorchDispatch\n'
                 'def conv2d(x):\n    msg = "convolve"\n    return x\n')
    assert scan_source(f) == []


def test_scan_survives_files_that_do_not_tokenize(tmp_path):
    f = tmp_path / "sub.py"
    f.write_bytes(b"\xff\xfe\x00 not python (")
    assert scan_source(f) == []


def test_graph_nodes_of_forbidden_ops_are_hits():
    hits = graph_hits(["AddBackward0", "ConvolutionBackward0", "Im2ColBackward0"], RULES)
    assert [h["op"] for h in hits] == ["autograd node ConvolutionBackward0"]


def test_a_students_own_autograd_function_is_not_a_hit():
    rules = {"forbidden": ["sigmoid*"], "allowed": []}
    assert graph_hits(["SigmoidFunctionBackward", "MulBackward0"], rules) == []
    assert [h["op"] for h in graph_hits(["SigmoidBackward0"], rules)] == ["autograd node SigmoidBackward0"]
