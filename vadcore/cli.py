"""The ``vadcore`` command.

    vadcore data synth [--root PATH] [--seed N]       make the synthetic dataset
    vadcore data check NAME ROOT [--lists DIR]        validate a dataset folder and summarise it
    vadcore data pack NAME ROOT --out DIR [--size H W] [--compare]   a compact, video-coded copy (for a borrowed GPU)
    vadcore reproduce [NN ...] --profile P [--dataset NAME] [--data-root PATH] [--device D] [-p NAME=VALUE ...]
                      [--fresh] [--script] [--dry-run] [--compare [--compare-with HEAD|worktree]]
    vadcore plan [NN ...] --profile P [-p NAME=VALUE ...] [--json]   every run the notebooks need, cached or not
    vadcore plan --slot [--minutes-left M] [--data PACK]   the one command for a borrowed GPU, and its units
    vadcore keep-slot DIR                              a GPU slot's returned files into results/gpu/ and results/bench.md
    vadcore train [NN ...] --profile P [--jobs N] [--executor local|slurm] [...]   train what is not cached
    vadcore bench [--profile P ...] [--device D] [--steps N]   speed of every family → results/bench.md
    vadcore student [NN ...] --release DIR [--course DIR] [--solutions DIR [--profile P] [--data-root PATH]]   student copies (no solution
                      line), nbgrader course, the teacher's executed solutions
    vadcore runs export NN --profile P FILE [-p NAME=VALUE ...]   a notebook's trained runs as one file (for a class)
    vadcore runs import FILE                          put them into this machine's run cache (same data and code)
Runs the notebooks (``reproduce``), writes student copies of them (``student``) and measures the models of notebooks 01–05 (``bench``).
An error is one line and status 2; ``reproduce --compare`` exits with 1 when a table cell moved; a
Ctrl-C ends with status 130 and, when a run was training, its one line (where it stopped and resumes).
"""
from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path


def _literal(text: str):
    """``-p seeds=[0,1,2]`` → a list; anything that is not a Python literal stays a string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _parameters(pairs: list[str]) -> dict:
    parameters = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(f"parameter {pair!r} must look like NAME=VALUE")
        name, value = pair.split("=", 1)
        parameters[name.strip()] = _literal(value)
    return parameters


def build_parser() -> argparse.ArgumentParser:
    from vadcore.data import DATASETS
    from vadcore.data.actions import ACTION_DATASETS
    from vadcore.profiles import PROFILES

    parser = argparse.ArgumentParser(prog="vadcore", description="Video anomaly detection laboratory")
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="make or check datasets").add_subparsers(dest="action", required=True)
    synth = data.add_parser("synth", help="generate the synthetic surveillance dataset (synthped)")
    synth.add_argument("--root", type=Path, default=None, help="output folder (default: data/synthped)")
    synth.add_argument("--seed", type=int, default=0)
    check = data.add_parser("check", help="validate a dataset folder and print a summary")
    check.add_argument("name", choices=list(DATASETS) + list(ACTION_DATASETS))
    check.add_argument("root", type=Path)
    check.add_argument("--lists", type=Path, default=None,
                       help="few-shot datasets: folder of the TRX split lists (default: ROOT/splits)")

    packer = data.add_parser("pack", help="a compact, video-coded copy of a grey dataset (for a borrowed GPU)")
    packer.add_argument("name", choices=list(DATASETS))
    packer.add_argument("root", type=Path)
    packer.add_argument("--out", type=Path, required=True, help="folder of the pack")
    packer.add_argument("--size", type=int, nargs=2, default=None, metavar=("H", "W"),
                        help="working size of the packed frames (default: native; the gpu profile's is 256 256)")
    packer.add_argument("--crf", type=int, default=None, help="H.264 quality (lower: larger and closer; default 14)")
    packer.add_argument("--compare", action="store_true",
                        help="measure what packing changes (PSNR, trivial scores' AUC) and record it in pack.json")

    rep = commands.add_parser("reproduce", help="run notebooks with papermill into results/<profile>/")
    rep.add_argument("notebooks", nargs="*", help="notebook numbers (default: all), e.g. 00 02")
    rep.add_argument("--profile", choices=PROFILES, default="smoke")
    rep.add_argument("--dataset", choices=list(DATASETS) + ["synthactions", *ACTION_DATASETS], default=None)
    rep.add_argument("--data-root", default=None, help="folder of the dataset")
    rep.add_argument("--device", default=None, help="auto (the default: the GPU if there is one), cpu, cuda or cuda:N")
    rep.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                     help="override a notebook parameter (repeatable)")
    rep.add_argument("--fresh", action="store_true",
                     help="recompute every run instead of reading it from the run cache")
    rep.add_argument("--script", action="store_true",
                     help="run each notebook as a plain Python script (no Jupyter needed; keeps run.log, no executed copy)")
    rep.add_argument("--compare", action="store_true",
                     help="after each notebook, print the table cells that moved beyond the committed spread "
                          "(exit status 1 when any did, or when a notebook had no earlier table to compare with)")
    rep.add_argument("--compare-with", choices=("HEAD", "worktree"), default=None,
                     help="--compare against the committed tables (HEAD, the default) or the files as they are "
                          "(worktree); implies --compare")
    rep.add_argument("--dry-run", action="store_true",
                     help="the profile's configs with frame size, widths, schedule and clip length shrunk, at its "
                          "first two seeds, into a temporary folder: catches shape, dtype, device and parameter "
                          "errors before a long run")
    rep.add_argument("--records", type=Path, nargs="+", default=None,
                     help="run records to render from (a GPU slot's runs-N.tar.gz or folders of runs, e.g. "
                          "results/gpu/runs): imported into the run cache first; with -p device=cuda and no GPU here "
                          "nothing is trained")

    planner = commands.add_parser("plan", help="every run notebooks need: key, cached or not, estimated minutes")
    planner.add_argument("notebooks", nargs="*", help="notebook numbers (default: all)")
    planner.add_argument("--profile", choices=PROFILES, default="smoke")
    planner.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE")
    planner.add_argument("--json", action="store_true", help="one JSON object per run")
    planner.add_argument("--slot", action="store_true",
                         help="the prepared GPU slot: the tools/gpu-run.sh call, its budget, its units and their runs")
    planner.add_argument("--minutes-left", type=float, default=15.0, help="--slot: device minutes left in the loan")
    planner.add_argument("--data", type=Path, default=None, help="--slot: the pack the slot reads (default .gpu/ped2)")

    keeper = commands.add_parser("keep-slot", help="a GPU slot's returned files into results/gpu/ and results/bench.md")
    keeper.add_argument("returned", type=Path, help="the folder holding slot.log, results.tar.gz and runs-N.tar.gz")

    trainer = commands.add_parser("train", help="train the runs notebooks need that are not cached, N at a time")
    trainer.add_argument("notebooks", nargs="*", help="notebook numbers (default: all)")
    trainer.add_argument("--profile", choices=PROFILES, default="smoke")
    trainer.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE")
    trainer.add_argument("--jobs", type=int, default=1, help="runs at a time (local processes; several per GPU)")
    trainer.add_argument("--executor", choices=("local", "slurm", "submitit-local"), default="local",
                         help="local processes, or Slurm jobs through submitit (the run cache on a shared filesystem)")
    trainer.add_argument("--partition", default=None, help="Slurm partition")
    trainer.add_argument("--gpus-per-job", type=int, default=None, help="Slurm: GPUs per job")
    trainer.add_argument("--time-limit", type=int, default=60, help="Slurm: minutes per job")
    trainer.add_argument("--account", default=None, help="Slurm account")

    bench = commands.add_parser("bench", help="training steps/s and inference frames/s → results/bench.md")
    bench.add_argument("--profile", action="append", choices=PROFILES, default=None,
                       help="profile size to measure (repeatable; default: all)")
    bench.add_argument("--device", default=None, help="auto, cpu, cuda or cuda:N (default: auto)")
    bench.add_argument("--steps", type=int, default=5, help="timed training steps per measurement")

    student = commands.add_parser("student", help="a release of student copies (solutions → stubs) and an nbgrader course")
    student.add_argument("notebooks", nargs="*", help="notebook numbers (default: all), e.g. 00 02")
    student.add_argument("--release", type=Path, default=None,
                         help="folder of the student copies; checked to hold no solution (default: ./release)")
    student.add_argument("--course", type=Path, default=None,
                         help="also write an nbgrader course here: nbgrader_config.py and source/labNN/ (teacher only)")
    student.add_argument("--solutions", type=Path, default=None,
                         help="also write the teacher's executed notebooks (solutions, answer keys) here (teacher only)")
    student.add_argument("--profile", choices=PROFILES, default="smoke", help="the profile --solutions runs at")
    student.add_argument("--data-root", default=None, help="folder of the dataset --solutions runs on (the class's copy)")

    runs = commands.add_parser("runs", help="hand a notebook's trained runs to a class").add_subparsers(
        dest="action", required=True)
    exporter = runs.add_parser("export", help="write every run a notebook needs (all trained) into one file")
    exporter.add_argument("notebook", help="notebook number, e.g. 02")
    exporter.add_argument("file", type=Path)
    exporter.add_argument("--profile", choices=PROFILES, default="smoke")
    exporter.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE")
    importer = runs.add_parser("import", help="put the runs of an exported file into the run cache")
    importer.add_argument("file", type=Path)
    return parser


def _data_synth(args) -> None:
    from vadcore import paths
    from vadcore.data import SynthPedConfig, generate_synthped

    root = generate_synthped(args.root or paths.data_dir() / "synthped", SynthPedConfig(seed=args.seed))
    print(f"synthped written to {root}")


def _data_pack(args) -> None:
    from vadcore.data import load_dataset
    from vadcore.data import pack as packing

    original = load_dataset(args.name, args.root, size=args.size, cache=False)
    manifest = packing.pack(original, args.out, args.crf or packing.CRF)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"packed {len(manifest['train'])} + {len(manifest['test'])} clips of {args.name} into {args.out} "
          f"({size / 2**20:.1f} MiB)")
    if args.compare:
        from vadcore.baselines.packing import compare

        comparison = compare(original, load_dataset(args.name, args.out, cache=False))
        packing.record_comparison(args.out, comparison)
        print(json.dumps(comparison, indent=1))


def _data_check(args) -> None:
    from vadcore.data import DatasetError, load_dataset
    from vadcore.data.actions import ACTION_DATASETS
    from vadcore.data.check import summarize

    if not args.root.exists():
        raise DatasetError(args.root, "folder not found")
    if args.name in ACTION_DATASETS:
        from vadcore.data.actions import load_action_set
        from vadcore.data.check import summarize_actions

        print(summarize_actions(load_action_set(args.name, args.root, args.lists)))
    else:
        print(summarize(load_dataset(args.name, args.root, cache=False)))


def _reproduce(args) -> int:
    from vadcore.reproduce import reproduce

    parameters = _parameters(args.parameter)
    if args.device is not None:  # checked with the other parameters before anything runs
        parameters["device"] = args.device
    compare = args.compare or args.compare_with is not None
    folders = reproduce(args.notebooks, args.profile, args.dataset, args.data_root, parameters,
                        fresh=args.fresh, script=args.script, dry_run=args.dry_run, compare=compare,
                        against=args.compare_with or "HEAD", records=args.records)
    for folder in folders:
        print(f"dry run of {folder.name}: passed" if args.dry_run else f"wrote {folder}")
    return _compared(folders) if compare else 0


def _plan(args) -> None:
    if args.slot:
        from vadcore.slot.prepare import PACK, prepared

        print(prepared(args.minutes_left, args.data or PACK, notebooks=args.notebooks or None))
        return
    from vadcore import plan

    planned, complete = plan.plan(args.notebooks, args.profile, _parameters(args.parameter))
    if args.json:
        for run in planned:
            print(json.dumps(run.row()))
    else:
        print(plan.to_markdown(planned, complete))


def _keep_slot(args) -> None:
    from vadcore import paths
    from vadcore.slot.archive import keep

    for line in keep(args.returned, paths.results_dir()):
        print(line)


def _train(args) -> None:
    from vadcore import plan

    if args.jobs < 1:
        raise ValueError("--jobs must be at least 1")
    slurm = {"slurm_partition": args.partition, "gpus_per_node": args.gpus_per_job,
             "timeout_min": args.time_limit, "slurm_account": args.account}
    trained = plan.train(args.notebooks, args.profile, _parameters(args.parameter), args.jobs, args.executor, slurm)
    print(f"vadcore train: trained {len(trained)} run(s); `vadcore reproduce` now renders from the cache")


def _bench(args) -> None:
    from vadcore import bench
    from vadcore.profiles import PROFILES

    profiles = args.profile or list(PROFILES)
    saliency = {profile: bench.saliency_fps(profile) for profile in profiles}
    print(bench.write(bench.run(profiles, args.device, args.steps), saliency=saliency))


def _runs_export(args) -> None:
    from vadcore.share import export_runs

    keys = export_runs(args.notebook, args.profile, args.file, _parameters(args.parameter))
    print(f"wrote {len(keys)} run(s) of notebook {args.notebook} at {args.profile} to {args.file}")


def _runs_import(args) -> None:
    from vadcore import paths
    from vadcore.share import import_runs

    number, profile, keys = import_runs(args.file)
    print(f"imported {len(keys)} run(s) of notebook {number} at {profile} into {paths.runs_dir()}")


def _student(args) -> None:
    from vadcore.teaching import write_release
    from vadcore.teaching.copies import write_solutions
    from vadcore.teaching.grading import write_course

    if args.data_root is not None and args.solutions is None:
        raise ValueError("--data-root is the folder --solutions runs on: give --solutions DIR with it")
    if args.release is None and args.course is None and args.solutions is None:
        args.release = Path("release")
    written = write_release(args.notebooks, args.release) if args.release else []
    written += write_course(args.notebooks, args.course) if args.course else []
    written += write_solutions(args.notebooks, args.solutions, args.profile, args.data_root) if args.solutions else []
    for path in written:
        print(f"wrote {path}")
    if args.release:
        print(f"checked: {args.release} holds no line of the teacher's solutions, hidden tests or answer keys")


# each command's handler: (command, action) → a function of the parsed arguments (an exit status, or None for 0)
HANDLERS = {
    ("data", "synth"): _data_synth,
    ("data", "pack"): _data_pack,
    ("data", "check"): _data_check,
    ("reproduce", None): _reproduce,
    ("plan", None): _plan,
    ("keep-slot", None): _keep_slot,
    ("train", None): _train,
    ("bench", None): _bench,
    ("runs", "export"): _runs_export,
    ("runs", "import"): _runs_import,
    ("student", None): _student,
}


def main(argv: list[str] | None = None) -> int:
    from vadcore.atomic import DiskFull
    from vadcore.data import DatasetError

    args = build_parser().parse_args(argv)
    try:
        return HANDLERS[args.command, getattr(args, "action", None)](args) or 0
    except KeyboardInterrupt as stop:  # Ctrl-C: the stopped run's line (Stopped), never a traceback
        if str(stop):
            print(f"vadcore: {stop}", file=sys.stderr)
        return 130
    except (DatasetError, ValueError, RuntimeError, DiskFull) as error:
        print(f"vadcore: error: {error}", file=sys.stderr)
        return 2


def _compared(folders: list[Path]) -> int:
    """The exit status of ``reproduce --compare``: 1 when a cell of any table moved beyond the
    tolerance, or a notebook had no earlier table to compare with (said in one line after the
    notebooks' own lines), else 0."""
    from vadcore.reproduce import last_comparison

    moved = {folder.name: last_comparison.get(folder.name, []) for folder in folders}
    uncompared = [name for name, moves in moved.items() if moves is None]
    count = sum(len(moves) for moves in moved.values() if moves)
    if count:
        print(f"vadcore reproduce --compare: {count} cell(s) moved beyond the committed spread, in "
              f"{', '.join(name for name, moves in moved.items() if moves)}", file=sys.stderr)
    if uncompared:
        print(f"vadcore reproduce --compare: nothing to compare with for {', '.join(uncompared)}", file=sys.stderr)
    return 1 if count or uncompared else 0


if __name__ == "__main__":
    sys.exit(main())
