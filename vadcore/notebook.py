"""What every notebook does first and last: ``lab = start(...)`` and ``finish(lab)``.

``start`` resolves the notebook's own name (its results folder is ``results/<profile>/<name>/``:
in the package's ``results/`` only when ``vadcore reproduce`` runs it, else beside the notebook),
the profile's dataset and seeds, the device every run of the notebook uses (``auto``: the GPU if
there is one), seeds every generator, remembers the commit the notebook runs on, and opens the
run cache. In a dry run (:func:`vadcore.profiles.dry_run`) the data's clips are cut short. ``finish`` writes ``provenance.json``: commit, profile, dataset and
its fingerprint, seeds, device, versions, wall time, and the compute time the runs actually cost
(runs trained in this session, and runs reused from the cache with the time they cost when they
were trained). Provenance holds no absolute path of the machine that ran it.

``device="cuda"`` where there is no GPU reads the runs and what the notebook reads off their
networks from the run cache and trains nothing (:func:`vadcore.profiles.gpu_absent`): how a GPU
slot's records are rendered on a CPU.

The notebook's name comes from, in order: ``notebook=`` (every notebook passes its own name, so
that a copy runs under any file name, under papermill, nbclient and nbgrader, and with a regular
install that has no ``notebooks/`` folder); ``VADCORE_NOTEBOOK`` (set by ``vadcore reproduce``
and the test suite); the path JupyterLab, Jupyter Notebook 7 or VS Code give the kernel.
"""
from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from vadcore import engine, environment, report, runs
from vadcore.data import VideoSet, load_dataset
from vadcore.data.actions import ActionSet, load_action_set
from vadcore.methods.family import family_of
from vadcore.methods.study import Outcome
from vadcore.profiles import (DRY_RUN, check_profile, cpu_not_asked_for, default_dataset, default_seeds, dry_run,
                              gpu_absent)
from vadcore.reproduce import NOTEBOOK_NAME, list_notebooks
from vadcore.seeding import seed_everything

# torch's notice, once per operation, that an operation has no deterministic version although the
# runs ask for deterministic ones where there are (``warn_only``: e.g. the Conv-AE's max-unpooling
# while it trains). It is known and nothing a reader can act on, so a notebook does not show it.
NO_DETERMINISTIC_KERNEL = r".* does not have a deterministic implementation, but you set 'torch\.use_deterministic_algorithms"


def _session_path() -> str | None:
    """The notebook path the front end gave the kernel, if any."""
    if environment.get("VADCORE_NOTEBOOK"):
        return environment.get("VADCORE_NOTEBOOK")
    if environment.get("JPY_SESSION_NAME"):
        return environment.get("JPY_SESSION_NAME")
    try:
        from IPython import get_ipython

        namespace = get_ipython().user_ns
    except (ImportError, AttributeError):
        return None
    return namespace.get("__session__") or namespace.get("__vsc_ipynb_file__")


def notebook_name(notebook: str | None = None) -> str:
    """``"02_attention_driven_loss"`` from ``"02"``, a file name or path, or the kernel's session."""
    given = notebook or _session_path()
    if not given:
        raise ValueError("cannot tell which notebook this is: pass start(..., notebook='NN')")
    stem = Path(str(given)).stem
    number = stem[:2]
    known = list_notebooks()
    if stem in {path.stem for path in known.values()} or (not known and NOTEBOOK_NAME.fullmatch(f"{stem}.ipynb")):
        return stem  # without a notebooks/ folder (a regular install) a full name is taken as given
    if number in known:
        return known[number].stem
    raise ValueError(f"no notebook {given!r}; known: {', '.join(p.stem for p in known.values())}")


@dataclass
class Lab:
    """One notebook run: where it writes, on what, with which seeds (see the module doc)."""

    name: str
    profile: str
    dataset: str
    seeds: list[int]
    out: Path
    data_root: str | None = None
    device: torch.device = field(default_factory=engine.resolve)  # the notebook's: start() passes it
    cache: runs.RunCache = field(default_factory=runs.RunCache)
    commit: str = ""
    started: float = field(default_factory=time.time)
    _data: dict = field(default_factory=dict, repr=False)

    @property
    def kind(self) -> str:
        """``"cpu"`` or ``"cuda"``: the device kind this notebook's configs are made for (its study
        passes it to every ``profile_config``)."""
        return self.device.type

    def data(self, size: tuple[int, int] | None = None, gray: bool | None = None, dataset: str | None = None) -> VideoSet:
        """The notebook's dataset (or another one) at a working size, loaded once per session."""
        name = dataset or self.dataset
        key = (name, None if size is None else tuple(size), gray)
        if key not in self._data:
            root = self.data_root if name == self.dataset else None
            data = load_dataset(name, root, size=size, gray=gray)
            self._data[key] = data.excerpt(DRY_RUN["train_frames"], DRY_RUN["test_frames"]) if dry_run() else data
        return self._data[key]

    def actions(self, synth: dict | None = None, dataset: str | None = None, anomalous: str | None = None,
                anomalous_root: str | None = None) -> ActionSet:
        """The notebook's few-shot dataset (notebook 05), loaded once per session; ``synth`` are
        synthactions settings (:class:`~vadcore.data.synthactions.SynthActionsConfig` fields);
        ``anomalous`` a second dataset whose test classes become the ``anomalous`` split
        (:func:`~vadcore.data.actions.load_action_set`)."""
        name = dataset or self.dataset
        if dry_run() and synth:  # small frames, few clips per class
            synth = {**synth, "size": min(synth.get("size", DRY_RUN["side"]), DRY_RUN["side"]),
                     "clips_per_class": DRY_RUN["clips_per_class"], "anomalous_clips_per_class": DRY_RUN["clips_per_class"]}
        key = (name, None, ("actions", tuple(sorted((synth or {}).items())), anomalous, anomalous_root))
        if key not in self._data:
            from vadcore.data.synthactions import SynthActionsConfig

            root = self.data_root if name == self.dataset else None
            actions = load_action_set(name, root, synth=SynthActionsConfig(**(synth or {})),
                                      anomalous=anomalous, anomalous_root=anomalous_root)
            self._data[key] = dry_run_actions(actions) if dry_run() else actions
        return self._data[key]

    def data_for(self, config) -> VideoSet | ActionSet:
        """The data a run of ``config`` trains and scores on: its dataset at its size (three
        channels for the dissociation family), or the few-shot action set loaded before."""
        family = family_of(config)
        if family.INPUTS == "actions":
            found = [d for d in self._data.values() if isinstance(d, ActionSet) and d.name == config.dataset]
            if not found:
                raise ValueError(f"load the action set {config.dataset!r} first (lab.actions)")
            return found[0]
        return self.data(size=config.size, gray=family.CHANNELS == 1, dataset=config.dataset)

    def study(self, steps) -> Outcome:
        """Train (or read from the run cache) every run a paper module's study declares, stage by
        stage, and return them (:class:`~vadcore.methods.study.Outcome`). From then on the
        notebook's cache serves only those runs: asking for another one is an error, so that
        ``vadcore plan`` lists exactly what the notebook uses."""
        from vadcore.methods import run_code
        from vadcore.methods.study import drive

        self.cache.expected = None  # a study run again (other parameters) declares its runs anew
        outcome = drive(steps, self.data_for, self.cache)
        self.cache.expected = {self.cache.run(c, self.data_for(c).fingerprint(), run_code(c)).key
                               for c in outcome.configs.values()}
        return outcome

    def read_off(self, config, function, *args, **kwargs):
        """What ``function`` reads off the trained network of ``config``'s run (passed where
        :data:`~vadcore.methods.TRAINED` stands), kept with the run (:func:`vadcore.methods.read_off`)."""
        from vadcore.methods import read_off

        return read_off(config, self.data_for(config), function, *args, cache=self.cache, **kwargs)

    def show(self, markdown: str) -> None:
        """Display Markdown in the notebook (printed outside one, e.g. run as a script)."""
        if not _in_kernel():
            print(markdown)
            return
        from IPython.display import Markdown, display

        display(Markdown(markdown))

    def figure(self, fig, stem: str) -> None:
        """Save a figure as ``<stem>.png`` in the results folder and show it once (outside a
        notebook it is saved and closed). Returns nothing, so that a cell ending with this call
        does not display the figure a second time as its value."""
        import matplotlib.pyplot as plt

        report.save_figure(fig, self.out, stem)
        if _in_kernel():
            plt.show()
        else:
            plt.close(fig)


def dry_run_actions(actions: ActionSet) -> ActionSet:
    """A dry run's action set: the splits only tested on (validation, test, anomalous) cut to their
    first ``DRY_RUN["classes"]`` classes, those of one episode (scoring embeds every clip of them)."""
    kept = {split: set(actions.classes(split)[:DRY_RUN["classes"]]) for split in actions.splits if split != "train"}
    cut = {split: [clip for clip in actions.splits[split] if clip.label in classes] for split, classes in kept.items()}
    return ActionSet(actions.name, {**actions.splits, **cut})


def _in_kernel() -> bool:
    """Whether this runs inside an IPython kernel or shell (not as a plain script)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def start(profile: str = "smoke", dataset: str | None = None, data_root: str | None = None,
          seeds: Sequence[int] | None = None, results_dir: str | None = None, notebook: str | None = None,
          device: str = "auto") -> Lab:
    """Begin a notebook run (see the module doc); ``dataset=None`` is the profile's dataset,
    ``seeds=None`` its seeds, and ``device`` is ``auto``, ``cpu`` or ``cuda[:i]``. A GPU profile
    on a machine without a GPU is refused unless ``device="cpu"`` asks for the CPU."""
    check_profile(profile)
    name = notebook_name(notebook)
    if cpu_not_asked_for(profile, device):
        raise ValueError(f"profile {profile!r} is made for a GPU, and PyTorch sees no GPU here: its runs would train "
                         f"on the CPU for hours (`vadcore plan {name[:2]} --profile {profile} -p device=cpu` estimates "
                         "how long). Run it on a GPU, or set device='cpu' to train on the CPU anyway")
    seeds = list(seeds) if seeds is not None else default_seeds(profile)
    if not seeds or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds) \
            or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be a non-empty list of distinct whole numbers ≥ 0, got {seeds!r}")
    records = gpu_absent(device)
    chosen = engine.placement(device) if records else engine.use(device)
    if records:
        print(f"vadcore: no GPU here — the {device} runs of this notebook are read from the run cache (a GPU slot's "
              "records: `vadcore reproduce --records`); nothing is trained")
    seed_everything(seeds[0])
    warnings.filterwarnings("ignore", message=NO_DETERMINISTIC_KERNEL, category=UserWarning)
    runs.ledger.clear()
    return Lab(name=name, profile=profile, dataset=dataset or default_dataset(profile), seeds=seeds,
               out=report.results_folder(profile, name, results_dir or _beside_the_notebook(profile, name)),
               data_root=data_root, device=chosen, cache=runs.RunCache(read_only=records),
               commit=report.git_commit())


def _beside_the_notebook(profile: str, name: str) -> Path | None:
    """Where a run writes when no ``results_dir`` is given: ``$VADCORE_RESULTS/<profile>/<name>``
    where that is set (``vadcore reproduce`` and the tests set it: ``None`` here), else
    ``results/<profile>/<name>`` in the working directory, beside the notebook — so a student's
    copy, an nbgrader autograde or a notebook opened by hand never writes into the package."""
    return None if environment.get("VADCORE_RESULTS") else Path.cwd() / "results" / profile / name


def finish(lab: Lab, **extra) -> dict:
    """Write ``provenance.json`` for the run of ``lab``, show the run's time
    (:func:`vadcore.teaching.runtime.this_run`) and return the record."""
    from vadcore.teaching.runtime import this_run

    fingerprints = {f"{name}@{'×'.join(map(str, size)) if size else 'native'}": data.fingerprint()
                    for (name, size, _), data in lab._data.items()}
    record = report.write_provenance(lab.out, lab.profile, lab.dataset, lab.seeds, lab.started, commit=lab.commit,
                                     data=fingerprints, runs=runs.ledger.summary(), device_kind=lab.device.type,
                                     **({"dry_run": True} if dry_run() else {}), **extra)
    lab.show(this_run(record))
    return record
