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
