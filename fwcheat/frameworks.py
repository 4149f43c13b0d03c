"""The frameworks fwcheat knows: one row each, the only place their names are spelled.

Everything fwcheat's own process needs to know about a framework lives in
:data:`TABLE`: its key and label, the module that proves it is installed (and
gives its version), the pip extra that installs it, what its kernel imports
before the first snippet, the variable its snippets use for the device and
how a device is spelled for it, the environment its kernel starts with, the
output differences that mean nothing, and its field in the search index.
What runs *inside* a kernel has one matching table of hooks in
:mod:`fwcheat.kernels.in_kernel` (``HOOKS``), keyed the same way.

Adding a framework means a row here, its hooks there, and its knowledge.

This module is on the search path: it imports nothing (not even ``typing`` or
``dataclasses``), so it costs nothing to load.
"""

from __future__ import annotations


class Framework:
    """One framework fwcheat can show and run (see the module docstring)."""

    __slots__ = (
        "aliases",
        "cpu_name",
        "device_var",
        "env_prefixes",
        "extra",
        "gpu_name",
        "index_field",
        "index_weight",
        "kernel_env",
        "key",
        "label",
        "module",
        "module_aliases",
        "normalisers",
        "numpy_below",
        "preload",
        "query_aliases",
        "runnable",
        "short",
        "version_module",
    )

    def __init__(
        self,
        key: str,
        label: str,
        *,
        module: str,
        extra: str,
        preload: tuple[str, ...],
        device_var: str,
        cpu_name: str,
        gpu_name: str,
        index_field: str,
        index_weight: float = 2.0,
        kernel_env: tuple[tuple[str, str], ...] = (),
        env_prefixes: tuple[str, ...] = (),
        normalisers: tuple[tuple[str, str], ...] = (),
        runnable: bool = True,
        version_module: str = "",
        numpy_below: str = "",
        query_aliases: tuple[tuple[str, str], ...] = (),
        short: str = "",
        aliases: tuple[str, ...] = (),
        module_aliases: tuple[tuple[str, str], ...] = (),
    ) -> None:
        #: The name in knowledge files, on the command line and in the config file.
        self.key = key
        #: How the framework is named to a person, and where room is short.
        self.label = label
        self.short = short or label
        #: Other names a person may type for it (``torch``, ``tf``).
        self.aliases = aliases
        #: The module whose import proves the framework is there.
        self.module = module
        #: The module whose ``__version__`` is reported (default: ``module``).
        self.version_module = version_module or module
        #: ``pip install 'fwcheat[<extra>]'`` installs it.
        self.extra = extra
        #: The imports an interactive session starts with (the REPL runs them).
        self.preload = preload
        #: How a session usually names the framework's modules (``nd`` is ``mxnet.nd``).
        self.module_aliases = module_aliases
        #: The variable the runner defines for the chosen device.
        self.device_var = device_var
        #: How the CPU is spelled for it, and a GPU (``{index}`` filled in).
        self.cpu_name = cpu_name
        self.gpu_name = gpu_name
        #: The search index's field for API names found in its snippets.
        self.index_field = index_field
        #: How much a match on its API names weighs in the ranking.
        self.index_weight = index_weight
        #: Environment variables its kernel starts with (set before any import).
        self.kernel_env = kernel_env
        #: Prefixes of the user's environment variables that change what it does
        #: (a warm kernel started under other values is replaced).
        self.env_prefixes = env_prefixes
        #: (regex, replacement) pairs applied to printed output before comparing.
        self.normalisers = normalisers
        #: Whether fwcheat runs its snippets.
        self.runnable = runnable
        #: The first NumPy version it breaks on ('' when none is known).
        self.numpy_below = numpy_below
        #: (short name, the name the knowledge base writes): module names as real code
        #: spells them, e.g. ``F`` in ``hybrid_forward(self, F, x)``, or ``autograd as ag``.
        self.query_aliases = query_aliases

    def device_name(self, kind: str, index: int = 0) -> str:
        """How the device ``kind`` (cpu, gpu or auto) is spelled for this framework."""
        if kind == "gpu":
            return self.gpu_name.format(index=index)
        return self.cpu_name if kind == "cpu" else "auto"

    @property
    def install_hint(self) -> str:
        # constraints.txt pins versions that work together, but only a checkout has it.
        import os

        checkout = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        pinned = "-c constraints.txt " if os.path.isfile(os.path.join(checkout, "constraints.txt")) else ""
        return f"pip install {pinned}'fwcheat[{self.extra}]'"

    def __repr__(self) -> str:
        return f"Framework({self.key!r})"


#: TensorFlow's C++ logging, oneDNN's notice and Keras's backend choice are
#: settled before the kernel imports anything: none of it may reach a user.
_TF_ENV = (
    ("TF_CPP_MIN_LOG_LEVEL", "3"),
    ("TF_CPP_MIN_VLOG_LEVEL", "3"),
    ("TF_ENABLE_ONEDNN_OPTS", "0"),
    ("GRPC_VERBOSITY", "ERROR"),
    ("ABSL_MIN_LOG_LEVEL", "3"),
    ("KERAS_BACKEND", "tensorflow"),
)
#: Where a TensorFlow tensor lives, as ``tensor.device`` prints it.
_TF_DEVICE = (r"/job:localhost/replica:0/task:0/device:(?:CPU|GPU):\d+", "/device")

#: Every framework, in display order.
TABLE: tuple[Framework, ...] = (
    Framework(
        "pytorch",
        "PyTorch",
        module="torch",
        extra="pytorch",
        aliases=("torch", "pt"),
        module_aliases=(
            ("torch", "torch"),
            ("nn", "torch.nn"),
            ("F", "torch.nn.functional"),
            ("optim", "torch.optim"),
            ("init", "torch.nn.init"),
        ),
        preload=(
            "import numpy as np",
            "import torch",
            "from torch import nn",
            "import torch.nn.functional as F",
        ),
        device_var="device",
        cpu_name="cpu",
        gpu_name="cuda:{index}",
        index_field="api_pytorch",
        env_prefixes=("TORCH", "PYTORCH_"),
        normalisers=((r",?\s*device='(?:cuda|cpu|mps)(?::\d+)?'", ""),),
    ),
    Framework(
        "mxnet",
        "MXNet/Gluon",
        module="mxnet",
        extra="mxnet",
        short="MXNet",
        aliases=("mx", "gluon"),
        module_aliases=(
            ("mx", "mxnet"),
            ("mxnet", "mxnet"),
            ("nd", "mxnet.nd"),
            ("gluon", "mxnet.gluon"),
            ("autograd", "mxnet.autograd"),
            ("nn", "mxnet.gluon.nn"),
            ("init", "mxnet.init"),
        ),
        preload=(
            "import numpy as np",
            "import mxnet as mx",
            "from mxnet import autograd, gluon, init, nd",
            "from mxnet.gluon import nn",
        ),
        device_var="ctx",
        cpu_name="mx.cpu()",
        gpu_name="mx.gpu({index})",
        index_field="api_mxnet",
        env_prefixes=("MXNET_",),
        query_aliases=(("f", "nd"), ("ag", "autograd"), ("sym", "symbol"), ("ndarray", "tensor")),
        numpy_below="1.24",
        # MXBoard (MXNet's TensorBoard writer) predates protobuf 4's C++ runtime.
        kernel_env=(("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python"),),
        normalisers=((r"@(?:cpu|gpu|cpu_pinned|cpu_shared)\(\d+\)", "@device"),),
    ),
    Framework(
        "tensorflow",
        "TensorFlow",
        module="tensorflow",
        extra="tensorflow",
        aliases=("tf",),
        preload=("import numpy as np", "import tensorflow as tf"),
        device_var="device",
        cpu_name="/CPU:0",
        gpu_name="/GPU:{index}",
        index_field="api_tensorflow",
        env_prefixes=("TF_",),
        index_weight=1.5,
        kernel_env=_TF_ENV,
        normalisers=(_TF_DEVICE,),
    ),
    Framework(
        "keras",
        "Keras",
        module="keras",
        extra="tensorflow",
        aliases=("tf.keras",),
        preload=("import numpy as np", "import keras", "from keras import layers, ops"),
        query_aliases=(("tf.keras", "keras"),),
        device_var="device",
        cpu_name="/CPU:0",
        gpu_name="/GPU:{index}",
        index_field="api_keras",
        env_prefixes=("KERAS_",),
        index_weight=1.5,
        kernel_env=_TF_ENV,
        normalisers=(_TF_DEVICE,),
    ),
)

BY_KEY: dict[str, Framework] = {f.key: f for f in TABLE}

#: Frameworks an entry may carry a snippet for, in display order.
FRAMEWORKS: tuple[str, ...] = tuple(f.key for f in TABLE)
#: Frameworks fwcheat can execute.
RUNNABLE_FRAMEWORKS: tuple[str, ...] = tuple(f.key for f in TABLE if f.runnable)
#: How each framework is named to a person.
FRAMEWORK_LABELS: dict[str, str] = {f.key: f.label for f in TABLE}
#: The framework other frameworks' values are compared with, where an entry has it.
REFERENCE = TABLE[0].key
#: The pair shown side by side unless the user picks another: (from, to).
DEFAULT_PAIR: tuple[str, str] = (TABLE[1].key, TABLE[0].key)


#: Search terms that stand for another (lowercase): ``f`` (hybrid_forward's F) for ``nd``, ...
QUERY_ALIASES: dict[str, str] = {short: long for f in TABLE for short, long in f.query_aliases}


def _bindings(statement: str) -> list[tuple[str, str]]:
    """(name, the import of just that name) for each name an import statement binds."""
    words = statement.replace(",", " ").split()
    if words[0] == "from":
        return [(name, f"from {words[1]} import {name}") for name in words[words.index("import") + 1 :]]
    return [(words[-1] if "as" in words else words[1].split(".")[0], statement)]


#: framework -> {module name its snippets use (``torch``, ``nd``, ``np``): the import that binds
#: it}, read from the table's ``preload`` imports. A snippet must import these itself.
MODULE_NAMES: dict[str, dict[str, str]] = {
    f.key: {name: binding for statement in f.preload for name, binding in _bindings(statement)} for f in TABLE
}


def get(key: str) -> Framework:
    """The row for ``key``; KeyError names the known frameworks."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown framework {key!r} (known: {', '.join(FRAMEWORKS)})") from None


def label(key: str) -> str:
    """The framework's label, or the key itself for one fwcheat does not know."""
    row = BY_KEY.get(key)
    return row.label if row is not None else key


def resolve(text: str) -> str | None:
    """The key for a name a person typed (key, alias or label, any case); None if unknown."""
    wanted = text.strip().lower()
    for row in TABLE:
        if wanted in (row.key, row.label.lower(), row.short.lower(), *row.aliases):
            return row.key
    return None


def short(key: str) -> str:
    """The framework's short label (``MXNet``), for where room is short."""
    row = BY_KEY.get(key)
    return row.short if row is not None else key


def parse_list(text: str) -> list[str]:
    """``"pytorch,tensorflow"`` -> keys in table order; ValueError names the unknown ones."""
    asked = [resolve(part) or part.strip().lower() for part in text.split(",") if part.strip()]  # tf, torch
    unknown = [a for a in asked if a not in BY_KEY]
    if unknown or not asked:
        raise ValueError(
            f"unknown framework {', '.join(map(repr, unknown)) or repr(text)}: choose from "
            + ", ".join(FRAMEWORKS)
        )
    return [f.key for f in TABLE if f.key in asked]
