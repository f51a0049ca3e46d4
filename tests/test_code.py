"""Run keys that cover the code: an edited loss or map gives a new key, an edited comment or
docstring does not, and the import graph only points down the layers of the package."""
import ast
from pathlib import Path

import pytest

from vadcore.methods import prediction, run_code
from vadcore.methods.code import code_fingerprint, family_modules, imported_modules

PACKAGE = Path(prediction.__file__).resolve().parents[2]  # vadcore/


def edited(name: str, old: str, new: str):
    """A file reader that applies one edit to the module file ``name``; ``read.applied`` counts the
    reads it edited (a fingerprint that never read the file would compare equal for nothing)."""
    def read(path: Path) -> str:
        text = path.read_text()
        if path.name == name:
            assert old in text, f"{old!r} not in {name}"
            text = text.replace(old, new)
            read.applied += 1
        return text
    read.applied = 0
    return read


def test_a_changed_loss_changes_the_prediction_and_reconstruction_keys():
    for family in ("vadcore.methods.prediction", "vadcore.methods.reconstruction"):
        before = code_fingerprint(family)
        assert code_fingerprint(family, edited("losses.py", "return _weighted(prediction - target, attention).pow(2).mean()",
                                               "return _weighted(target - prediction, attention).abs().mean()")) != before
    # the unit is the module: any edit of a module a family imports retrains that family
    sign = edited("losses.py", "(torch.sigmoid(fake_logits) - 1)", "(torch.sigmoid(fake_logits) + 1)")
    assert code_fingerprint("vadcore.methods.prediction", sign) != code_fingerprint("vadcore.methods.prediction")


def test_comments_and_docstrings_keep_the_key():
    before = code_fingerprint("vadcore.methods.prediction")
    docstring = edited("losses.py", "Losses of the reconstruction", "Losses (reworded) of the reconstruction")
    comment = edited("trainer.py", "    def generator_loss(self, terms: dict)",
                     "    # a comment\n    def generator_loss(self, terms: dict)")
    for read in (docstring, comment):
        assert code_fingerprint("vadcore.methods.prediction", read) == before and read.applied >= 1


def test_a_changed_attention_map_changes_the_families_that_import_it():
    term = "return 2.0 * (T - t + 1) - (T + 1) * (harmonic[T] - harmonic[t - 1])"
    changed = edited("attention.py", term, term.replace("2.0 *", "3.0 *"))
    assert code_fingerprint("vadcore.maps.attention", changed) != code_fingerprint("vadcore.maps.attention")
    # the key follows the static import graph: every family that imports the map, none other
    for family in ("vadcore.methods.prediction", "vadcore.methods.reconstruction"):
        assert code_fingerprint(family, changed) != code_fingerprint(family)
    for family in ("vadcore.methods.dissociation", "vadcore.methods.fewshot"):
        assert code_fingerprint(family, changed) == code_fingerprint(family)
    assert run_code(prediction.Config()) == run_code(prediction.Config(attention="learned")) == \
        code_fingerprint("vadcore.methods.prediction")


def test_what_counts_as_a_familys_code():
    modules = set(family_modules("vadcore.methods.prediction"))
    assert {"vadcore.losses", "vadcore.flow", "vadcore.models.unet", "vadcore.models.patchgan", "vadcore.quality",
            "vadcore.data.clips", "vadcore.methods.loop", "vadcore.methods.prediction.trainer"} <= modules
    assert {"vadcore.maps.attention", "vadcore.maps.saliency", "vadcore.methods.family"} <= modules
    # loaders (the data fingerprint covers them), other families' networks, evaluation and profiles do not
    assert not {"vadcore.data.ucsd", "vadcore.data.video", "vadcore.metrics", "vadcore.models.conv_ae",
                "vadcore.methods.prediction.profiles", "vadcore.methods.evaluation",
                "vadcore.methods.prediction.diagnostics", "vadcore.methods"} & modules


LAYERS = [  # a module may import from its own layer and the layers above it in this list
    {"vadcore.environment", "vadcore.paths", "vadcore.atomic", "vadcore.seeding", "vadcore.profiles", "vadcore.progress",
     "vadcore.engine"},
    {"vadcore.data"},
    {"vadcore.models", "vadcore.losses", "vadcore.flow", "vadcore.maps", "vadcore.quality", "vadcore.metrics"},
    {"vadcore.runs", "vadcore.methods"},
    {"vadcore.baselines", "vadcore.report", "vadcore.figures"},
    {"vadcore.papers"},  # papers declare (numbers, claims, studies); report computes and never imports a paper
    {"vadcore.notebook", "vadcore.reproduce", "vadcore.script", "vadcore.compare", "vadcore.plan", "vadcore.bench",
     "vadcore.slot", "vadcore.teaching", "vadcore.share", "vadcore.cli"},
]


def layer_of(module: str) -> int:
    for depth, members in enumerate(LAYERS):
        if any(module == m or module.startswith(m + ".") for m in members):
            return depth
    raise AssertionError(f"{module} is in no layer")


def package_modules() -> dict[str, ast.AST]:
    """``{module: syntax tree}`` of every module of the package but its ``__init__``."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        if module != "vadcore":
            found[module] = (ast.parse(path.read_text()), path.name == "__init__.py")
    return found


def upward_imports(modules: dict) -> list[str]:
    return sorted({f"{module} → {name}" for module, (tree, _) in modules.items()
                   for name in imported_modules(module, tree) if layer_of(name) > layer_of(module)})


def test_imports_only_point_down_the_layers():
    modules = package_modules()
    assert len(modules) >= 100 and "vadcore.metrics" in modules and "vadcore.methods.prediction.trainer" in modules
    assert upward_imports(modules) == []


def test_the_layer_check_sees_every_form_of_an_upward_import():
    for planted in ("import vadcore.cli", "from vadcore.cli import main", "from vadcore import cli",
                    "from vadcore import metrics, cli"):
        modules = {"vadcore.metrics": (ast.parse(planted), False)}
        assert upward_imports(modules) == ["vadcore.metrics → vadcore.cli"], planted
    relative = {"vadcore.methods.prediction.trainer": (ast.parse("from ...notebook import start"), False)}
    assert upward_imports(relative) == ["vadcore.methods.prediction.trainer → vadcore.notebook"]
    assert upward_imports({"vadcore.cli": (ast.parse("from vadcore import metrics"), False)}) == []


def test_the_few_shot_samplers_are_code():
    """The episode and frame samplers decide what a few-shot run trains on: editing one retrains."""
    before = code_fingerprint("vadcore.methods.fewshot")
    assert code_fingerprint("vadcore.methods.fewshot", edited(
        "episodes.py", "rng.choice(by_class[name], shot + queries, replace=False)",
        "rng.choice(by_class[name], shot + queries, replace=True)")) != before
    assert {"vadcore.data.actions", "vadcore.data.episodes"} <= set(family_modules("vadcore.methods.fewshot"))
    assert "vadcore.data.synthactions" not in family_modules("vadcore.methods.fewshot")  # data: the data fingerprint


def environment_touches(modules: dict) -> list[str]:
    """The modules whose code names ``os.environ`` or ``os.getenv`` (or ``environ``/``getenv`` from os)."""
    found = set()
    for module, (tree, _) in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv", "unsetenv") or \
                    isinstance(node, ast.ImportFrom) and node.module == "os" and \
                    {a.name for a in node.names} & {"environ", "getenv", "putenv", "unsetenv"}:
                found.add(module)
    return sorted(found)


def test_one_module_reads_and_sets_environment_variables_and_the_readme_lists_them():
    from vadcore.environment import VARIABLES

    assert environment_touches(package_modules()) == ["vadcore.environment"]
    planted = {"vadcore.metrics": (ast.parse("import os\nx = os.environ.get('VADCORE_X')"), False),
               "vadcore.runs": (ast.parse("from os import getenv"), False)}
    assert environment_touches(planted) == ["vadcore.metrics", "vadcore.runs"]
    readme = (PACKAGE.parent / "README.md").read_text()
    table = readme[readme.index("| variable | meaning |"):].split("\n\n")[0].split("\n- ")[0]
    listed = [line.split("`")[1] for line in table.splitlines()[2:] if line.strip().startswith("| `")]
    assert listed == list(VARIABLES)


def test_an_undeclared_environment_variable_is_an_error():
    from vadcore import environment

    with pytest.raises(KeyError, match="VADCORE_NOPE"):
        environment.get("VADCORE_NOPE")
    with pytest.raises(KeyError, match="VADCORE_NOPE"):
        environment.for_child(VADCORE_NOPE="1")


FAMILIES = ("prediction", "reconstruction", "dissociation", "fewshot")


def family_conditions(modules: dict) -> list[str]:
    """``module: name`` for every comparison outside the families' own packages that compares with
    a built-in family — by name (``family is dissociation``, ``family in (dissociation, fewshot)``)
    or by its registered name (``config.family == "fewshot"``)."""
    def named(node):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return [name for element in node.elts for name in named(element)]
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else \
            node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
        return [name] if name in FAMILIES else []

    found = set()
    for module, (tree, _) in modules.items():
        if any(module.startswith(f"vadcore.methods.{family}") for family in FAMILIES):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                found.update(f"{module}: {name}" for operand in (node.left, *node.comparators) for name in named(operand))
    return sorted(found)


def test_no_core_module_asks_for_a_family_by_name():
    """The shared layers ask a family for its contract (``INPUTS``, ``CHANNELS``, ``PROFILE_KEYS``,
    ``bare_step``), never whether it is one of the built-in four."""
    assert family_conditions(package_modules()) == []
    planted = {"vadcore.bench": (ast.parse("x = 3 if family is dissociation else 1"), False),
               "vadcore.plan": (ast.parse("if config.family == 'reconstruction':\n    pass"), False),
               "vadcore.notebook": (ast.parse("y = [c for c in configs if c.family != 'fewshot']"), False),
               "vadcore.slot.checks": (ast.parse("z = 3 if family in (dissociation,) else 1"), False),
               "vadcore.papers.adl": (ast.parse("w = 1 if prediction.PROFILES[p].get('x') else 2"), False),
               "vadcore.methods.prediction.trainer": (ast.parse("if family is prediction:\n    pass"), False)}
    assert family_conditions(planted) == ["vadcore.bench: dissociation", "vadcore.notebook: fewshot",
                                          "vadcore.plan: reconstruction", "vadcore.slot.checks: dissociation"]


def test_every_name_the_package_imports_from_itself_exists():
    """``from vadcore.x import name`` anywhere in the package, inside functions too (where an import
    runs only when called), names something ``vadcore.x`` has: a helper renamed or moved cannot
    leave a lazy import behind."""
    import importlib

    checked, missing = 0, []
    for module, (tree, _) in package_modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("vadcore"):
                source = importlib.import_module(node.module)
                for alias in node.names:
                    checked += 1
                    if not hasattr(source, alias.name) and importlib.util.find_spec(f"{node.module}.{alias.name}") is None:
                        missing.append(f"{module}: from {node.module} import {alias.name}")
    assert checked > 500 and missing == []
