"""Maps computed from training video that weight a loss or mask a frame (notebooks 02, 03).

- :mod:`vadcore.maps.attention` — ADL's human (Eq. 1) and learned dynamic-image (Eqs. 2–7)
  attention maps;
- :mod:`vadcore.maps.foreground` — moving-object masks, to split errors into foreground and
  background (ADL Figs. 7, 9).

A method family loads an optional map module by name (:func:`load`), and the config that names
it adds the module to its runs' code fingerprint (``MethodConfig.code_modules``): editing one
map's code retrains the runs that use it and no others.
"""
from __future__ import annotations

import importlib
from types import ModuleType


def load(name: str) -> ModuleType:
    """``vadcore.maps.<name>``."""
    return importlib.import_module(f"vadcore.maps.{name}")
