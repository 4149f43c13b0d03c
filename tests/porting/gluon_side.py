"""Run every Gluon fixture once in MXNet (this process imports MXNet only) and save .npz files.

For each ``gluon_src/NAME.py``: the model from ``build()``, initialised with a fixed seed, its input,
its output in predict mode, and its parameters in Gluon's structural order; for a fixture with
``train()``, the parameters before and after training on fixed data. The PyTorch side
(``torch_side.py``) loads them into the drafts in another process.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import mxnet as mx
import numpy as np
from mxnet import nd


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"gluon_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _params(net) -> dict[str, np.ndarray]:
    items = net._collect_params_with_prefix().items()
    return {f"{i:03d}:{name}": p.data().asnumpy() for i, (name, p) in enumerate(items)}


def main(src: Path, out: Path) -> None:
    done = {}
    for path in sorted(src.glob("*.py")):
        module = _load(path)
        rng = np.random.default_rng(0)
        mx.random.seed(0)
        net = module.build()
        net.initialize(mx.init.Normal(0.5))
        shape = module.INPUT_SHAPE
        if getattr(module, "INPUT_INT", None):
            x = rng.integers(0, module.INPUT_INT, size=shape).astype("float32")
        else:
            x = rng.standard_normal(shape).astype("float32")
        y = net(nd.array(x)).asnumpy()
        arrays = {"input": x, "output": y}
        arrays.update({f"param/{k}": v for k, v in _params(net).items()})
        if hasattr(module, "train"):
            labels = rng.integers(0, 3, size=shape[0]).astype("float32")
            arrays["labels"] = labels
            module.train(net, x, labels)
            arrays.update({f"trained/{k}": v for k, v in _params(net).items()})
        np.savez(out / f"{path.stem}.npz", **arrays)
        done[path.stem] = len(arrays)
    print(json.dumps(done))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
