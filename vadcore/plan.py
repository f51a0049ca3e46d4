"""``vadcore plan`` and ``vadcore train``: the runs a notebook needs, as data.

Every notebook takes its runs from its paper module's *study* (:mod:`vadcore.methods.study`), so
they can be listed and trained without the notebook:

- :func:`plan` lists each run — notebook, stage, label, family, what differs from the profile,
  seed, key, whether it is cached, estimated minutes on this machine — and trains nothing. A
  stage whose runs depend on an earlier stage's results (what a validation search chose) is listed
  once that stage is cached;
- :func:`train` trains the missing runs of each stage N at a time: in local processes (on a GPU
  machine spread over its GPUs, several per GPU) or as Slurm jobs through submitit, with the run
  cache on a shared filesystem. A lock per run key makes any number of ``train`` and
  ``reproduce`` processes safe: each run is trained once, and ``vadcore reproduce`` then renders
  the notebooks from the cache;
- :func:`refuse_on_cpu` stops ``train`` and ``reproduce`` of a GPU profile on a machine without a
  GPU, unless the CPU is asked for, saying what the runs would cost here (:func:`plan`'s estimate).
"""
from __future__ import annotations

import ast
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vadcore import engine, paths
from vadcore.methods import MethodConfig, family_of, run_code
from vadcore.methods.study import INCOMPLETE, Label, Stage, walk
from vadcore.notebook import Lab
from vadcore.papers import adl, convlstm_ae, dissociation, fewshot_key_region, leaderboard, protocol, seunet
from vadcore.profiles import check_profile, cpu_not_asked_for, default_dataset, default_seeds
from vadcore.reproduce import check_parameters, list_notebooks, notebook_parameters, select
from vadcore.runs import RunCache, RunResult

# notebook → the paper module that declares its study
STUDIES = {"00": protocol, "01": convlstm_ae, "02": adl, "03": seunet, "04": dissociation, "05": fewshot_key_region,
           "06": leaderboard}
# config fields that do not change a step's speed (the rest must match for a recorded run to estimate another)
NOT_SPEED = {"seed", "dataset", "iterations", "pretrain", "decay_at", "validate_every", "lr", "lr_generator",
             "lr_discriminator", "eps", "background", "test_episodes", "validation_episodes", "episode_seed",
             "deterministic", "compile", "cuda_graphs"}


@dataclass
class PlannedRun:
    """One run of a notebook's study, as :func:`plan` lists it."""

    notebook: str
    stage: int
    label: Label
    config: MethodConfig = field(repr=False)
    key: str
    cached: bool
    minutes: float | None
    differs: dict

    def row(self) -> dict:
        return {"notebook": self.notebook, "stage": self.stage, "label": list(self.label), "family": self.config.family,
                "differs": self.differs, "seed": self.config.seed, "key": self.key, "cached": self.cached,
                "minutes": None if self.minutes is None else round(self.minutes, 2)}


@dataclass
class Notebook:
    """A notebook's study, ready to walk: its parameters, data and run cache, without a kernel."""

    number: str
    profile: str
    parameters: dict
    lab: Lab

    def steps(self):
        """The study's steps, given the notebook's parameters as the notebook gives them."""
        values = {k: v for k, v in self.parameters.items() if k not in ("profile", "dataset", "seeds", "device")}
        return STUDIES[self.number].study(self.profile, self.lab.dataset, self.lab.seeds, device=self.lab.kind, **values)


def open_notebook(number: str, profile: str, overrides: dict | None = None, cache: RunCache | None = None,
                  device_here: bool = True) -> Notebook:
    """Notebook ``number``'s study at ``profile`` with its parameters (the notebook's defaults,
    then ``overrides``, checked as ``vadcore reproduce`` checks them) and its data, as the
    notebook would load it. ``device_here=False``: the ``device`` parameter is the kind the runs
    are for (Slurm jobs on GPU nodes, planned on a login node without one)."""
    check_profile(profile)
    path = select([number], list_notebooks())[f"{int(number):02d}" if str(number).isdigit() else number]
    defaults = notebook_parameters(path)
    unknown = sorted(set(overrides or {}) - set(defaults))
    if unknown:
        raise ValueError(f"{path.name} has no parameter {', '.join(map(repr, unknown))}; valid: {', '.join(defaults)}")
    values = {name: ast.literal_eval(text) for name, text in defaults.items()}
    values.update(check_parameters(dict(overrides or {}), defaults, device_here))
    values["profile"] = profile
    module = STUDIES[path.stem[:2]]
    dataset = values.get("dataset") or default_dataset(profile, getattr(module, "INPUTS", "frames"))
    seeds = list(values["seeds"]) if values.get("seeds") is not None else default_seeds(profile)
    lab = Lab(name=path.stem, profile=profile, dataset=dataset, seeds=seeds, out=paths.results_dir() / profile / path.stem,
              data_root=values.get("data_root"),
              device=engine.use(values.get("device", "auto")) if device_here else engine.placement(values.get("device", "auto")),
              cache=cache or RunCache())
    if hasattr(module, "load"):  # a study of action clips (notebook 05) loads its action set first
        module.load(lab, profile, values.get("anomalous"), values.get("anomalous_root"))
    return Notebook(path.stem[:2], profile, values, lab)


def _differs(config: MethodConfig, profile: str) -> dict:
    """The fields of ``config`` that are not its profile's (the seed aside)."""
    family = family_of(config)
    extra = {key: getattr(config, key) for key in family.PROFILE_KEYS if getattr(config, key, None)}
    try:
        reference = family.profile_config(profile, config.dataset, config.seed, device=config.device, **extra)
    except ValueError:
        return {}
    mine, theirs = asdict(config), asdict(reference)
    return {name: value for name, value in mine.items() if value != theirs.get(name)}


def recorded_rates(cache: RunCache) -> list[tuple[dict, float, float]]:
    """``(config, training steps/s, scoring seconds)`` of every finished run in the cache."""
    import json

    found = []
    for identity in cache.root.glob("*/identity.json"):
        timings = identity.parent / "timings.json"
        if not timings.is_file() or not (identity.parent / "metrics.json").is_file():
            continue
        try:
            config = json.loads(identity.read_text())["config"]
            record = json.loads(timings.read_text())
        except (OSError, ValueError, KeyError):
            continue
        if record.get("train_steps_per_s"):
            found.append((config, float(record["train_steps_per_s"]), float(record.get("score_s", 0.0))))
    return found


def estimate(config: MethodConfig, recorded: list[tuple[dict, float, float]]) -> float | None:
    """Minutes a run of ``config`` takes here: its iterations at the median speed of the recorded
    runs with the same speed-relevant settings, plus their median scoring time; ``None`` without one."""
    from vadcore.runs import canonical_config

    mine = {k: v for k, v in canonical_config(config).items() if k not in NOT_SPEED}
    same = [(rate, score) for other, rate, score in recorded
            if {k: v for k, v in other.items() if k not in NOT_SPEED} == mine]
    if not same:
        return None
    return (config.iterations / statistics.median(r for r, _ in same) + statistics.median(s for _, s in same)) / 60


def plan(numbers: Sequence[str] | None, profile: str, overrides: dict | None = None,
         cache: RunCache | None = None) -> tuple[list[PlannedRun], dict[str, bool]]:
    """Every run notebooks ``numbers`` need at ``profile`` (see the module doc), and for each
    notebook whether the list is complete (``False``: a later stage waits for a search's runs).
    ``-p device=cuda`` plans GPU runs on a machine without one."""
    cache = cache or RunCache()
    recorded = recorded_rates(cache)
    planned, complete = [], {}
    for number in select(numbers, list_notebooks()):
        notebook = open_notebook(number, profile, overrides, cache, device_here=False)
        stage_index = [0]

        def results_of(stage: Stage, notebook=notebook) -> dict[Label, RunResult | None]:
            results = {}
            for label, config in stage.items():
                run = cache.run(config, notebook.lab.data_for(config).fingerprint(), run_code(config))
                planned.append(PlannedRun(number, stage_index[0], label, config, run.key, run.finished,
                                          estimate(config, recorded), _differs(config, profile)))
                results[label] = cache.stored(run)
            stage_index[0] += 1
            return results

        complete[number] = walk(notebook.steps(), results_of) is not INCOMPLETE
    return planned, complete


def refuse_on_cpu(numbers: Sequence[str] | None, profile: str, overrides: dict | None = None) -> None:
    """Refuse to train notebooks ``numbers`` at the GPU profile ``profile`` on the CPU when no one
    asked for it (:func:`vadcore.profiles.cpu_not_asked_for`) and a run is left to train: the
    error says, per notebook, how many runs it would train and how long they would take here,
    from :func:`plan`'s estimate."""
    overrides = dict(overrides or {})
    if not cpu_not_asked_for(profile, overrides.get("device")):
        return
    planned, complete = plan(numbers, profile, {**overrides, "device": "cpu"})
    missing = {p.key: p for p in planned if not p.cached}  # a run two notebooks share counts once
    if not missing and all(complete.values()):
        return  # everything is cached: nothing trains
    costs = []
    for number, done in complete.items():
        runs = [p for p in missing.values() if p.notebook == number]
        costs.append(f"notebook {number} would train {len(runs)} run(s) on the CPU: {_cost(runs)}"
                     + ("" if done else ", and more once its validation search is trained"))
    raise ValueError(f"profile {profile!r} is made for a GPU, and PyTorch sees no GPU here: {'; '.join(costs)}. "
                     "Run it on a GPU, or give -p device=cpu (or --device cpu) to train on the CPU anyway")


def _cost(runs: list[PlannedRun]) -> str:
    """How long ``runs`` take here, estimated from the runs recorded in the cache, and their work."""
    known = [p.minutes for p in runs if p.minutes is not None]
    sizes = sorted({"×".join(map(str, p.config.size)) for p in runs if hasattr(p.config, "size")})
    work = f"{sum(p.config.iterations for p in runs):,} training steps" + (f" at {' and '.join(sizes)}" if sizes else "")
    if len(known) == len(runs):
        return f"≈ {sum(known):.0f} min ({work}; estimated from the runs recorded here)"
    return (f"≈ {sum(known):.0f} min for {len(known)} of them, " if known else "") + \
        f"{work}, and no run recorded here like {'the others' if known else 'them'} to estimate from " \
        "(`vadcore bench` measures this machine's speed)"


_opened: dict[tuple, Notebook] = {}


def train_one(number: str, profile: str, overrides: dict, config: MethodConfig, device: str = "auto",
              threads: int | None = None) -> str | None:
    """Train one run in this process — what a job of :func:`train` does; returns its key, or
    ``None`` when another process had trained it meanwhile (the run's lock decides)."""
    import torch

    from vadcore.methods import cached_run
    from vadcore.runs import ledger

    if threads:
        torch.set_num_threads(threads)
    key = (number, profile, repr(sorted(overrides.items())), device)
    if key not in _opened:  # a worker process keeps the notebooks it opened: data are loaded once
        _opened[key] = open_notebook(number, profile, {**overrides, "device": device})
    notebook = _opened[key]
    data = notebook.lab.data_for(config)
    cached_run(config, data, notebook.lab.cache)
    key = notebook.lab.cache.run(config, data.fingerprint(), run_code(config)).key
    return key if key in ledger.computed else None


def _local_jobs(jobs: int) -> Callable:
    """Submit jobs to ``jobs`` local processes (one: this process); on a GPU machine job i runs
    on GPU i mod n."""
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    import torch

    if jobs == 1:
        def here(number, profile, overrides, config):
            done = Future()
            done.set_result(train_one(number, profile, overrides, config, overrides.get("device", "auto")))
            return done

        here.close = lambda: None
        return here

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
    gpus = torch.cuda.device_count()
    threads = max(1, (os.cpu_count() or 1) // jobs)
    counter = [0]

    def submit(number, profile, overrides, config):
        device = f"cuda:{counter[0] % gpus}" if gpus else "cpu"
        counter[0] += 1
        return pool.submit(train_one, number, profile, overrides, config, device, None if gpus else threads)

    submit.close = pool.shutdown
    return submit


def _submitit_jobs(cluster: str, folder: Path, options: dict) -> Callable:
    """Submit jobs through submitit (``cluster``: ``slurm``, or ``local`` for a test)."""
    import submitit

    executor = submitit.AutoExecutor(folder=str(folder), cluster=cluster)
    executor.update_parameters(**{k: v for k, v in options.items() if v is not None})

    def submit(number, profile, overrides, config):
        return executor.submit(train_one, number, profile, overrides, config, overrides.get("device", "auto"))

    submit.close = lambda: None
    return submit


def train(numbers: Sequence[str] | None, profile: str, overrides: dict | None = None, jobs: int = 1,
          executor: str = "local", slurm: dict | None = None, log: Callable[[str], None] = print) -> list[str]:
    """Train every run notebooks ``numbers`` need at ``profile`` that is not cached yet, stage by
    stage, ``jobs`` at a time (see the module doc); returns the keys it trained (not those another
    process trained meanwhile)."""
    cache = RunCache()
    overrides = dict(overrides or {})
    if executor == "slurm" and "device" not in overrides:
        raise ValueError("say which device the Slurm jobs train on (-p device=cuda, or cpu): it is part of "
                         "their runs' keys, and this machine's own device need not be theirs")
    if executor == "local":
        refuse_on_cpu(numbers, profile, overrides)
        submit = _local_jobs(jobs)
    elif executor in ("slurm", "submitit-local"):
        options = {"timeout_min": 60, **(slurm or {})} if executor == "slurm" else {"timeout_min": 60}
        submit = _submitit_jobs("slurm" if executor == "slurm" else "local", paths.data_dir() / "jobs", options)
    else:
        raise ValueError(f"unknown executor {executor!r}; choose local, slurm or submitit-local")
    trained: list[str] = []
    try:
        for number in select(numbers, list_notebooks()):
            notebook = open_notebook(number, profile, overrides, cache, device_here=executor == "local")

            def results_of(stage: Stage, notebook=notebook, number=number) -> dict[Label, RunResult | None]:
                runs = {label: cache.run(c, notebook.lab.data_for(c).fingerprint(), run_code(c)) for label, c in stage.items()}
                missing = {run.key: stage[label] for label, run in runs.items() if cache.stored(run) is None}
                if missing:
                    log(f"vadcore train: notebook {number}: {len(missing)} run(s) of {len(stage)} to train, {jobs} at a time")
                    tick = time.perf_counter()
                    futures = [submit(number, profile, overrides, config) for config in missing.values()]
                    trained.extend(key for key in (future.result() for future in futures) if key is not None)
                    log(f"vadcore train: notebook {number}: done in {time.perf_counter() - tick:.0f} s")
                return {label: cache.stored(run) for label, run in runs.items()}

            if walk(notebook.steps(), results_of) is INCOMPLETE:
                raise RuntimeError(f"notebook {number}: a validation search's runs are still missing after its jobs "
                                   "(do the jobs see this run cache? VADCORE_DATA / VADCORE_RUNS)")
    finally:
        submit.close()
    return trained


def to_markdown(planned: list[PlannedRun], complete: dict[str, bool]) -> str:
    from vadcore.report import markdown_table, settings_text

    rows = [[p.notebook, str(p.stage), " / ".join(map(str, p.label)), p.config.family,
             settings_text(p.differs) if p.differs else "—", str(p.config.seed), p.key, "yes" if p.cached else "no",
             "?" if p.minutes is None else f"{p.minutes:.1f}"] for p in planned]
    text = markdown_table(["notebook", "stage", "run", "family", "differs from the profile", "seed", "key", "cached",
                           "est. minutes"], rows)
    missing = list({p.key: p for p in planned if not p.cached}.values())  # labels sharing a run count once
    known = [p.minutes for p in missing if p.minutes is not None]
    text += (f"\n\n{len(planned)} runs listed ({len({p.key for p in planned})} distinct), {len(missing)} to train"
             + (f" (≈ {sum(known):.0f} min for the {len(known)} with an estimate)" if known else "") + ".")
    for number, done in complete.items():
        if not done:
            text += f"\nNotebook {number}: later runs depend on the validation search above; plan again once it is trained."
    return text
