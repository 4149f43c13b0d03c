"""The rule tables of `fwcheat port`: what each Gluon API becomes, and the entry that explains why.

Every rule names the knowledge entry (``fwcheat show ID``) that holds the idiom and its trap, so
a reader of the draft or of the report can check the rewrite. The rewriter itself is
:mod:`fwcheat.port.rewrite`; these tables are plain data so a test can check each cited id exists.
"""

from __future__ import annotations

from typing import NamedTuple

from fwcheat.frameworks import BY_KEY, DEFAULT_PAIR

#: The target framework's module, as its code spells it (the table gives it).
T = BY_KEY[DEFAULT_PAIR[1]].module


class Op(NamedTuple):
    """An operator ``F.name(x, ...)``: its PyTorch function, argument renames and entry."""

    target: str
    entry: str
    #: Gluon keyword -> PyTorch keyword.
    renames: tuple[tuple[str, str], ...] = ()


_AXIS = (("axis", "dim"), ("keepdims", "keepdim"))

#: Operators with a direct counterpart (positional arguments kept; keywords renamed).
OPS: dict[str, Op] = {
    "relu": Op(f"{T}.relu", "activation-functions"),
    "sigmoid": Op(f"{T}.sigmoid", "activation-functions"),
    "tanh": Op(f"{T}.tanh", "activation-functions"),
    "exp": Op(f"{T}.exp", "unary-math"),
    "log": Op(f"{T}.log", "unary-math"),
    "sqrt": Op(f"{T}.sqrt", "unary-math"),
    "abs": Op(f"{T}.abs", "unary-math"),
    "square": Op(f"{T}.square", "square-power"),
    "sin": Op(f"{T}.sin", "unary-math"),
    "cos": Op(f"{T}.cos", "unary-math"),
    "sign": Op(f"{T}.sign", "sign"),
    "sum": Op(f"{T}.sum", "reduction-axis", _AXIS),
    "mean": Op(f"{T}.mean", "reduction-axis", _AXIS),
    "prod": Op(f"{T}.prod", "reduction-axis", _AXIS),
    "max": Op(f"{T}.amax", "reduction-axis", _AXIS),
    "min": Op(f"{T}.amin", "reduction-axis", _AXIS),
    "argmax": Op(f"{T}.argmax", "argmax", _AXIS),
    "argmin": Op(f"{T}.argmin", "argmax", _AXIS),
    "softmax": Op(f"{T}.softmax", "softmax", (("axis", "dim"),)),
    "log_softmax": Op(f"{T}.log_softmax", "log-softmax", (("axis", "dim"),)),
    "batch_dot": Op(f"{T}.bmm", "batch-dot-bmm"),
    "broadcast_add": Op(f"{T}.add", "tensor-broadcast-add"),
    "broadcast_plus": Op(f"{T}.add", "tensor-broadcast-add"),
    "broadcast_sub": Op(f"{T}.sub", "tensor-broadcast-add"),
    "broadcast_minus": Op(f"{T}.sub", "tensor-broadcast-add"),
    "broadcast_mul": Op(f"{T}.mul", "broadcast-mul"),
    "broadcast_div": Op(f"{T}.div", "tensor-broadcast-add"),
    "broadcast_maximum": Op(f"{T}.maximum", "maximum-minimum"),
    "broadcast_minimum": Op(f"{T}.minimum", "maximum-minimum"),
    "maximum": Op(f"{T}.maximum", "maximum-minimum"),
    "minimum": Op(f"{T}.minimum", "maximum-minimum"),
    "where": Op(f"{T}.where", "where"),
    "zeros_like": Op(f"{T}.zeros_like", "zeros-like"),
    "ones_like": Op(f"{T}.ones_like", "zeros-like"),
    "flatten": Op(f"{T}.flatten", "flatten-batch"),
    "clip": Op(f"{T}.clamp", "clip-clamp", (("a_min", "min"), ("a_max", "max"))),
    "tile": Op(f"{T}.tile", "repeat-vs-tile", (("reps", "dims"),)),
    "flip": Op(f"{T}.flip", "flip", (("axis", "dims"),)),
    "norm": Op(f"{T}.norm", "norm", _AXIS),
    "cumsum": Op(f"{T}.cumsum", "cumsum", (("axis", "dim"),)),
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
    "sgd": (f"{T}.optim.SGD", {"learning_rate": "lr", "momentum": "momentum", "wd": "weight_decay"}),
    "nag": (f"{T}.optim.SGD", {"learning_rate": "lr", "momentum": "momentum", "wd": "weight_decay"}),
    "adam": (
        f"{T}.optim.Adam",
        {"learning_rate": "lr", "wd": "weight_decay", "epsilon": "eps", "beta1": "", "beta2": ""},
    ),
    "rmsprop": (
        f"{T}.optim.RMSprop",
        {"learning_rate": "lr", "wd": "weight_decay", "epsilon": "eps", "gamma1": "alpha"},
    ),
    "adagrad": (f"{T}.optim.Adagrad", {"learning_rate": "lr", "wd": "weight_decay", "eps": "eps"}),
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
    "pixel_shuffle": "depth-to-space",
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
