"""``vadcore runs export`` / ``vadcore runs import``: a notebook's trained runs as one file, to hand
to a class (``docs/teaching.md``).

:func:`export_runs` walks the notebook's study as the notebook would (its parameters, data and
run cache, as :func:`vadcore.plan.open_notebook` opens them) and writes every run it needs into a
``.tar`` file with a ``manifest.json``: the notebook, profile and parameters, and each run's key
and identity (config, data fingerprint, code fingerprint). A run not trained yet is an error
that says how to train it.

:func:`import_runs` walks the same study on the student's machine — *their* data and *their*
``vadcore`` — and copies each run into their run cache only where its key, computed here, is one
the file holds. A key is a hash of config, data and code, so the runs a student's notebook then
reads are exactly the teacher's; where a key differs, the error says why: their data differ
from the teacher's (another fingerprint for the same config: the class needs byte-identical
data), or their ``vadcore`` does (another code fingerprint), or the parameters do.
"""
from __future__ import annotations

import io
import json
import tarfile
import tempfile
from pathlib import Path

from vadcore.runs import RunCache, install

FILES = ("identity.json", "checkpoint.pt", "scores.npz", "timings.json", "metrics.json")  # a finished run (its
# readings, what notebooks read off its network, are read again from the checkpoint)


def _walk(number: str, profile: str, parameters: dict, cache: RunCache, take) -> list[str]:
    """Walk notebook ``number``'s study; ``take(run, label)`` returns each run's result (or raises).
    Returns the keys, in the study's order."""
    from vadcore.methods import run_code
    from vadcore.methods.study import walk
    from vadcore.plan import open_notebook

    notebook = open_notebook(number, profile, parameters, cache)
    keys = []

    def results_of(stage):
        found = {}
        for label, config in stage.items():
            run = cache.run(config, notebook.lab.data_for(config).fingerprint(), run_code(config))
            found[label] = take(run, label)
            keys.append(run.key)
        return found

    walk(notebook.steps(), results_of)
    return keys


def export_runs(number: str, profile: str, target: str | Path, parameters: dict | None = None,
                cache: RunCache | None = None) -> list[str]:
    """Write every run notebook ``number`` needs at ``profile`` into the file ``target``; returns
    their keys. Fails, naming the command that trains them, if a run is not in the cache."""
    cache = cache or RunCache()
    parameters = dict(parameters or {})
    runs = {}

    def take(run, label):
        result = cache.stored(run)
        if result is None:
            options = "".join(f" -p {k}={v!r}" for k, v in parameters.items())
            raise ValueError(f"run {run.key} {label} of notebook {number} is not trained: "
                             f"`vadcore train {number} --profile {profile}{options}` first")
        runs[run.key] = run
        return result

    _walk(number, profile, parameters, cache, take)
    manifest = {"notebook": number, "profile": profile, "parameters": parameters,
                "runs": {key: run.identity for key, run in runs.items()}}
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(target, "w") as archive:
        text = json.dumps(manifest, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(text)
        archive.addfile(info, io.BytesIO(text))
        for key, run in runs.items():
            for name in FILES:
                if (run.dir / name).is_file():
                    archive.add(run.dir / name, f"runs/{key}/{name}")
    return list(runs)


def _mismatch(run, exported: dict) -> str:
    """Why ``run`` (computed on this machine) has a key the file does not hold."""
    same = [identity for identity in exported.values() if identity["config"] == run.config]
    if not same:
        return (f"a run of this notebook here ({run.key}) has a config the file does not hold: the parameters or "
                "the profile differ from the teacher's")
    theirs = same[0]
    if theirs["data"] != run.identity["data"]:
        return (f"your data differ from the teacher's: dataset {run.config.get('dataset')!r} has fingerprint "
                f"{run.identity['data']} here and {theirs['data']} in the file. The runs need byte-identical data: "
                "regenerate synthetic data with the teacher's seed, or use the teacher's copy of a real dataset")
    return (f"your vadcore differs from the teacher's: code fingerprint {run.identity['code']} here, "
            f"{theirs['code']} in the file: install the teacher's version")


def import_runs(source: str | Path, cache: RunCache | None = None) -> tuple[str, str, list[str]]:
    """Copy the runs of the file ``source`` (:func:`export_runs`) into the run cache, each where
    this machine's data and code give it the same key (see the module doc); returns the
    notebook, the profile and the keys imported. Fails before copying anything if a key differs."""
    cache = cache or RunCache()
    with tempfile.TemporaryDirectory() as folder, tarfile.open(source) as archive:
        archive.extractall(folder, filter="data")
        manifest = json.loads((Path(folder) / "manifest.json").read_text())
        unpacked = Path(folder) / "runs"

        def take(run, label):
            if run.key not in manifest["runs"]:
                raise ValueError(f"cannot import the runs of notebook {manifest['notebook']} ({label}): "
                                 + _mismatch(run, manifest["runs"]))
            return run.load()

        keys = list(dict.fromkeys(_walk(manifest["notebook"], manifest["profile"], manifest["parameters"],
                                        RunCache(unpacked), take)))
        for key in keys:
            if not (cache.root / key / "metrics.json").is_file():
                install(unpacked / key, cache.root / key)
    return manifest["notebook"], manifest["profile"], keys
