"""Load each Gluon fixture's weights into its PyTorch draft and compare (this process imports torch only).

For each ``.npz`` written by ``gluon_side.py``: build the draft's model, run it once (lazy layers
take their input sizes), copy the Gluon parameters in order (shapes must match one for one), and
compare the output in eval mode; for a fixture with ``train()``, train the draft from the same
weights on the same data and compare the parameters after. Prints one JSON object.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import torch


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"draft_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tensors(net: torch.nn.Module) -> list[tuple[str, torch.Tensor]]:
    return [(k, v) for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")]


def _gluon(data: np.lib.npyio.NpzFile, prefix: str) -> list[tuple[str, np.ndarray]]:
    return [(k, data[k]) for k in sorted(k for k in data.files if k.startswith(prefix))]


def _copy(net: torch.nn.Module, arrays: list[tuple[str, np.ndarray]]) -> None:
    targets = _tensors(net)
    if len(targets) != len(arrays):
        raise AssertionError(f"{len(arrays)} Gluon parameters, {len(targets)} PyTorch tensors")
    state = {}
    for (gname, array), (tname, tensor) in zip(arrays, targets, strict=True):
        if tuple(array.shape) != tuple(tensor.shape):
            raise AssertionError(f"{gname} {array.shape} -> {tname} {tuple(tensor.shape)}")
        state[tname] = torch.from_numpy(array)
    net.load_state_dict(state, strict=False)


def check(draft: Path, data: np.lib.npyio.NpzFile) -> dict[str, float]:
    module = _load(draft)
    torch.manual_seed(0)
    net = module.build()
    x = torch.from_numpy(data["input"])
    if getattr(module, "INPUT_INT", None):
        x = x.long()
    with torch.no_grad():
        net(x)
    _copy(net, _gluon(data, "param/"))
    net.eval()
    with torch.no_grad():
        y = net(x).numpy()
    result = {"output": float(np.abs(y - data["output"]).max())}
    if "labels" in data.files:
        _copy(net, _gluon(data, "param/"))
        net.train()
        module.train(net, data["input"], data["labels"])
        after = _tensors(net)
        diffs = [
            np.abs(t.detach().numpy() - a).max()
            for (_, t), (_, a) in zip(after, _gluon(data, "trained/"), strict=True)
        ]
        result["trained"] = float(max(diffs))
    return result


def main(drafts: Path, npz: Path) -> None:
    results = {}
    for path in sorted(npz.glob("*.npz")):
        try:
            results[path.stem] = check(drafts / f"{path.stem}.py", np.load(path))
        except Exception as exc:  # reported to the test, which fails with it
            results[path.stem] = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(results))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
