"""Spatio-temporal dissociation with deep k-means (Chang et al., "Video anomaly detection with
spatio-temporal dissociation", Pattern Recognition 122, 2022; notebook 04). Where is it trained?
Here: :func:`train`.

Every window of ``frames`` frames gives one prediction of its **last** frame: the spatial
autoencoder's reconstruction of the first frame plus the motion autoencoder's predicted
difference. Its score therefore belongs to the window's last frame, and the first ``frames − 1``
frames of a clip have none (:func:`scored_frames`; the spatial autoencoder alone reconstructs the
first frame, so its score belongs to that one) — the authors' released
code is known to shift its labels by one frame; here the alignment is explicit and tested. The
scores of a window: the prediction's ``psnr`` and mean squared ``error``, the mean distance of
its codes to their nearest cluster centre (``cluster``), and the authors' ``fused`` score — the
pixel-wise product of the squared error map and the upsampled cluster-distance map, averaged.
"""
from __future__ import annotations

import numpy as np
import torch
from sklearn.cluster import KMeans
from torch.nn import functional as F

from vadcore.data.clips import ClipDataset, FrameBank, frames_to_tensor
from vadcore.data.pseudo import detection_auc, pseudo_anomalies
from vadcore.data.splits import validation_split
from vadcore.data.video import Video
from vadcore.engine import Engine, device_of
from vadcore.losses import gradient_loss
from vadcore.methods.base import Trained
from vadcore.methods.dissociation.config import BRANCHES, Config
from vadcore.methods.dissociation.profiles import PROFILES, profile_config
from vadcore.methods.evaluation import frame_evaluation
from vadcore.methods.family import eager_step, register, test_split as test_data, train_split as training_data
from vadcore.methods.loop import Session, fit
from vadcore.models.dissociation import DissociationAE

__all__ = ["BRANCHES", "CHANNELS", "Config", "INPUTS", "PROFILES", "PROFILE_KEYS", "bare_step", "build", "evaluate", "first_scored", "headline", "losses", "outputs",
           "profile_config", "score", "scored_frames", "test_data", "train", "training_data"]
INPUTS, CHANNELS, PROFILE_KEYS = "frames", 3, ()  # colour frames; one setting per profile


def build(config: Config, channels: int = CHANNELS) -> DissociationAE:
    """The two autoencoders and the cluster centres, untrained."""
    return DissociationAE(channels, config.frames, config.width, config.stages, config.attention, config.clusters)


def scored_frames(config: Config, n_frames: int) -> np.ndarray:
    """The frame each score of a clip of ``n_frames`` frames belongs to: window ``j`` covers
    frames ``j … j + frames − 1`` and scores the frame it predicts — its last one, or, for the
    spatial autoencoder alone (``branches="spatial"``), its first, which that branch reconstructs."""
    windows = np.arange(n_frames - config.frames + 1)
    return windows if config.branches == "spatial" else windows + config.frames - 1


def first_scored(config: Config) -> int:
    """Frames at the start of every clip without a score: all but the last of the first window
    (none for the spatial autoencoder alone, whose scores end ``frames − 1`` frames early)."""
    return int(scored_frames(config, config.frames)[0])


def headline(config: Config) -> str:
    """The fused score with deep k-means, else the prediction error."""
    return "fused" if config.kmeans else "error"


evaluate = frame_evaluation(scored_frames, headline, ("psnr",))


def _prediction(config: Config, clip: torch.Tensor, reconstruction, difference) -> tuple[torch.Tensor, torch.Tensor]:
    """``(what the branches predict, its target)`` for windows ``(B, T, C, H, W)`` in [−1, 1]:
    the LIF from both branches, the FIF from the spatial one, the LIF from the true FIF and the
    motion branch."""
    first, last = clip[:, 0], clip[:, -1]
    if config.branches == "spatial":
        return reconstruction, first
    if config.branches == "motion":
        return first + difference, last
    return reconstruction + difference, last


def losses(config: Config, model: DissociationAE, clip: torch.Tensor, joint: bool) -> dict[str, torch.Tensor]:
    """The paper's training objective: L2 on the FIF reconstruction, L2 and gradient loss on the
    motion prediction (FIF + predicted difference against the LIF), and in the joint stage the
    compactness of the codes (their distance to the nearest centre)."""
    reconstruction, difference, spatial_code, motion_code = model(clip)
    first, last = clip[:, 0], clip[:, -1]
    terms = {}
    if config.branches in ("both", "spatial"):
        terms["spatial"] = F.mse_loss(reconstruction, first)
    if config.branches in ("both", "motion"):
        motion = first + difference
        terms["motion"] = F.mse_loss(motion, last) + config.gradient * gradient_loss(motion, last)
    if joint:
        terms["compactness"] = config.cluster * model.kmeans.nearest(model.codes(spatial_code, motion_code)).mean()
    return terms


@torch.no_grad()
def initialise_centres(config: Config, model: DissociationAE, windows: ClipDataset, bank: FrameBank | None = None,
                       engine: Engine | None = None) -> None:
    """Deep k-means' start: scikit-learn's KMeans on the per-position codes of
    ``config.kmeans_windows`` training windows (drawn with the run's seed; gathered from ``bank``,
    the windows' frames on the model's device)."""
    engine = engine or Engine(device_of(model))
    bank = bank or FrameBank(windows.videos, engine.device)
    model.eval()
    indices = torch.randint(len(windows), (config.kmeans_windows,), generator=torch.Generator().manual_seed(config.seed))
    codes = []
    for batch in indices.split(32):
        picked = windows.table[batch]
        clip = bank.windows(bank.rows(picked[:, 0], picked[:, 1], config.frames, picked[:, 2]))
        with engine.autocast():
            _, _, spatial_code, motion_code = model(clip)
        codes.append(model.codes(spatial_code, motion_code).float().permute(0, 2, 3, 1).flatten(0, 2))
    codes = torch.cat(codes).cpu().numpy()
    kmeans = KMeans(n_clusters=config.clusters, n_init=1, random_state=config.seed).fit(codes)
    model.kmeans.centres.copy_(torch.from_numpy(kmeans.cluster_centers_).float())
    model.train()


def outputs(config: Config, model: DissociationAE, video: Video, batch_size: int | None = None,
            window: int | None = None) -> dict[str, np.ndarray]:
    """Per window of a clip (window ``j`` scores frame ``j + frames − 1``): the scores of the
    module doc, and the maps figures show — ``reconstruction``, ``difference``, ``error_map`` and
    ``cluster_map`` ``(n, H, W)``; with ``window``, of that window only (``n = 1``)."""
    return {name: value.cpu().numpy()
            for name, value in _outputs(config, model, video, batch_size, maps=True, window=window).items()}


@torch.inference_mode()
def _outputs(config: Config, model: DissociationAE, video: Video, batch_size: int | None = None, maps: bool = False,
             engine: Engine | None = None, window: int | None = None, stride: int = 1) -> dict[str, torch.Tensor]:
    """:func:`outputs` as tensors on the model's device (the maps only with ``maps``), computed
    there from the clip's frames copied once, in the engine's precision; with ``stride``, of every
    ``stride``-th window only (windows 0, ``stride``, …)."""
    engine = engine or Engine(device_of(model))
    clip = frames_to_tensor(video.frames, device=engine.device)
    if len(clip) < config.frames:
        raise ValueError(f"clip {video.name} has {len(clip)} frames; a window needs {config.frames}")
    windows = clip.unfold(0, config.frames, 1).movedim(-1, 1)  # (n, T, C, H, W)
    if window is not None:
        if not 0 <= window < len(windows):
            raise ValueError(f"clip {video.name} has windows 0–{len(windows) - 1}, not {window}")
        windows = windows[window : window + 1]
    windows = windows[::stride]
    batch_size = batch_size or engine.inference_batch // 4
    parts: dict[str, list] = {}
    for start in range(0, len(windows), batch_size):
        batch = windows[start : start + batch_size]
        with engine.autocast():
            reconstruction, difference, spatial_code, motion_code = model(batch)
            nearest = model.kmeans.nearest(model.codes(spatial_code, motion_code)).float() if config.kmeans else None
        reconstruction, difference = reconstruction.float(), difference.float()
        prediction, target = _prediction(config, batch, reconstruction, difference)
        error = ((prediction - target) / 2).pow(2).mean(1)  # [0, 1] units, (b, H, W)
        parts.setdefault("error_map", []).append(error)
        if maps:
            parts.setdefault("reconstruction", []).append(reconstruction.mean(1))
            parts.setdefault("difference", []).append(difference.mean(1))
        if config.kmeans:
            parts.setdefault("cluster_map", []).append(F.interpolate(nearest, size=error.shape[-2:], mode="nearest")[:, 0])
    result = {name: torch.cat(values) for name, values in parts.items()}
    result["error"] = result["error_map"].mean((1, 2)).double()
    result["psnr"] = 10 * torch.log10(1 / result["error"].clamp_min(1e-10))
    if config.kmeans:
        result["cluster"] = result["cluster_map"].mean((1, 2)).double()
        result["fused"] = (result["error_map"] * result["cluster_map"]).mean((1, 2)).double()
    if not maps:
        result = {name: value for name, value in result.items() if name not in ("error_map", "cluster_map")}
    return result


def train(config: Config, videos: list[Video], run=None) -> Trained:
    """Pretrain both autoencoders, initialise the centres, then train everything jointly (see
    :class:`Config`); ``config.validation_clips`` held-out clips give ``val_psnr`` every
    ``config.validate_every`` iterations and, with two or more, ``val_pseudo_auc``: the detection
    AUC (:func:`~vadcore.data.pseudo.detection_auc`) of the headline score on every 4th window of
    pseudo-anomalies made from them. Returns the model after the last iteration. Windows are
    drawn on the host and gathered from the clips' frames on the config's device."""

    def prepare(engine: Engine, sampler: torch.Generator) -> Session:
        train_clips, held_out = validation_split(videos, config.validation_clips)
        windows = ClipDataset(train_clips, config.frames)
        bank = FrameBank(train_clips, engine.device)
        model = engine.module(build(config, 1 if train_clips[0].frames.ndim == 3 else 3))
        optimizer = engine.adam(model.parameters(), lr=config.lr)

        def update(batch: torch.Tensor, joint: bool) -> dict[str, torch.Tensor]:
            with engine.autocast():
                terms = losses(config, model, batch, joint)
            optimizer.zero_grad(set_to_none=True)
            sum(terms.values()).backward()
            optimizer.step()
            return {name: value.detach() for name, value in terms.items()}

        runners = {joint: engine.runner(lambda batch, joint=joint: update(batch, joint)) for joint in (False, True)}

        def step(i: int) -> dict[str, torch.Tensor]:
            joint = config.kmeans and i >= config.pretrain
            if config.kmeans and i == config.pretrain:
                runners[False].release()  # the pretraining graph is not replayed again
                initialise_centres(config, model, windows, bank, engine)
            clips, starts, strides = windows.draw(config.batch_size, sampler)
            return runners[joint](joint, bank.windows(bank.rows(clips, starts, config.frames, strides)))

        pseudo = pseudo_anomalies(held_out, config.seed)[0] if len(held_out) > 1 else []

        def validate() -> dict[str, float]:
            psnr = torch.cat([_outputs(config, model, v, engine=engine, stride=4)["psnr"] for v in held_out])
            values = {"psnr": psnr.mean().item()}
            if pseudo:
                scores = [_outputs(config, model, v, engine=engine, stride=4)[headline(config)].cpu().numpy() for v in pseudo]
                labels = [np.asarray(v.labels)[scored_frames(config, v.n_frames)][::4] for v in pseudo]
                values["pseudo_auc"] = detection_auc(scores, labels)
            return values

        return Session(model, step, {"model": model, "optimizer": optimizer}, validate if held_out else None)

    return fit(config, run, prepare)


def score(config: Config, model: DissociationAE, videos: list[Video]) -> dict[str, list[np.ndarray]]:
    """Per-clip scores of frames ``frames`` … T (see the module doc), computed on the config's
    device and brought to the host once, at the end."""
    engine = Engine.of(config)
    model = model.to(engine.device)
    names = ("psnr", "error", "cluster", "fused") if config.kmeans else ("psnr", "error")
    per_video = [_outputs(config, model, v, engine=engine) for v in videos]
    return {name: [s[name].cpu().numpy() for s in per_video] for name in names}


def bare_step(config: Config, engine: Engine):
    """One eager update of the joint stage's losses on a random clip."""
    model = engine.module(build(config)).train()
    clip = torch.rand(config.batch_size, config.frames, CHANNELS, *config.size, device=engine.device) * 2 - 1

    def loss():
        with engine.autocast():
            return sum(losses(config, model, clip, joint=True).values())

    return eager_step(model, loss)


register(__name__)
