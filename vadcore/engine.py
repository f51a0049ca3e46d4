"""The engine: where and how a run executes (every method family).

Two settings decide a run's numbers beyond rounding, so they are part of its config and key
(:class:`vadcore.methods.MethodConfig`):

- ``device``: the *kind* of device, ``"cpu"`` or ``"cuda"``. Which GPU is PyTorch's current one
  (:func:`use` makes a notebook's ``cuda:i`` current), so a run keyed on one GPU is the same run
  on another;
- ``precision``: ``"fp32"`` (float32; on a GPU, matrix products and convolutions in TF32) or
  ``"bf16"`` (forward passes in bfloat16 autocast, losses and optimizer in float32) — on a GPU
  only: a CPU without native bfloat16 (AVX2, most of them) emulates its convolutions about 145×
  slower, so every CPU run is ``fp32`` (:func:`precision_on`: a profile's ``bf16`` becomes
  ``fp32`` there) and a CPU config in ``bf16`` is an error.

Three are *execution* settings, kept out of the key because they change the numbers by rounding
at most; they only act on a GPU:

- ``compile``: the fused element-wise work (the Lucas–Kanade flow term) goes through
  ``torch.compile``;
- ``cuda_graphs``: the training step is captured once as a CUDA graph and replayed
  (:class:`StepRunner`), which removes the launch cost of its ~1,400 small kernels;
- ``deterministic``: deterministic kernels and no cuDNN autotuning (on the CPU runs are
  bit-for-bit repeatable either way; on a GPU it costs speed: ``vadcore bench`` measures how much).

``VADCORE_COMPILE=0`` and ``VADCORE_CUDA_GRAPHS=0`` switch the two speed-ups off for a process
whatever the configs say (the GPU script does so when its self-check finds a difference).

A notebook's ``device`` parameter (``auto`` | ``cpu`` | ``cuda[:i]``) goes through :func:`use`
into its :class:`~vadcore.notebook.Lab`, whose kind the notebook passes to its study, which passes
it to every ``profile_config``: the device travels as an argument, never as a module's state. A
config made without one is for what ``auto`` means here (:func:`default_kind`);
``VADCORE_DEVICE`` sets that (the tests set ``cpu``).
"""
from __future__ import annotations

import sys
from contextlib import nullcontext
from dataclasses import dataclass, field

import torch

from vadcore import environment
from vadcore.seeding import deterministic_kernels

DEVICE_KINDS = ("cpu", "cuda")
PRECISIONS = ("fp32", "bf16")
EXECUTION = {"execution": True}  # dataclass field metadata: an execution setting, not in the run key


def resolve(spec: str | torch.device | None = "auto") -> torch.device:
    """``"auto"`` (``VADCORE_DEVICE`` if set, else the first GPU if there is one, else the CPU),
    ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` → a :class:`torch.device`; a GPU that is not there is an
    error that says so."""
    text = str(spec if spec is not None else "auto").strip().lower()
    if text == "auto":
        text = (environment.get("VADCORE_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")).lower()
    try:
        device = torch.device(text)
    except RuntimeError:
        raise ValueError(f"unknown device {spec!r}; use auto, cpu, cuda or cuda:N") from None
    if device.type not in DEVICE_KINDS:
        raise ValueError(f"device {spec!r}: vadcore runs on {' or '.join(DEVICE_KINDS)}")
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device {spec!r} was asked for, but PyTorch {torch.__version__} sees no GPU here; "
                             "use device='cpu' (or 'auto')")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(f"device {spec!r}: this machine has {torch.cuda.device_count()} GPU(s)")
    return device


def use(spec: str | torch.device | None = "auto") -> torch.device:
    """The device ``spec`` resolves to (:func:`resolve`); a ``cuda:i`` becomes PyTorch's current
    GPU, the one a config's ``"cuda"`` runs on (``vadcore.notebook.start`` calls it)."""
    device = resolve(spec)
    if device.type == "cuda" and device.index is not None:
        torch.cuda.set_device(device)
    return device


def default_kind() -> str:
    """The device kind of a config made without one: what ``auto`` means here."""
    return resolve("auto").type


def placement(spec: str | torch.device | None = "auto") -> torch.device:
    """The device ``spec`` names, without asking that it is here (``vadcore plan``/``train``
    preparing GPU jobs on a login node; a GPU slot's records rendered on a CPU); ``auto``
    resolves."""
    if str(spec).strip().lower() in ("auto", "none"):
        return resolve(spec)
    device = torch.device(str(spec).strip().lower())
    if device.type not in DEVICE_KINDS:
        raise ValueError(f"device {spec!r}: vadcore runs on {' or '.join(DEVICE_KINDS)}")
    return device


def device_of(module: torch.nn.Module) -> torch.device:
    """Where a module's parameters (or buffers) are; the CPU for one with neither."""
    for tensor in (*module.parameters(), *module.buffers()):
        return tensor.device
    return torch.device("cpu")


def check_settings(device: str, precision: str) -> None:
    """A config's ``device`` and ``precision`` are among the known ones, and bfloat16 is on a GPU
    (not checked: that the device is here — a config can be made anywhere, a run only where its
    device is)."""
    if device not in DEVICE_KINDS:
        raise ValueError(f"device {device!r}: a config holds the device kind, one of {DEVICE_KINDS} "
                         "(which GPU is the session's: vadcore.engine.use)")
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of {PRECISIONS}")
    if precision != precision_on(device, precision):
        raise ValueError(f"precision {precision!r} on device {device!r}: bfloat16 runs on a GPU only (a CPU without "
                         "native bfloat16 emulates its convolutions about 145x slower); use precision='fp32' on the CPU")


def precision_on(device: str, precision: str) -> str:
    """The precision a run of ``precision`` (a profile's) has on a device of kind ``device``:
    itself on a GPU, ``fp32`` on the CPU (see the module doc)."""
    return precision if device == "cuda" else "fp32"


def _switched_off(name: str) -> bool:
    return environment.switched_off(name)


@dataclass
class Engine:
    """How one run executes (see the module doc). ``Engine.of(config)`` for a run; the bench
    builds others by hand to compare them."""

    device: torch.device
    precision: str = "fp32"
    compile: bool = False
    cuda_graphs: bool = False
    deterministic: bool = True
    notes: list[str] = field(default_factory=list)  # what fell back to eager, and why

    def __post_init__(self):
        self.device = torch.device(self.device)
        check_settings(self.device.type, self.precision)
        gpu = self.device.type == "cuda"
        self.compile = self.compile and gpu and not _switched_off("VADCORE_COMPILE")
        self.cuda_graphs = self.cuda_graphs and gpu and not _switched_off("VADCORE_CUDA_GRAPHS")

    @classmethod
    def of(cls, config) -> Engine:
        """The engine of a run, configured (:meth:`configure`): its config's device kind (a GPU:
        PyTorch's current one), precision and execution settings."""
        device = resolve(config.device)
        return cls(device, config.precision, config.compile, config.cuda_graphs, config.deterministic).configure()

    def configure(self) -> Engine:
        """Set PyTorch's process-wide switches for this engine: TF32 on a GPU (what ``fp32`` means
        there), deterministic kernels or cuDNN's autotuning."""
        if self.gpu:
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
            torch.backends.cudnn.benchmark = not self.deterministic
            torch.backends.cudnn.deterministic = self.deterministic
        deterministic_kernels(self.deterministic)
        return self

    @property
    def gpu(self) -> bool:
        return self.device.type == "cuda"

    @property
    def memory_format(self) -> torch.memory_format:
        """NHWC on a GPU (tensor cores read it without transposes), NCHW on the CPU."""
        return torch.channels_last if self.gpu else torch.contiguous_format

    @property
    def inference_batch(self) -> int:
        """Windows per batch when scoring; families scale it to their model's size (the dissociation
        model takes a quarter). The batch does not change a score (``tests/test_family.py``, within
        10⁻⁶; bitwise on the smoke models): on the CPU 16 dissociation windows a batch score twice
        as fast as 4. At 256×256 on a CPU (a ``gpu`` profile asked for there) a batch of 64
        prediction windows holds a few GiB of activations."""
        return 64

    def autocast(self):
        """bfloat16 autocast of what runs inside it with ``precision="bf16"``, else nothing."""
        if self.precision != "bf16":
            return nullcontext()
        return torch.autocast(self.device.type, dtype=torch.bfloat16)

    def module(self, module: torch.nn.Module) -> torch.nn.Module:
        """``module`` on the device; on a GPU its 2-D convolutions' weights NHWC
        (:func:`channels_last`)."""
        module = module.to(self.device)
        return channels_last(module) if self.gpu else module

    def adam(self, parameters, **options) -> torch.optim.Adam:
        """Adam whose step can be captured in a CUDA graph when the engine uses them."""
        return torch.optim.Adam(parameters, capturable=self.cuda_graphs, **options)

    def runner(self, update) -> StepRunner:
        return StepRunner(update, self)

    def describe(self) -> dict:
        """The engine as a run records it (``timings.json``)."""
        return {"device": torch.cuda.get_device_name(self.device) if self.gpu else "cpu",
                "precision": self.precision, "compile": self.compile, "cuda_graphs": self.cuda_graphs,
                "deterministic": self.deterministic, "channels_last": self.gpu, "notes": list(self.notes)}


def channels_last(module: torch.nn.Module) -> torch.nn.Module:
    """``module`` with the weights of its 2-D convolutions in NHWC memory order (what tensor cores
    read without transposes); other layers — a 3-D convolution, a linear layer — keep theirs."""
    for layer in module.modules():
        if isinstance(layer, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            layer.to(memory_format=torch.channels_last)
    return module


class StepRunner:
    """Runs a training step's device work, ``update(*tensors) → {name: 0-d tensor}``, once per
    step: eagerly, or — with ``cuda_graphs`` — eagerly for ``warmup`` steps on a side stream,
    then captured as a CUDA graph and replayed with the new inputs copied into the graph's own.
    Each ``phase`` (a value that changes when the step's work changes: a learning-rate decay,
    deep k-means' joint stage) gets its own graph. ``update`` must not synchronise with the host
    (no ``.item()``, no boolean indexing). If a capture fails, the runner notes why and stays
    eager: a speed-up, never a different result.
    """

    def __init__(self, update, engine: Engine, warmup: int = 3):
        self.update, self.engine, self.warmup = update, engine, warmup
        self.enabled = engine.cuda_graphs
        self.phase = None
        self.calls = 0
        self.graph = None
        self.inputs: list[torch.Tensor] = []
        self.outputs: dict[str, torch.Tensor] = {}

    def __call__(self, phase, *tensors: torch.Tensor) -> dict[str, torch.Tensor]:
        if not self.enabled:
            return self.update(*tensors)
        phase = (phase, tuple((t.shape, t.dtype) for t in tensors))  # other inputs' shapes: another graph
        if phase != self.phase:
            self.release()
            self.phase = phase
        if self.graph is None and self.calls < self.warmup:
            self.calls += 1
            return self._side_stream(tensors)
        if self.graph is None and not self._capture(tensors):
            return self.update(*tensors)
        for static, new in zip(self.inputs, tensors):
            static.copy_(new)
        self.graph.replay()
        return {name: value.clone() for name, value in self.outputs.items()}

    def release(self) -> None:
        """Free the current graph and its memory pool (a phase that will not come back)."""
        self.phase, self.calls, self.graph, self.inputs, self.outputs = None, 0, None, [], {}

    def _side_stream(self, tensors) -> dict[str, torch.Tensor]:
        stream = torch.cuda.Stream(self.engine.device)
        stream.wait_stream(torch.cuda.current_stream(self.engine.device))
        with torch.cuda.stream(stream):
            outputs = self.update(*tensors)
        torch.cuda.current_stream(self.engine.device).wait_stream(stream)
        return outputs

    def _capture(self, tensors) -> bool:
        self.inputs = [t.clone() for t in tensors]
        graph = torch.cuda.CUDAGraph()
        stream = torch.cuda.current_stream(self.engine.device)
        try:
            with torch.cuda.graph(graph):
                self.outputs = self.update(*self.inputs)
        except Exception as error:  # noqa: BLE001 — any failure to capture means: stay eager
            torch.cuda.set_stream(stream)  # an invalidated capture can leave its stream current
            torch.cuda.synchronize(self.engine.device)
            self.enabled = False
            self.inputs, self.outputs = [], {}
            note = f"CUDA graph capture failed ({type(error).__name__}: {error}); the step runs eagerly"
            self.engine.notes.append(note)
            print(f"vadcore engine: {note}", file=sys.stderr)
            return False
        self.graph = graph
        return True
