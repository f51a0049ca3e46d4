"""The papers the notebooks reproduce, one module each: its bibliographic reference, its tables
as it prints them (one schema, :class:`PaperTable`), its table rows as config variants of a method
family, its claims (checked by verdict cells) and the deviations of our setting.

- :mod:`vadcore.papers.protocol` — notebook 00 (no paper: the data and the protocol);
- :mod:`vadcore.papers.convlstm_ae` — notebook 01 (the ConvLSTM autoencoder tutorial; Conv-AE);
- :mod:`vadcore.papers.adl` — notebook 02 (the attention-driven loss);
- :mod:`vadcore.papers.seunet` — notebook 03 (saliency-masked prediction);
- :mod:`vadcore.papers.dissociation` — notebook 04 (spatio-temporal dissociation);
- :mod:`vadcore.papers.fewshot_key_region` — notebook 05 (few-shot key regions);
- :mod:`vadcore.papers.leaderboard` — notebook 06 (no paper: every method of notebooks 01–04 on
  the same data, frames and seeds, with the scores that learn nothing; its runs are theirs).

Each also declares ``IMPLEMENTED``, the index of its paper: every numbered equation, table and
figure, in the paper's order, mapped to the function, class or notebook section that implements
it, or to why the project does not (``tests/test_paper_maps.py`` keeps it true).

Each declares its notebook's runs as a ``study(profile, dataset, seeds, **parameters)``
(:mod:`vadcore.methods.study`), from which the notebook, ``vadcore plan`` and ``vadcore train``
all take them.

Paper numbers are data: tables show them next to ours; nothing here is used to choose anything.
"""
from __future__ import annotations

from vadcore.report.schema import DATASET_TITLES, Claim, PaperTable, Reference  # noqa: F401  what a paper declares

__all__ = ["DATASET_TITLES", "Claim", "PaperTable", "Reference"]
