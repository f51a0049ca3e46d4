"""The code fingerprint of a method family: part of every run key (:mod:`vadcore.runs`).

A family's code is every module of its package plus every module of ``vadcore`` or of the
family's own top-level package (a family of your own lives outside ``vadcore``) those import,
directly or not — the static import graph, so what a family can run is what it is keyed by —
except

- the dataset loaders (``vadcore.data``, whose output the data fingerprint covers) — but the
  training-time samplers ``vadcore.data.clips``, ``vadcore.data.splits``, the few-shot frame
  sampler (``vadcore.data.actions``), episode sampler (``vadcore.data.episodes``) and the
  pseudo-anomalies of validation (``vadcore.data.pseudo``) are code and
  count;
- bookkeeping that cannot change a number (``vadcore.runs``, ``vadcore.paths``,
  ``vadcore.atomic``, ``vadcore.progress``, the ``vadcore`` package itself);
- ``profiles``, ``evaluation`` and ``diagnostics`` modules (a family's, and the shared
  ``vadcore.methods.evaluation``): the first only chooses configs (whatever it decides enters a
  run through its ``Config``), the others read finished runs (metrics are recomputed from the
  stored scores every time a run is read, so the protocol can change without retraining).

Each module enters as its syntax tree with docstrings removed, so editing a comment, a docstring
or the layout of a line keeps every run, while any change to what the code does — a sign in a
loss, a term of an attention map, a default — gives new keys and retrains on the next request.
Every cached run carries it in its key.
"""
from __future__ import annotations

import ast
import hashlib
import importlib.util
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

EXCLUDED = ("vadcore", "vadcore.runs", "vadcore.paths", "vadcore.atomic", "vadcore.progress")
DATA_AS_CODE = ("vadcore.data.clips", "vadcore.data.splits", "vadcore.data.actions", "vadcore.data.episodes",
                "vadcore.data.pseudo")
NOT_RUN_CODE = ("profiles", "evaluation", "diagnostics")

Reader = Callable[[Path], str]


def _origin(module: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec is not None and spec.origin and spec.origin.endswith(".py") else None


def _top(module: str) -> str:
    return module.partition(".")[0]


def _counts(module: str, roots: tuple[str, ...]) -> bool:
    if module in EXCLUDED or _top(module) not in roots or module.rpartition(".")[2] in NOT_RUN_CODE:
        return False
    return not module.startswith("vadcore.data") or module in DATA_AS_CODE


def imported_modules(module: str, tree: ast.AST, roots: tuple[str, ...] = ("vadcore",)) -> set[str]:
    """The modules under ``roots`` an import statement of ``module`` names, in every form
    (``import a.b``; ``from a import b``: ``a.b`` when that is a module, else ``a``; relative
    imports). The layer test (``tests/test_code.py``) reads the package's imports with it too."""
    package = module if _origin(module).name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            if _top(base) not in roots:
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if _origin(candidate) else base)
    return {name for name in found if _top(name) in roots}


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


def family_modules(package: str, read: Reader | None = None) -> dict[str, str]:
    """``{module: normalised source}`` of every module that counts for ``package`` (a family's
    package, or a single module — which counts itself, even a ``diagnostics`` one: the code of
    what a notebook reads off a network, :mod:`vadcore.methods.readings`)."""
    root = _origin(package)
    if root is None or package == "vadcore":
        raise ValueError(f"{package!r} is not an importable module of Python source")
    roots = ("vadcore", _top(package))
    pending = [package] if root.name != "__init__.py" else \
        [f"{package}.{p.stem}" if p.name != "__init__.py" else package for p in sorted(root.parent.glob("*.py"))]
    sources: dict[str, str] = {}
    while pending:
        module = pending.pop()
        if module in sources or (module != package and not _counts(module, roots)) or _origin(module) is None:
            continue
        path = _origin(module)
        imported, sources[module] = _parsed(path, path.stat().st_mtime_ns, module, roots) if read is None \
            else _parse(read(path), module, roots)
        pending.extend(imported)
    return sources


def _parse(text: str, module: str, roots: tuple[str, ...]) -> tuple[set[str], str]:
    tree = ast.parse(text)
    return imported_modules(module, tree, roots), ast.dump(_without_docstrings(tree), include_attributes=False)


@lru_cache(maxsize=256)
def _parsed(path: Path, mtime_ns: int, module: str, roots: tuple[str, ...]) -> tuple[set[str], str]:
    """One module's imports and normalised tree, re-read whenever the file changes."""
    return _parse(path.read_text(), module, roots)


def code_fingerprint(package: str, read: Reader | None = None) -> str:
    """16 hex digits of the SHA-256 of the family's code (see the module doc). ``read`` replaces
    the file reader (tests use it to edit a module without touching the file)."""
    sources = family_modules(package, read)
    digest = hashlib.sha256()
    for module in sorted(sources):
        digest.update(f"{module}\n{sources[module]}\n".encode())
    return digest.hexdigest()[:16]
