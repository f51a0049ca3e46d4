"""The suite skips only for what a machine lacks: CUDA (the `gpu` marker) and the real UCSD Ped2
copy beside the checkout. A skip or ``importorskip`` anywhere else would let a broken import or a
missing dev dependency pass as a skipped test; every skip site of the suite is listed here."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SKIPS = {  # (file, call, its first argument) → why it may skip
    ("conftest.py", "pytest.mark.skip", "needs CUDA: no GPU here"): "the gpu marker on a machine without CUDA",
    ("tests/conftest.py", "pytest.skip", "real UCSD Ped2 not found at {root} (only present in development and CI)"):
        "the shared_ped2 fixture outside development and CI",
    ("tests/test_gpu_slot.py", "pytest.skip", "this machine has a GPU: device=cuda trains"):
        "a test of what a machine without CUDA does",
}
SKIPPING = {"skip", "importorskip", "skipif", "xfail"}


def source_text(node: ast.expr | None) -> str:
    """A string constant's text, an f-string's with its fields in braces, other code as written."""
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                       for v in node.values)
    if isinstance(node, ast.Constant):
        return str(node.value)
    return "" if node is None else ast.unparse(node)


def skip_sites(path: Path, root: Path = ROOT) -> list[tuple[str, str, str]]:
    """``(file, call, first argument)`` of every pytest skip, importorskip, skipif or xfail in
    ``path``, called as ``pytest.…``, ``pytest.mark.…`` or imported from pytest by name."""
    tree = ast.parse(path.read_text())
    by_name = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               and node.module == "pytest" for alias in node.names if alias.name in SKIPPING}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        call = ast.unparse(node.func)
        if call.split(".")[-1] in SKIPPING and call.startswith("pytest.") or call in by_name:
            argument = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "reason"), None)
            found.append((path.relative_to(root).as_posix(), call, source_text(argument)))
    return found


def test_the_suite_skips_only_for_a_gpu_or_the_real_ped2():
    files = [ROOT / "conftest.py", *sorted((ROOT / "tests").rglob("*.py"))]
    assert len(files) > 40 and ROOT / "tests" / "conftest.py" in files
    found = [site for path in files for site in skip_sites(path)]
    assert sorted(found) == sorted(SKIPS)


def test_the_skip_finder_sees_every_spelling(tmp_path):
    planted = tmp_path / "tests" / "test_planted.py"
    planted.parent.mkdir()
    planted.write_text("import pytest\nfrom pytest import importorskip as need\n"
                       "metrics = pytest.importorskip('vadcore.metrics')\nneed('cv2')\n"
                       "@pytest.mark.skipif(True, reason='why')\ndef test_x():\n    pytest.skip(f'no {metrics}')\n"
                       "    skip(1)  # a function of the package under test, not pytest's\n")
    found = skip_sites(planted, tmp_path)
    assert sorted(found) == sorted([("tests/test_planted.py", "pytest.importorskip", "vadcore.metrics"),
                                    ("tests/test_planted.py", "need", "cv2"),
                                    ("tests/test_planted.py", "pytest.mark.skipif", "True"),
                                    ("tests/test_planted.py", "pytest.skip", "no {metrics}")])
