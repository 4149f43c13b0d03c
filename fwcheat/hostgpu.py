"""Whether this machine has the GPU a user asks for, known before any kernel starts.

A front end given ``--device cuda:N`` should refuse at once, with the reason,
rather than start kernels that then fail on the first run. The authoritative
answer still comes from each kernel (its framework may lack a CUDA build);
this is the cheap check that needs no framework: the NVIDIA driver's list of
GPUs, narrowed by ``CUDA_VISIBLE_DEVICES``. It imports nothing heavy.
"""

from __future__ import annotations

import os

from fwcheat.devices import DeviceRequest

#: Where the NVIDIA driver lists the GPUs it drives, one folder each.
DRIVER_GPUS = "/proc/driver/nvidia/gpus"


def visible_gpus(driver_dir: str = DRIVER_GPUS) -> int:
    """How many NVIDIA GPUs processes started from here can use."""
    try:
        count = len(os.listdir(driver_dir))
    except OSError:
        return 0
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return count
    names = [n for n in visible.split(",") if n.strip()]
    if any(n.strip().startswith("-") for n in names[:1]):
        return 0
    return min(count, len(names))


def missing_gpu_reason(device: DeviceRequest, driver_dir: str = DRIVER_GPUS) -> str | None:
    """Why ``device`` cannot be used on this machine, or None when it may be there."""
    if not device.wants_gpu:
        return None
    count = visible_gpus(driver_dir)
    if count > device.index:
        return None
    if count == 0:
        seen = "this machine shows no NVIDIA GPU (no driver, or CUDA_VISIBLE_DEVICES hides them)"
    else:
        seen = f"this machine shows {count} GPU{'s' if count != 1 else ''} (cuda:0 to cuda:{count - 1})"
    return f"{device} / gpu({device.index}) is not available: {seen}"
