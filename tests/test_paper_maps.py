"""Each paper module's ``IMPLEMENTED`` map — every numbered equation, table and figure of its paper,
in the paper's order, to where the project implements it — is complete, points at things that
exist, and agrees with every equation citation in vadcore's source ("ADL Eq. 12", "SEUNet Eqs. 4–5",
"Eq. 7 of Xiao et al.", or a bare "Eq. 6" in a module of one paper)."""
import importlib
import json
import re
from pathlib import Path

import pytest

from vadcore.report.schema import KINDS, implementation_kind

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vadcore"

# paper module → (entries, code, notebook, not implemented): the numbered equations, tables and
# figures of each paper as counted in its text
EXPECTED = {
    "adl": (30, 14, 14, 2),  # Eqs. 1–16, Tables I–V, Figs. 1–9
    "seunet": (21, 11, 9, 1),  # Eqs. 1–10, Tables 1–3, Figs. 1–8
    "fewshot_key_region": (24, 17, 5, 2),  # Eqs. 1–12, Tables 1–3, Figs. 1–9
    "dissociation": (1, 1, 0, 0),  # our source (reading notes) numbers Fig. 1 only
    "convlstm_ae": (0, 0, 0, 0),  # the tutorial numbers nothing
}
TABLE_NUMERALS = {"adl": "roman"}  # the others number tables 1, 2, 3

# citations that name their paper
PREFIXES = {"ADL": "adl", "SEUNet": "seunet"}
SUFFIXES = {"Xiao": "fewshot_key_region"}
# modules whose bare citations belong to one paper although no map entry points into them (the
# paper modules themselves, and modules of one paper's method); a module a map points into takes
# that paper, and a module of two papers must name the paper at every citation
MODULE_PAPER = {
    "vadcore.papers.adl": "adl",
    "vadcore.papers.seunet": "seunet",
    "vadcore.papers.fewshot_key_region": "fewshot_key_region",
    "vadcore.methods.fewshot.diagnostics": "fewshot_key_region",
}
# every equation number the source cites (a range counts each number), per paper: the check below
# must have something to check; update these when a citation is added or removed
CITATIONS = {"adl": 74, "seunet": 61, "fewshot_key_region": 54}

CITATION = re.compile(
    r"(?:\b(?P<prefix>ADL|SEUNet)(?:'s|’s)?\s+)?"
    r"\bEqs?\.\s*(?P<numbers>\d+(?:\s*(?:[–-]|,|and)\s*\d+)*)"
    r"(?:\s+of\s+(?P<suffix>Xiao)\s+et\s+al\.)?")
MAP_KEY = re.compile(r'"(?:Eq\.|Table|Fig\.) [0-9IVXL]+":')
KEY = re.compile(r"(?P<kind>Eq\.|Table|Fig\.) (?P<number>[0-9]+|[IVXL]+)")


def implemented(paper: str) -> dict[str, str]:
    return importlib.import_module(f"vadcore.papers.{paper}").IMPLEMENTED


def resolve(name: str) -> tuple[str, object]:
    """``(module, object)`` of a dotted name: the longest importable module prefix, then getattr
    for the rest."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        module = ".".join(parts[:i])
        try:
            obj = importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name and (module == error.name or module.startswith(error.name + ".")):
                continue
            raise
        for attribute in parts[i:]:
            obj = getattr(obj, attribute)
        return module, obj
    raise ModuleNotFoundError(name)


def headings(notebook: Path) -> set[str]:
    cells = json.loads(notebook.read_text())["cells"]
    lines = [line for cell in cells if cell["cell_type"] == "markdown" for line in "".join(cell["source"]).splitlines()]
    return {line.lstrip("#").strip() for line in lines if line.startswith("#")}


def roman(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50}
    total = sum(values[c] for c in numeral)
    return total - 2 * sum(values[a] for a, b in zip(numeral, numeral[1:]) if values[a] < values[b])


def expand(numbers: str) -> list[int]:
    """``"9–10"`` → [9, 10]; ``"11 and 13"``, ``"11, 13"`` → [11, 13]."""
    out = []
    for part in re.split(r"\s*(?:,|and)\s*", numbers):
        low, _, high = re.sub(r"\s*[–-]\s*", "-", part).partition("-")
        out.extend(range(int(low), int(high) + 1) if high else [int(low)])
    return out


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def citations(text: str):
    """``(paper or None, number, line)`` of every equation number cited in ``text`` (the keys of a
    map, ``"Eq. 7": …``, cite nothing)."""
    text = MAP_KEY.sub(lambda match: " " * len(match[0]), text)
    for match in CITATION.finditer(text):
        paper = PREFIXES.get(match["prefix"]) or SUFFIXES.get(match["suffix"])
        line = text.count("\n", 0, match.start()) + 1
        for number in expand(match["numbers"]):
            yield paper, number, line


def papers_of_modules() -> dict[str, set[str]]:
    """module → the papers whose map points into it (a dotted name's longest importable prefix),
    plus :data:`MODULE_PAPER`."""
    owners: dict[str, set[str]] = {}
    for paper in EXPECTED:
        for target in implemented(paper).values():
            if implementation_kind(target) == "code":
                owners.setdefault(resolve(target)[0], set()).add(paper)
    for module, paper in MODULE_PAPER.items():
        owners.setdefault(module, set()).add(paper)
    return owners


@pytest.mark.parametrize("paper", EXPECTED)
def test_every_paper_has_its_map(paper):
    entries = implemented(paper)
    assert isinstance(entries, dict)
    kinds = [implementation_kind(target) for target in entries.values()]  # raises on a value of no kind
    counts = (len(entries), *(kinds.count(kind) for kind in KINDS))
    assert counts == EXPECTED[paper], f"{paper}: (entries, code, notebook, not implemented) = {counts}"


@pytest.mark.parametrize("paper", EXPECTED)
def test_keys_follow_the_papers_numbering_and_order(paper):
    """Keys are "Eq. N", "Table N" (ADL: "Table I") and "Fig. N"; within each kind they run 1, 2, 3 …
    in the map's order (the map interleaves the kinds as the paper does)."""
    seen: dict[str, list[int]] = {}
    for key in implemented(paper):
        match = KEY.fullmatch(key)
        assert match, f"{paper}: {key!r} is not 'Eq. N', 'Table N' or 'Fig. N'"
        kind, number = match["kind"], match["number"]
        roman_style = kind == "Table" and TABLE_NUMERALS.get(paper) == "roman"
        assert number.isdigit() != roman_style, f"{paper}: {key!r} does not number as the paper does"
        seen.setdefault(kind, []).append(roman(number) if roman_style else int(number))
    for kind, numbers in seen.items():
        assert numbers == list(range(1, len(numbers) + 1)), f"{paper}: {kind} keys in the order {numbers}"


@pytest.mark.parametrize("paper", EXPECTED)
def test_every_dotted_name_resolves(paper):
    for key, target in implemented(paper).items():
        if implementation_kind(target) == "code":
            try:
                resolve(target)
            except (ImportError, AttributeError) as error:
                pytest.fail(f"{paper} {key}: {target} does not resolve ({error})")


@pytest.mark.parametrize("paper", EXPECTED)
def test_every_notebook_section_exists(paper):
    for key, target in implemented(paper).items():
        if implementation_kind(target) == "notebook":
            notebook, _, heading = target.partition("#")
            assert (ROOT / notebook).is_file(), f"{paper} {key}: no notebook {notebook}"
            assert heading in headings(ROOT / notebook), f"{paper} {key}: {notebook} has no heading {heading!r}"


def test_every_equation_citation_is_a_key_of_its_papers_map():
    """Every "Eq. N" in vadcore's source — docstrings, comments and the text a paper module shows
    — names an equation of the paper it means: the one it names ("ADL Eq. 12", "Eq. 7 of Xiao et
    al."), or for a bare citation the one paper of its module."""
    maps = {paper: implemented(paper) for paper in EXPECTED}
    owners = papers_of_modules()
    problems, checked = [], {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        for paper, number, line in citations(path.read_text()):
            where = f"{path.relative_to(ROOT)}:{line}"
            if paper is None:
                candidates = owners.get(module, set())
                if len(candidates) != 1:
                    problems.append(f"{where}: bare 'Eq. {number}' in a module of "
                                    f"{sorted(candidates) or 'no paper'}: name the paper")
                    continue
                (paper,) = candidates
            checked[paper] = checked.get(paper, 0) + 1
            if f"Eq. {number}" not in maps[paper]:
                problems.append(f"{where}: Eq. {number} is not an equation of {paper}")
    assert not problems, "\n".join(problems)
    assert checked == CITATIONS
