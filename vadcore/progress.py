"""Progress bars for every loop that can take more than a few seconds.

In JupyterLab they are tqdm's notebook widgets. ``vadcore reproduce`` sets
``VADCORE_PROGRESS=text``: the bars are then plain text on stderr, which papermill streams to the
terminal while a notebook runs (and which the executed copies in ``results/`` do not keep).
"""
from __future__ import annotations

import sys

from vadcore import environment


def progress(iterable=None, **kwargs):
    """``tqdm(iterable, **kwargs)``, as widgets or as text (see the module doc)."""
    if environment.get("VADCORE_PROGRESS") == "text":
        from tqdm.std import tqdm

        kwargs.setdefault("mininterval", 10.0)
        kwargs.setdefault("file", sys.stderr)
        return tqdm(iterable, **kwargs)
    from tqdm.auto import tqdm

    return tqdm(iterable, **kwargs)
