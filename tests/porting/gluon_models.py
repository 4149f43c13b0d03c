"""Gluon models written for the porting tests, and their checkpoints in every form.

Imported only inside the MXNet kernel (by path, as `fwcheat check --mxnet` does).
Explicit prefixes keep parameter names stable however many models a kernel builds.
"""

from __future__ import annotations

import os

import mxnet as mx
import numpy as np
from mxnet import gluon, nd
from mxnet.gluon import nn, rnn

INPUTS = {
    "mlp": (4, 2, 3, 3),
    "cnn": (2, 3, 8, 8),
    "symbol": (2, 3, 6, 6),
    "rnn": (5, 2, 4),
    "resnet": (2, 3, 8, 8),
    "gan": (2, 10, 1, 1),
}


def mlp() -> gluon.Block:
    net = nn.Sequential()
    net.add(nn.Dense(32, activation="relu"), nn.Dense(16, activation="relu"), nn.Dropout(0.5), nn.Dense(5))
    return net


def cnn() -> gluon.Block:
    net = nn.HybridSequential(prefix="cnn_")
    with net.name_scope():
        net.add(
            nn.Conv2D(8, 3, padding=1),
            nn.BatchNorm(epsilon=1e-3),
            nn.Activation("relu"),
            nn.MaxPool2D(2),
            nn.Conv2D(16, 3),
            nn.BatchNorm(epsilon=1e-3),
            nn.Activation("relu"),
            nn.GlobalAvgPool2D(),
            nn.Flatten(),
            nn.Dense(10),
        )
    return net


def symbol_net() -> mx.sym.Symbol:
    data = mx.sym.var("data")
    x = mx.sym.Convolution(data, num_filter=4, kernel=(3, 3), name="conv0")
    x = mx.sym.BatchNorm(x, name="bn0")  # fix_gamma=True and eps=1e-3 by default
    x = mx.sym.Activation(x, act_type="relu", name="relu0")
    x = mx.sym.Flatten(x, name="flat0")
    return mx.sym.FullyConnected(x, num_hidden=3, name="fc0")


class RNNNet(gluon.Block):
    """A bidirectional two-layer LSTM, a GRU on top, a per-step Dense."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        with self.name_scope():
            self.lstm = rnn.LSTM(6, num_layers=2, bidirectional=True, input_size=4)
            self.gru = rnn.GRU(5, input_size=12)
            self.out = nn.Dense(3, flatten=False)

    def forward(self, x):  # type: ignore[no-untyped-def]
        return self.out(self.gru(self.lstm(x)))


def lstm() -> gluon.Block:
    return RNNNet(prefix="rnnnet_")


class BasicBlock(gluon.HybridBlock):
    """The shape of gluon model_zoo's BasicBlockV1: body and downsample with prefix=''."""

    def __init__(
        self, channels: int, stride: int, downsample: bool, in_channels: int, **kwargs: object
    ) -> None:
        super().__init__(**kwargs)
        with self.name_scope():
            self.body = nn.HybridSequential(prefix="")
            self.downsample = None
        self.body.add(
            nn.Conv2D(channels, 3, stride, 1, use_bias=False, in_channels=in_channels),
            nn.BatchNorm(),
            nn.Activation("relu"),
            nn.Conv2D(channels, 3, 1, 1, use_bias=False, in_channels=channels),
            nn.BatchNorm(),
        )
        if downsample:
            with self.name_scope():
                self.downsample = nn.HybridSequential(prefix="")
            self.downsample.add(
                nn.Conv2D(channels, 1, stride, use_bias=False, in_channels=in_channels), nn.BatchNorm()
            )

    def hybrid_forward(self, F, x):  # type: ignore[no-untyped-def]
        residual = x if self.downsample is None else self.downsample(x)
        return F.Activation(self.body(x) + residual, act_type="relu")


def resnet() -> gluon.Block:
    net = nn.HybridSequential(prefix="resnetv10_")
    with net.name_scope():
        net.add(nn.Conv2D(8, 3, padding=1, use_bias=False), nn.BatchNorm(), nn.Activation("relu"))
        net.add(BasicBlock(8, 1, False, 8, prefix="stage1_"))
        net.add(BasicBlock(16, 2, True, 8, prefix="stage2_"))
        net.add(nn.GlobalAvgPool2D(), nn.Dense(10))
    return net


def gan() -> gluon.Block:
    net = nn.HybridSequential(prefix="netg_")
    with net.name_scope():
        net.add(
            nn.Conv2DTranspose(16, 4, 1, 0, use_bias=False),
            nn.BatchNorm(),
            nn.Activation("relu"),
            nn.Conv2DTranspose(8, 4, 2, 1, use_bias=False),
            nn.BatchNorm(),
            nn.Activation("relu"),
            nn.Conv2DTranspose(3, 4, 2, 1, use_bias=False),
            nn.Activation("tanh"),
        )
    return net


def _randomise(net: gluon.Block, x: nd.NDArray, seed: int) -> None:
    net.initialize(mx.init.Normal(0.2))
    net(x)
    rng = np.random.RandomState(seed)
    for name, param in net.collect_params().items():
        if name.endswith(("running_var", "gamma")):
            param.set_data(nd.array(rng.uniform(0.5, 1.5, param.shape)))
        elif name.endswith(("running_mean", "beta", "bias")):
            param.set_data(nd.array(rng.normal(0, 0.3, param.shape)))
        else:  # weights scaled by fan-in, so activations stay near 1
            fan_in = int(np.prod(param.shape[1:])) if len(param.shape) > 1 else 1
            param.set_data(nd.array(rng.normal(0, 1.0 / np.sqrt(fan_in), param.shape)))


def symbol_block(folder: str) -> gluon.Block:
    prefix = os.path.join(folder, "symbol")
    return gluon.SymbolBlock.imports(prefix + "-symbol.json", ["data"], prefix + "-0000.params")


def save_all(folder: str) -> None:
    """Every test checkpoint: structural, prefixed, Module (symbol) and exported (arg:/aux:)."""
    x = {k: nd.array(np.random.RandomState(0).standard_normal(s)) for k, s in INPUTS.items()}
    net = mlp()
    _randomise(net, x["mlp"], 1)
    net.save_parameters(os.path.join(folder, "mlp.params"))
    net = cnn()
    _randomise(net, x["cnn"], 2)
    net.collect_params().save(os.path.join(folder, "cnn.params"))
    net = lstm()
    _randomise(net, x["rnn"], 3)
    net.save_parameters(os.path.join(folder, "rnn.params"))
    net = resnet()
    _randomise(net, x["resnet"], 4)
    net.collect_params().save(os.path.join(folder, "resnet.params"))
    net.hybridize()  # exported: graph order puts each shortcut before its block's body
    net(x["resnet"])
    net.export(os.path.join(folder, "resnet-export"))
    net = gan()
    _randomise(net, x["gan"], 5)
    net.hybridize()
    net(x["gan"])
    net.export(os.path.join(folder, "gan"))
    sym = symbol_net()
    mod = mx.mod.Module(sym, data_names=["data"], label_names=None)
    mod.bind(data_shapes=[("data", INPUTS["symbol"])], for_training=False)
    mod.init_params(mx.init.Normal(0.3))
    arg, aux = mod.get_params()
    rng = np.random.RandomState(6)
    arg = {k: nd.array(rng.normal(0, 0.2, v.shape)) for k, v in arg.items()}
    arg["bn0_gamma"] = nd.array(rng.uniform(2.0, 3.0, arg["bn0_gamma"].shape))  # ignored: fix_gamma
    aux = {k: nd.array(rng.uniform(0.5, 1.5, v.shape)) for k, v in aux.items()}
    mod.set_params(arg, aux)
    mod.save_checkpoint(os.path.join(folder, "symbol"), 0)
