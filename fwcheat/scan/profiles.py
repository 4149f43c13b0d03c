"""What each framework's API looks like in code, for the scanner.

A scan must tell ``mx.nd.array`` from NumPy's ``np.array`` and ``x.asnumpy()``
from any other method call, without importing the framework. Each profile
names the modules that are the framework's, the spellings of one module that
mean the same thing (``mxnet.ndarray`` is ``mxnet.nd``), the methods only its
objects have, and the keyword arguments whose meaning changes across
frameworks. Adding a framework is adding one profile here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Profile:
    """How one framework's API shows in source code."""

    framework: str
    #: Top-level modules that are this framework's (``mxnet``, ``torch``…).
    roots: tuple[str, ...]
    #: How a person writes the root in an API name: ``mxnet.nd.array`` is shown as ``mx.nd.array``.
    short: dict[str, str]
    #: Module prefixes written two ways, rewritten to one: ``mxnet.ndarray`` -> ``mxnet.nd``.
    synonyms: tuple[tuple[str, str], ...] = ()
    #: Methods only this framework's objects have: a call ``x.asnumpy()`` is a use, whatever ``x`` is.
    methods: frozenset[str] = frozenset()
    #: Keyword arguments whose meaning changes across frameworks; the value is the callee
    #: names they matter on (empty: on every call into the framework).
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Functions whose second parameter is the framework's op namespace (Gluon's ``hybrid_forward(self, F)``).
    op_namespace_functions: frozenset[str] = frozenset()
    #: The module that namespace stands for.
    op_namespace: str = ""
    #: The class whose method such a function is (the API name of the function itself).
    op_namespace_owner: str = ""
    #: Fallbacks tried when a name has no entry: ``mxnet.sym.x`` is documented as ``mxnet.nd.x``.
    fallbacks: tuple[tuple[str, str], ...] = ()


_LAYERS = (
    "Dense",
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "Linear",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "LSTM",
    "GRU",
    "RNN",
    "SimpleRNN",
)

PROFILES: dict[str, Profile] = {
    "mxnet": Profile(
        framework="mxnet",
        roots=("mxnet",),
        short={"mxnet": "mx"},
        synonyms=(
            ("mxnet.ndarray.", "mxnet.nd."),
            ("mxnet.symbol.", "mxnet.sym."),
            ("mxnet.initializer.", "mxnet.init."),
            ("mxnet.numpy.", "mxnet.np."),
            ("mxnet.context.", "mxnet."),
            ("mxnet.gluon.nn.basic_layers.", "mxnet.gluon.nn."),
            ("mxnet.gluon.nn.conv_layers.", "mxnet.gluon.nn."),
            ("mxnet.gluon.block.", "mxnet.gluon."),
            ("mxnet.gluon.trainer.", "mxnet.gluon."),
            ("mxnet.gluon.parameter.", "mxnet.gluon."),
            ("mxnet.gluon.metric.", "mxnet.metric."),
            ("mxnet.gluon.nn.HybridBlock.", "mxnet.gluon.HybridBlock."),
            ("mxnet.gluon.nn.Block.", "mxnet.gluon.Block."),
            ("mxnet.gluon.nn.SymbolBlock.", "mxnet.gluon.SymbolBlock."),
        ),
        methods=frozenset(
            """
            asnumpy asscalar as_in_context as_in_ctx attach_grad collect_params hybridize initialize
            save_parameters load_parameters save_params load_params export wait_to_read copyto
            as_nd_ndarray as_np_ndarray tostype reset_ctx list_ctx set_data zero_grad register_child
            name_scope list_data list_grad
            """.split()  # noqa: SIM905 - a word list reads better as text
        ),
        keywords={
            "axis": (),
            "ctx": (),
            "strides": (),
            "momentum": ("BatchNorm", "SyncBatchNorm", "InstanceNorm"),
            "flatten": ("Dense",),
            "activation": _LAYERS,
            "use_global_stats": (),
            "layout": (),
            "grad_req": (),
            "keepdims": (),
            "batch_axis": (),
            "sparse_label": (),
            "from_logits": (),
            "in_units": (),
            "in_channels": (),
            "wd": (),
            "rescale_grad": (),
            "clip_gradient": (),
        },
        op_namespace_functions=frozenset({"hybrid_forward"}),
        op_namespace="mxnet.nd",
        op_namespace_owner="mxnet.gluon.HybridBlock",
        fallbacks=(
            ("mxnet.sym.", "mxnet.nd."),
            ("mxnet.np.", "mxnet.nd."),
            ("mxnet.npx.", "mxnet.nd."),
            (".as_in_ctx", ".as_in_context"),
        ),
    ),
    "pytorch": Profile(
        framework="pytorch",
        roots=("torch", "torchvision"),
        short={},
        synonyms=(("torch.nn.modules.", "torch.nn."),),
        methods=frozenset(
            """
            requires_grad_ numpy cuda to zero_grad state_dict load_state_dict named_parameters
            unsqueeze permute contiguous detach_ register_buffer register_forward_hook
            """.split()  # noqa: SIM905 - a word list reads better as text
        ),
        keywords={
            "dim": (),
            "device": (),
            "stride": (),
            "momentum": ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm"),
            "keepdim": (),
            "requires_grad": (),
            "bias": (),
            "batch_first": (),
            "weight_decay": (),
            "reduction": (),
        },
    ),
    "tensorflow": Profile(
        framework="tensorflow",
        roots=("tensorflow",),
        short={"tensorflow": "tf"},
        methods=frozenset({"assign", "assign_add", "assign_sub", "watch", "gradient"}),
        keywords={"axis": (), "training": (), "strides": (), "data_format": (), "keepdims": ()},
    ),
    "keras": Profile(
        framework="keras",
        roots=("keras",),
        short={},
        synonyms=(("tensorflow.keras.", "keras."),),
        methods=frozenset({"compile", "fit", "train_on_batch", "get_weights", "set_weights"}),
        keywords={
            "axis": (),
            "activation": (),
            "strides": (),
            "momentum": ("BatchNormalization",),
            "data_format": (),
            "training": (),
        },
    ),
}
