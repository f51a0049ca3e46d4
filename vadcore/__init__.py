"""vadcore: a reproducible, teachable laboratory for video anomaly detection papers.

The package follows the data flow of DESIGN.md §2: ``vadcore.data`` (videos, clips) →
models and losses → training / scoring loops → ``vadcore.metrics`` → ``vadcore.runs`` (run cache)
→ ``vadcore.report`` (tables, figures, provenance) → ``vadcore.reproduce`` (papermill).
"""
from vadcore.seeding import seed_everything

__version__ = "0.1.0"
__all__ = ["seed_everything", "__version__"]
