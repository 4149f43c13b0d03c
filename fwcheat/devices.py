"""Device names the user types (how each framework spells them is in :mod:`fwcheat.frameworks`).

``--device`` takes ``cpu``, ``cuda``, ``cuda:N``, ``gpu``, ``gpu:N`` or
``auto``. Parsing happens here, in fwcheat's process; whether the device
exists is decided inside each kernel (its interpreter may see other GPUs than
ours), by ``_fwcheat_kernel.bind``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

DEVICE_CHOICES_HELP = "cpu, cuda, cuda:N, gpu:N or auto (GPU when there is one)"

_PATTERN = re.compile(r"^(?P<kind>cpu|cuda|gpu|auto)(?::(?P<index>\d+))?$")


class DeviceSpecError(ValueError):
    """The device name cannot be understood."""


@dataclass(frozen=True)
class DeviceRequest:
    """A device as asked for: ``kind`` is cpu, gpu or auto."""

    kind: Literal["cpu", "gpu", "auto"]
    index: int = 0

    @property
    def wants_gpu(self) -> bool:
        return self.kind == "gpu"

    def __str__(self) -> str:
        return {"cpu": "cpu", "gpu": f"cuda:{self.index}", "auto": "auto"}[self.kind]


def parse_device(text: str) -> DeviceRequest:
    """Parse a ``--device`` value; raise :class:`DeviceSpecError` with the choices."""
    match = _PATTERN.match(text.strip().lower())
    if match is None:
        raise DeviceSpecError(f"unknown device {text!r}: use {DEVICE_CHOICES_HELP}")
    kind, index = match["kind"], match["index"]
    if kind in ("cpu", "auto"):
        if index is not None:
            raise DeviceSpecError(f"{kind!r} takes no index: use {DEVICE_CHOICES_HELP}")
        return DeviceRequest("cpu" if kind == "cpu" else "auto")
    return DeviceRequest("gpu", int(index or 0))


def host_gpu_count(proc: str = "/proc/driver/nvidia/gpus", dev: str = "/dev") -> int | None:
    """GPUs this machine shows, without importing a framework; None when it cannot tell.

    Read from the NVIDIA driver's files (Linux), narrowed by ``CUDA_VISIBLE_DEVICES``
    as the kernels will be. Used to refuse a GPU run up front instead of starting
    kernels that can only fail; the kernels still have the last word on a GPU.
    """
    import os
    import sys

    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return 0
    if os.path.isdir(proc):
        count = len(os.listdir(proc))
    elif sys.platform == "darwin":
        return 0  # no CUDA on macOS
    elif sys.platform.startswith("linux") and os.path.isdir(dev):
        count = sum(1 for name in os.listdir(dev) if re.fullmatch(r"nvidia\d+", name))
    else:
        return None
    if visible is not None:
        count = min(count, len([part for part in visible.split(",") if part.strip()]))
    return count


def unavailable_reason(device: DeviceRequest, gpus: int | None) -> str | None:
    """Why ``device`` cannot be used on a machine with ``gpus`` GPUs (None: it can, or unknown)."""
    if device.kind != "gpu" or gpus is None:
        return None
    if gpus == 0:
        return f"{device} asked for, but this machine has no GPU that CUDA can see; use --device cpu"
    if device.index >= gpus:
        have = f"cuda:0 to cuda:{gpus - 1}" if gpus > 1 else "only cuda:0"
        return f"{device} asked for, but this machine has {gpus} GPU{'s' if gpus != 1 else ''} ({have})"
    return None


def resolve_auto(device: DeviceRequest, gpus: int | None) -> DeviceRequest:
    """``auto`` made concrete when the GPUs can be counted: cuda:0 if there is one, else cpu."""
    if device.kind != "auto" or gpus is None:
        return device
    return DeviceRequest("gpu", 0) if gpus > 0 else DeviceRequest("cpu")
