"""vadcore: a reproducible, teachable laboratory for video anomaly detection papers.

The package follows the data flow of ``docs/architecture.md``, and its imports only point down
this list:

1. ``vadcore.data`` — datasets, videos at a working size, clip sampling, validation split;
2. ``vadcore.models``, ``vadcore.losses``, ``vadcore.flow``, ``vadcore.maps``, ``vadcore.quality`` —
   networks, losses, flow, attention maps and masks, PSNR;
3. ``vadcore.methods`` — one package per model family (config, profiles, build, train, score)
   and the one cached run, ``vadcore.runs`` — the run cache;
4. ``vadcore.metrics``, ``vadcore.baselines``, ``vadcore.papers``, ``vadcore.report``,
   ``vadcore.figures`` — the protocol, trivial scores, the papers' tables, tables and figures;
5. ``vadcore.notebook``, ``vadcore.reproduce``, ``vadcore.bench``, ``vadcore.cli`` — what the
   notebooks and the ``vadcore`` command call.
"""
from vadcore.seeding import seed_everything

__version__ = "0.1.0"
__all__ = ["seed_everything", "__version__"]
