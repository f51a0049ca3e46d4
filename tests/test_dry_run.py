"""A GPU slot is never lost to a shape, device or missing-parameter error: every notebook runs at
the `gpu` profile, and every family's `full` configs train and score, with the frame size, the
widths, the schedule and the clips' length shrunk, in float32 (a CPU never runs bfloat16) —
depth, losses and variants are the profiles' own."""
import dataclasses

import pytest
import torch

from vadcore import plan, reproduce
from vadcore.data import SynthPedConfig, load_dataset
from vadcore.methods import cached_run, dissociation, fewshot, prediction, reconstruction
from vadcore.methods.base import shrunk
from vadcore.models.resnet import ResNet
from vadcore.notebook import dry_run_actions, start
from vadcore.profiles import DRY_RUN, default_seeds



def test_a_dry_run_keeps_two_of_the_profiles_seeds(monkeypatch, tmp_path):
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "results"))
    assert default_seeds("gpu") == [0, 1, 2] and default_seeds("smoke") == [0]
    monkeypatch.setenv("VADCORE_DRY_RUN", "1")
    assert default_seeds("gpu") == [0, 1] and default_seeds("smoke") == [0]  # two: every table keeps its spread
    assert start("gpu", device="cpu", notebook="01").seeds == [0, 1]
    assert start("gpu", device="cpu", notebook="01", seeds=[2, 0, 1]).seeds == [2, 0, 1]  # seeds given are kept
    assert plan.open_notebook("01", "gpu", {"device": "cpu"}).lab.seeds == [0, 1]  # what `vadcore plan` lists


def test_a_dry_run_shrinks_only_size_schedule_and_test_length():
    values = shrunk(prediction.Config, dataclasses.asdict(prediction.profile_config("full", "ucsd_ped2")))
    assert (values["size"], values["iterations"], values["decay_at"]) == ((32, 32), 2, 1)
    assert (values["width"], values["discriminator"], values["depth"]) == (8, (8, 16, 32, 32), 4)
    assert values["precision"] == "fp32"  # made on the CPU
    assert shrunk(prediction.Config, {"discriminator": (4, 64)})["discriminator"] == (4, 16)  # its own length
    assert shrunk(prediction.Config, {"discriminator": (64,) * 5})["discriminator"] == (8, 16, 32, 32, 32)
    assert shrunk(prediction.Config, {"width": 4, "discriminator": (4, 8, 64, 16)})["discriminator"] == (4, 8, 32, 16)
    assert shrunk(prediction.Config, {"width": 4})["width"] == 4  # already tiny: kept
    joint = shrunk(dissociation.Config, dataclasses.asdict(dissociation.profile_config("gpu", "ucsd_ped2")))
    assert (joint["iterations"], joint["pretrain"], joint["validate_every"], joint["clusters"]) == (2, 1, 2, 8)
    assert joint["width"] == 8
    few = shrunk(fewshot.Config, {"size": (224, 224), "crop": 128, "test_episodes": 10_000, "tasks_per_batch": 16})
    assert (few["size"], few["crop"], few["test_episodes"], few["tasks_per_batch"]) == ((32, 32), 18, 4, 1)
    assert (few["width"], few["out_dim"], few["depth"]) == (4, 32, 50)
    assert shrunk(fewshot.Config, {"width": 64, "weights": "resnet50.pth"})["width"] == 64  # the weights' width
    assert shrunk(reconstruction.Config, {"width": 1.0})["width"] == 0.25
    assert shrunk(prediction.Config, {"size": (240, 360)})["size"] == (16, 32)  # the aspect, in multiples of 16


# synthactions first: the Ped2 dry run previews the session's synthped (notebook 00), which nbval's
# notebook 02 makes on the other worker meanwhile (the full configs make a small copy of their own)
BY_DATASET = {"synthactions": ("05",), "ped2": ("00", "01", "02", "03", "04", "06")}


def test_every_notebook_has_a_dry_run():
    assert sorted(n for numbers in BY_DATASET.values() for n in numbers) == sorted(reproduce.list_notebooks())


def test_notebook_05_at_full_stops_first_without_imagenet_weights(monkeypatch):
    with pytest.raises(RuntimeError, match="backbone_weights"):
        reproduce.reproduce(["05"], "full", script=True, dry_run=True)
    with pytest.raises(ValueError, match="no such file"):
        fewshot.profile_inputs("full", "/nowhere/resnet50.pth")


def test_every_familys_full_configs_train_and_score_dry(tmp_path, monkeypatch):
    monkeypatch.setenv("VADCORE_DRY_RUN", "1")
    small = SynthPedConfig(seed=1, height=64, width=96, n_train=4, n_test=2, train_frames=DRY_RUN["train_frames"],
                           test_frames=DRY_RUN["test_frames"] + 16)
    configs = [prediction.profile_config("full", "synthped", attention=a) for a in (None, "learned", "human")]
    configs += [prediction.profile_config("full", "synthped", mask="sgsp"),
                reconstruction.profile_config("full", "synthped", model="convlstm_ae"),
                reconstruction.profile_config("full", "synthped", model="conv_ae", attention="learned"),
                dissociation.profile_config("full", "synthped")]
    for config in configs:
        assert config.size == (32, 32) and config.iterations == 2
        data = load_dataset("synthped", tmp_path / "synthped", synth=small, size=config.size,
                            gray=config.family != "dissociation")
        result = cached_run(config, data.excerpt(DRY_RUN["train_frames"], DRY_RUN["test_frames"]))
        assert 0 <= result.metrics["micro_auc"] <= 1, config
    # few-shot at full: ResNet-50 from a torchvision-format weights file, on synthactions
    weights = tmp_path / "resnet50.pth"
    torch.save(ResNet(50, 64).state_dict(), weights)
    config = fewshot.profile_config("full", "synthactions", **fewshot.profile_inputs("full", str(weights)))
    assert (config.depth, config.size, config.crop) == (50, (32, 32), 18)
    from vadcore.data.actions import load_action_set
    from vadcore.data.synthactions import SynthActionsConfig

    actions = load_action_set("synthactions", synth=SynthActionsConfig(size=32, clips_per_class=DRY_RUN["clips_per_class"],
                                                                       anomalous_clips_per_class=DRY_RUN["clips_per_class"]))
    tested = dry_run_actions(actions)  # as a notebook's dry run has it: the splits only tested on, one episode's classes
    assert {s: len(c) for s, c in tested.splits.items()} == {"train": len(actions.splits["train"]), "val": 40, "test": 40,
                                                             "anomalous": 40}  # 5 classes of 8 clips
    result = cached_run(config, tested)
    assert 0 <= result.metrics["accuracy"] <= 100


@pytest.fixture
def scripts_in_this_process(monkeypatch):
    """``reproduce --script`` with each notebook run as a script in this process
    (:func:`vadcore.script.run`, one after another, as the student copies run; no ``run.log``)
    instead of a child: six starts of PyTorch fewer. The synthactions dry run keeps the child
    process a GPU slot starts (``vadcore reproduce --dry-run --script``). Returns what each
    notebook wrote, by number; the working folder comes back afterwards (the hash seed and
    PyTorch's deterministic mode: ``seeding_as_found`` in ``tests/conftest.py``)."""
    import matplotlib.pyplot as plt

    from vadcore import script

    written = {}

    def run_here(path, folder, params, data_root):
        monkeypatch.chdir(path.parent)  # script.run moves there; the test's folder comes back at teardown
        try:
            script.run(path, params)
        finally:
            plt.close("all")
        written[path.stem[:2]] = sorted(f.name for f in folder.iterdir())

    monkeypatch.setattr(reproduce, "_run_script", run_here)
    return written


@pytest.mark.parametrize("numbers", list(BY_DATASET.values()), ids=list(BY_DATASET))
def test_every_notebook_runs_dry_at_the_gpu_profile(numbers, request):
    """One dry run per dataset, so the notebooks share one run cache as they do at any profile: 03
    reads 02's runs, 06 those of 01–04. Ped2 in its own layout, three training and two test clips
    of it (every clip is read the same way), the notebooks in this process; the synthped that
    notebook 00 previews at any profile is made once for the whole session, in its data folder.
    Notebook 05, on synthactions, in a child process of its own, as a GPU slot runs it."""
    in_this_process = numbers != ("05",)
    root = request.getfixturevalue("ped2_part") if in_this_process else None
    written = request.getfixturevalue("scripts_in_this_process") if in_this_process else None
    folders = reproduce.reproduce(list(numbers), "gpu", data_root=root, script=True, dry_run=True)
    assert [f.name[:2] for f in folders] == list(numbers)
    if in_this_process:  # every notebook ran to its end and wrote its provenance and tables
        assert list(written) == list(numbers)
        assert all("provenance.json" in names and any(n.endswith(".csv") for n in names)
                   for names in written.values()), written
    assert not any(folder.exists() for folder in folders)  # a dry run leaves no results behind
