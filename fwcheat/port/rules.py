"""The rule tables of `fwcheat port`: what each Gluon API becomes, and the entry that explains why.

Every rule names the knowledge entry (``fwcheat show ID``) that holds the idiom and its trap, so
a reader of the draft or of the report can check the rewrite. The rewriter itself is
:mod:`fwcheat.port.rewrite`; these tables are plain data so a test can check each cited id exists.
"""

from __future__ import annotations

from typing import NamedTuple


class Op(NamedTuple):
    """An operator ``F.name(x, ...)``: its PyTorch function, argument renames and entry."""

    target: str
    entry: str
    #: Gluon keyword -> PyTorch keyword.
    renames: tuple[tuple[str, str], ...] = ()


_AXIS = (("axis", "dim"), ("keepdims", "keepdim"))

#: Operators with a direct counterpart (positional arguments kept; keywords renamed).
OPS: dict[str, Op] = {
    "relu": Op("torch.relu", "activation-functions"),
    "sigmoid": Op("torch.sigmoid", "activation-functions"),
    "tanh": Op("torch.tanh", "activation-functions"),
    "exp": Op("torch.exp", "unary-math"),
    "log": Op("torch.log", "unary-math"),
    "sqrt": Op("torch.sqrt", "unary-math"),
    "abs": Op("torch.abs", "unary-math"),
    "square": Op("torch.square", "square-power"),
    "sin": Op("torch.sin", "unary-math"),
    "cos": Op("torch.cos", "unary-math"),
    "sign": Op("torch.sign", "sign"),
    "sum": Op("torch.sum", "reduction-axis", _AXIS),
    "mean": Op("torch.mean", "reduction-axis", _AXIS),
    "prod": Op("torch.prod", "reduction-axis", _AXIS),
    "max": Op("torch.amax", "reduction-axis", _AXIS),
    "min": Op("torch.amin", "reduction-axis", _AXIS),
    "argmax": Op("torch.argmax", "argmax", _AXIS),
    "argmin": Op("torch.argmin", "argmax", _AXIS),
    "softmax": Op("torch.softmax", "softmax", (("axis", "dim"),)),
    "log_softmax": Op("torch.log_softmax", "log-softmax", (("axis", "dim"),)),
    "batch_dot": Op("torch.bmm", "batch-dot-bmm"),
    "broadcast_add": Op("torch.add", "tensor-broadcast-add"),
    "broadcast_plus": Op("torch.add", "tensor-broadcast-add"),
    "broadcast_sub": Op("torch.sub", "tensor-broadcast-add"),
    "broadcast_minus": Op("torch.sub", "tensor-broadcast-add"),
    "broadcast_mul": Op("torch.mul", "broadcast-mul"),
    "broadcast_div": Op("torch.div", "tensor-broadcast-add"),
    "broadcast_maximum": Op("torch.maximum", "maximum-minimum"),
    "broadcast_minimum": Op("torch.minimum", "maximum-minimum"),
    "maximum": Op("torch.maximum", "maximum-minimum"),
    "minimum": Op("torch.minimum", "maximum-minimum"),
    "where": Op("torch.where", "where"),
    "zeros_like": Op("torch.zeros_like", "zeros-like"),
    "ones_like": Op("torch.ones_like", "zeros-like"),
    "flatten": Op("torch.flatten", "flatten-batch"),
    "clip": Op("torch.clamp", "clip-clamp", (("a_min", "min"), ("a_max", "max"))),
    "tile": Op("torch.tile", "repeat-vs-tile", (("reps", "dims"),)),
    "flip": Op("torch.flip", "flip", (("axis", "dims"),)),
    "norm": Op("torch.norm", "norm", _AXIS),
    "cumsum": Op("torch.cumsum", "cumsum", (("axis", "dim"),)),
}

#: Methods of an NDArray whose keywords are renamed (``x.sum(axis=1)`` -> ``x.sum(dim=1)``).
TENSOR_METHODS = frozenset(
    {"sum", "mean", "max", "min", "prod", "argmax", "argmin", "softmax", "log_softmax", "norm", "std", "var"}
)

#: Gluon layer -> (PyTorch layer, the lazy one that takes its input size on the first call, entry).
LAYERS: dict[str, tuple[str, str, str]] = {
    "Dense": ("nn.Linear", "nn.LazyLinear", "dense-linear"),
    "Conv1D": ("nn.Conv1d", "nn.LazyConv1d", "conv2d"),
    "Conv2D": ("nn.Conv2d", "nn.LazyConv2d", "conv2d"),
    "Conv3D": ("nn.Conv3d", "nn.LazyConv3d", "conv2d"),
    "Conv1DTranspose": ("nn.ConvTranspose1d", "nn.LazyConvTranspose1d", "conv-transpose"),
    "Conv2DTranspose": ("nn.ConvTranspose2d", "nn.LazyConvTranspose2d", "conv-transpose"),
    "Conv3DTranspose": ("nn.ConvTranspose3d", "nn.LazyConvTranspose3d", "conv-transpose"),
}

#: ``activation='relu'`` (and ``nn.Activation('relu')``) -> the PyTorch module.
ACTIVATIONS: dict[str, str] = {
    "relu": "nn.ReLU()",
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "softrelu": "nn.Softplus()",
    "softsign": "nn.Softsign()",
}

#: Pooling layers: Gluon name -> PyTorch name (``pool_size`` -> ``kernel_size``, ``strides`` -> ``stride``).
POOLS: dict[str, str] = {
    "MaxPool1D": "nn.MaxPool1d",
    "MaxPool2D": "nn.MaxPool2d",
    "MaxPool3D": "nn.MaxPool3d",
    "AvgPool1D": "nn.AvgPool1d",
    "AvgPool2D": "nn.AvgPool2d",
    "AvgPool3D": "nn.AvgPool3d",
}
GLOBAL_POOLS: dict[str, str] = {
    "GlobalMaxPool1D": "nn.AdaptiveMaxPool1d(1)",
    "GlobalMaxPool2D": "nn.AdaptiveMaxPool2d(1)",
    "GlobalMaxPool3D": "nn.AdaptiveMaxPool3d(1)",
    "GlobalAvgPool1D": "nn.AdaptiveAvgPool1d(1)",
    "GlobalAvgPool2D": "nn.AdaptiveAvgPool2d(1)",
    "GlobalAvgPool3D": "nn.AdaptiveAvgPool3d(1)",
}

#: ``gluon.loss.X`` -> (PyTorch loss, entry); Gluon returns one loss per sample: ``reduction='none'``.
LOSSES: dict[str, tuple[str, str]] = {
    "SoftmaxCrossEntropyLoss": ("nn.CrossEntropyLoss", "softmax-cross-entropy"),
    "SoftmaxCELoss": ("nn.CrossEntropyLoss", "softmax-cross-entropy"),
    "SigmoidBinaryCrossEntropyLoss": ("nn.BCEWithLogitsLoss", "bce-with-logits"),
    "SigmoidBCELoss": ("nn.BCEWithLogitsLoss", "bce-with-logits"),
    "L1Loss": ("nn.L1Loss", "l1-loss"),
    "L2Loss": ("nn.MSELoss", "l2-loss-vs-mse"),
    "KLDivLoss": ("nn.KLDivLoss", "kl-divergence-loss"),
}

#: Trainer's optimizer name -> (torch.optim class, hyperparameter renames).
OPTIMIZERS: dict[str, tuple[str, dict[str, str]]] = {
    "sgd": ("torch.optim.SGD", {"learning_rate": "lr", "momentum": "momentum", "wd": "weight_decay"}),
    "nag": ("torch.optim.SGD", {"learning_rate": "lr", "momentum": "momentum", "wd": "weight_decay"}),
    "adam": (
        "torch.optim.Adam",
        {"learning_rate": "lr", "wd": "weight_decay", "epsilon": "eps", "beta1": "", "beta2": ""},
    ),
    "rmsprop": (
        "torch.optim.RMSprop",
        {"learning_rate": "lr", "wd": "weight_decay", "epsilon": "eps", "gamma1": "alpha"},
    ),
    "adagrad": ("torch.optim.Adagrad", {"learning_rate": "lr", "wd": "weight_decay", "eps": "eps"}),
}

#: Gluon datasets in ``gluon.data.vision`` -> torchvision's.
VISION_DATASETS = frozenset({"MNIST", "FashionMNIST", "CIFAR10", "CIFAR100"})

#: Every entry id the rewriter cites outside the tables above.
ENTRIES = {
    "imports": "block-module",
    "block": "block-module",
    "name_scope": "name-scope",
    "hybrid_forward": "block-module",
    "params_get": "parameters",
    "sequential": "sequential",
    "hybridize": "hybridize",
    "initialize": "initialization",
    "batchnorm": "batchnorm",
    "dropout": "dropout",
    "embedding": "embedding",
    "lstm": "rnn-lstm",
    "activation": "activation-argument",
    "leaky": "leaky-relu",
    "flatten": "dense-flatten",
    "pooling": "pooling",
    "concat": "concat",
    "stack": "stack",
    "reshape": "reshape-special-codes",
    "transpose": "transpose-permute",
    "slice_axis": "slice-axis-narrow",
    "expand_dims": "unsqueeze-expand-dims",
    "broadcast_to": "expand-vs-broadcast-to",
    "dot": "dot-nd-semantics",
    "array": "tensor-dtype-defaults",
    "zeros": "tensor-zeros-ones",
    "random": "random-uniform",
    "normal": "random-normal",
    "seed": "random-seed",
    "trainer": "sgd-trainer",
    "step": "trainer-step",
    "record": "autograd-record",
    "pause": "no-grad",
    "attach_grad": "autograd-record",
    "context": "device-placement",
    "asnumpy": "tensor-to-numpy",
    "asscalar": "tensor-scalar",
    "loss": "loss-reduction",
    "save": "save-load-parameters",
    "metric": "metric-accuracy",
    "dataloader": "dataloader",
    "dataset": "array-dataset",
    "transform_first": "transform-first",
    "train_mode": "train-eval-mode",
    "collect_params": "parameters",
}
