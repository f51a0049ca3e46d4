"""Frame prediction: AnoPred (Liu et al., "Future frame prediction for anomaly detection — a new
baseline", CVPR 2018) and the variants built on it — the attention-driven loss (ADL, notebook 02)
and saliency-masked training and scoring (SEUNet, notebook 03). Where is AnoPred trained? Here:
:func:`train` runs :class:`~vadcore.methods.prediction.trainer.Trainer`'s step in the shared loop.

A test frame's score is the PSNR of its prediction (ADL Eqs. 14–15, on [0, 1] with peak 1 as in
AnoPred's code); with a SEUNet mask, also the masked PSNR (SEUNet Eqs. 9–10). The first t frames
of every clip have no prediction and no score (:func:`first_scored`).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import torch

from vadcore.data.clips import frames_to_tensor
from vadcore.data.pseudo import detection_auc, pseudo_anomalies
from vadcore.data.splits import validation_split
from vadcore.data.video import Video
from vadcore.engine import Engine, device_of
from vadcore.maps.attention import attention_map
from vadcore.maps.foreground import foreground_masks
from vadcore.maps.saliency import training_mask
from vadcore.methods.base import Trained
from vadcore.methods.evaluation import frame_evaluation
from vadcore.methods.family import register, test_split as test_data, train_split as training_data
from vadcore.methods.loop import Session, fit
from vadcore.methods.prediction.config import Config
from vadcore.methods.prediction.profiles import PROFILES, profile_config
from vadcore.methods.prediction.trainer import Predictor, Trainer, Windows, apply_mask, build_predictor
from vadcore.quality import psnr, region_psnr

__all__ = ["CHANNELS", "Config", "INPUTS", "PROFILES", "PROFILE_KEYS", "Predictor", "Trainer", "bare_step", "build", "evaluate", "first_scored", "headline", "loss_maps",
           "predict_video", "profile_config", "pseudo_auc", "score", "scored_frames", "test_data", "train", "training_data",
           "validation_scores"]
INPUTS, CHANNELS, PROFILE_KEYS = "frames", 1, ()  # grey frames; one setting per profile


def build(config: Config, channels: int = CHANNELS) -> Predictor:
    """The generator G (AnoPred's U-Net) with its frame mask, untrained."""
    return build_predictor(config, channels)


def first_scored(config: Config) -> int:
    """Frames at the start of every clip that get no score: the t input frames."""
    return config.frames


def scored_frames(config: Config, n_frames: int) -> np.ndarray:
    """The frames of a clip of ``n_frames`` frames that its scores belong to, in order."""
    return np.arange(first_scored(config), n_frames)


def headline(config: Config) -> str:
    """The PSNR of the prediction; with a SEUNet mask, the masked PSNR (SEUNet Eqs. 9–10)."""
    return "psnr_masked" if config.mask is not None else "psnr"


evaluate = frame_evaluation(scored_frames, headline, ("psnr", "psnr_masked", "psnr_foreground", "psnr_background"))


def loss_maps(config: Config, videos: list[Video]) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """``(loss weight, frame mask)`` maps ``(H, W)`` of a run, computed from its training clips:
    ADL's attention map as the weight, or SEUNet's mask as both (the weight only with
    ``mask_loss``)."""
    if config.attention is not None:
        values = attention_map(config.attention, videos, config.dataset, config.size,
                                                      config.background)
        return torch.from_numpy(values).float(), None
    if config.mask is not None:
        mask = torch.from_numpy(training_mask(config.mask, videos)).float()
        return (mask if config.mask_loss else None), mask
    return None, None


@torch.inference_mode()
def predict_video(model: torch.nn.Module, video: Video, frames: int = 4, batch_size: int | None = None,
                  step: int = 1, engine: Engine | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Predictions of frames t+1 … T of a clip (every ``step``-th) and those frames, both
    ``(n, C, H, W)`` in [−1, 1] on the model's device, computed in batches of windows (no
    per-frame loop) from the clip's frames copied there once, in the engine's precision. A
    :class:`Predictor` with a SEUNet mask sees masked inputs and is compared with masked frames
    (SEUNet Eq. 3)."""
    device = device_of(model)
    engine = engine or Engine(device)
    clip = apply_mask(frames_to_tensor(video.frames, device=device), getattr(model, "mask", None))
    if len(clip) <= frames:
        raise ValueError(f"clip {video.name} has {len(clip)} frames; prediction needs more than {frames}")
    windows = clip.unfold(0, frames, 1).movedim(-1, 1)[:-1][::step]  # (n, t, C, H, W)
    batch_size = batch_size or engine.inference_batch
    with engine.autocast():
        predictions = torch.cat([model(windows[i : i + batch_size]).float() for i in range(0, len(windows), batch_size)])
    return predictions, clip[frames:][::step]


def _psnr_scores(model: torch.nn.Module, video: Video, frames: int, step: int = 1, regions: bool = False,
                 engine: Engine | None = None) -> dict[str, torch.Tensor]:
    """PSNR of the predictions (and masked PSNR, SEUNet Eqs. 9–10; PSNR over the foreground and the
    background with ``regions``) of frames t+1 … T of a clip, as tensors on the model's device."""
    predictions, targets = predict_video(model, video, frames, step=step, engine=engine)
    predictions, targets = (predictions + 1) / 2, (targets + 1) / 2  # [0, 1]
    scores = {"psnr": psnr(predictions, targets)}
    mask = getattr(model, "mask", None)
    if mask is not None:
        scores["psnr_masked"] = psnr(predictions, targets, mask=mask)
    if regions:
        region = torch.from_numpy(np.array(foreground_masks(video)[frames:], bool)).unsqueeze(1).to(targets.device)
        scores["psnr_foreground"] = region_psnr(predictions, targets, region)
        scores["psnr_background"] = region_psnr(predictions, targets, ~region)
    return scores


def validation_scores(model: torch.nn.Module, videos: list[Video], frames: int,
                      engine: Engine | None = None) -> dict[str, float]:
    """The mean PSNR (and masked PSNR) of every 4th predicted frame of ``videos``: what a run's
    ``val_*`` curves record on its held-out training clips."""
    values = [_psnr_scores(model, v, frames, step=4, engine=engine) for v in videos]
    return {name: torch.cat([s[name] for s in values]).mean().item() for name in values[0]}


def pseudo_auc(config: Config, model: torch.nn.Module, clips: list[Video], engine: Engine | None = None) -> float:
    """The micro AUC (:func:`~vadcore.data.pseudo.detection_auc`) of the headline score on every
    4th predicted frame of pseudo-anomalous clips (:mod:`vadcore.data.pseudo`, made from held-out
    training clips): how well the model detects anomalies whose frames are known by construction,
    with no test label read."""
    scores, labels = [], []
    for video in clips:
        anomaly = -_psnr_scores(model, video, config.frames, step=4, engine=engine)[headline(config)].double().cpu().numpy()
        scores.append(anomaly)
        labels.append(np.asarray(video.labels)[config.frames:][::4][: len(anomaly)])
    return detection_auc(scores, labels)


def train(config: Config, videos: list[Video], run=None) -> Trained:
    """Train G (and D) on normal clips, holding out ``config.validation_clips`` of them to measure
    the prediction PSNR of unseen normal frames every ``config.validate_every`` iterations, and
    (with two held-out clips or more) the detection AUC of pseudo-anomalies made from them
    (``val_pseudo_auc``, :func:`pseudo_auc`).
    Returns G after the last iteration, the curves (each loss term, the foreground/background MSE
    of the training predictions — ADL Fig. 9 — and ``val_psnr``) and the training seconds."""

    def prepare(engine: Engine, sampler: torch.Generator) -> Session:
        train_clips, held_out = validation_split(videos, config.validation_clips)
        windows = Windows(train_clips, config.frames, engine.device)
        weight, mask = loss_maps(config, train_clips)
        trainer = Trainer(config, 1 if train_clips[0].frames.ndim == 3 else 3, weight, mask, engine=engine)
        pseudo = pseudo_anomalies(held_out, config.seed)[0] if len(held_out) > 1 else []

        def validate() -> dict[str, float]:
            values = validation_scores(trainer.model, held_out, config.frames, engine)
            return {**values, "pseudo_auc": pseudo_auc(config, trainer.model, pseudo, engine)} if pseudo else values

        return Session(trainer.model, lambda i: trainer.train_step(i, *windows.sample(config.batch_size, sampler)),
                       trainer.stateful, validate if held_out else None)

    return fit(config, run, prepare)


def score(config: Config, model: torch.nn.Module, videos: list[Video]) -> dict[str, list[np.ndarray]]:
    """Per-clip scores of frames t+1 … T: ``psnr`` (and ``psnr_masked`` with a SEUNet mask), and
    the PSNR over the moving foreground and the background (ADL Fig. 7), computed on the config's
    device and brought to the host once, at the end."""
    engine = Engine.of(config)
    model = model.to(engine.device)
    per_video = [_psnr_scores(model, v, config.frames, regions=True, engine=engine) for v in videos]
    return {name: [s[name].double().cpu().numpy() for s in per_video] for name in per_video[0]}


def bare_step(config: Config, engine: Engine):
    """One eager update of G (and D) on random clips: :meth:`Trainer.update` without CUDA graphs
    or compilation."""
    plain = dataclasses.replace(engine, cuda_graphs=False, compile=False)
    trainer = Trainer(config, CHANNELS, torch.ones(*config.size), engine=plain)
    clips = torch.rand(config.batch_size, config.frames + 1, CHANNELS, *config.size, device=engine.device) * 2 - 1
    region = torch.zeros(config.batch_size, 1, *config.size, dtype=torch.bool, device=engine.device)
    return lambda: trainer.update(clips, region)


register(__name__)
